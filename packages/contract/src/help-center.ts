import { type Static, Type } from '@sinclair/typebox'

/** Limits of the Help Center settings (the API answers 422 outside them). */
export const HELP_CENTER_LIMITS = {
  slug: { min: 2, max: 63 },
  title: { min: 1, max: 120 },
  description: { max: 500 },
  logoUrl: { max: 2048 },
} as const

/**
 * A Help Center slug is also a DNS label (`{slug}.{AURION_HELP_CENTER_DOMAIN}`): lowercase
 * letters, digits and single hyphens, starting with a letter, not ending with a hyphen.
 */
export const HELP_CENTER_SLUG_PATTERN = '^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$'

/** Slugs no tenant can take: hosts an operator is likely to use for something else. */
export const RESERVED_HELP_CENTER_SLUGS = [
  'www',
  'api',
  'app',
  'admin',
  'console',
  'docs',
  'help',
  'hc',
  'mail',
  'static',
  'assets',
  'status',
  'support',
] as const

const HexColor = Type.String({
  pattern: '^#[0-9a-fA-F]{6}$',
  description: 'Accent colour of the site, `#rrggbb`',
})

/** Body of `PUT /api/v1/help-center`. */
export const HelpCenterUpdate = Type.Object({
  enabled: Type.Boolean({ description: 'Off: every Help Center page answers 404' }),
  slug: Type.String({
    minLength: HELP_CENTER_LIMITS.slug.min,
    maxLength: HELP_CENTER_LIMITS.slug.max,
    pattern: HELP_CENTER_SLUG_PATTERN,
    description:
      'Address of the site: `/hc/{slug}`, and `{slug}.{domain}` with a Help Center domain. A DNS label (lowercase letters, digits, single hyphens, starting with a letter); unique across tenants',
  }),
  title: Type.String({
    minLength: HELP_CENTER_LIMITS.title.min,
    maxLength: HELP_CENTER_LIMITS.title.max,
    description: 'Shown in the header and the browser tab, e.g. "Acme Help Center"',
  }),
  description: Type.Optional(
    Type.Union([Type.String({ maxLength: HELP_CENTER_LIMITS.description.max }), Type.Null()], {
      description: 'One sentence under the search box on the home page',
    }),
  ),
  logo_url: Type.Optional(
    Type.Union(
      [
        Type.String({
          maxLength: HELP_CENTER_LIMITS.logoUrl.max,
          format: 'uri',
          description: 'An https:// image URL',
        }),
        Type.Null(),
      ],
      { description: 'Logo shown in the header (https:// image URL)' },
    ),
  ),
  primary_color: Type.Optional(Type.Union([HexColor, Type.Null()])),
})
export type HelpCenterUpdate = Static<typeof HelpCenterUpdate>

/** `GET`/`PUT /api/v1/help-center`. */
export const HelpCenterSettings = Type.Object({
  enabled: Type.Boolean(),
  slug: Type.String(),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  logo_url: Type.Union([Type.String(), Type.Null()]),
  primary_color: Type.Union([Type.String(), Type.Null()]),
  url: Type.String({
    description:
      'Where the site is served: `https://{slug}.{domain}` with a Help Center domain, else `{public URL}/hc/{slug}`',
  }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
})
export type HelpCenterSettings = Static<typeof HelpCenterSettings>

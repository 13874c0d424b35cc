/**
 * fast-check generators of nasty input: strings, values, schema-valid values and their
 * mutations, broken JSON, odd content types and origins.
 */
import fc from 'fast-check'
import type { Schema } from './types.ts'

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates too, unlike encodeURIComponent). */
export const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(64),
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil',
  '\uFEFF',
  'ﬀ',
  'İ',
  '𝕳𝖊𝖑𝖑𝖔',
  '👩‍👩‍👧‍👦'.repeat(200),
  'a'.repeat(4001),
  'b'.repeat(70_000),
  '9'.repeat(400),
  '-1',
  '1e309',
  'NaN',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%',
  '%zz',
  '\r\nSet-Cookie: x=1',
  "' OR 1=1 --",
  '"; drop table messages; --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style probe, literally
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'https://shop.example',
  'conv_does_not_exist',
  'thread_123',
  'vwk_000000000000000000000000',
  'itsm_sk_live_000000000000000000000000',
  '00000000-0000-0000-0000-000000000000',
]

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 200, maxLength: 5000 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\u0000${b}`),
  },
)

/** JSON text nested `depth` levels deep (parsers that recurse may overflow their stack). */
export const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -1,
      1.5,
      -0,
      2 ** 53 + 1,
      1e308,
      -1e308,
      true,
      false,
      null,
      [],
      {},
      [null],
      { '': '' },
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.array(fc.string(), { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.object({ maxDepth: 2, maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.constant('x'), { minLength: 1000, maxLength: 3000 }) },
)

/** Values that satisfy `schema` (as far as a generator easily can). */
export function valid(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant(null)
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum)
  const alts = schema.anyOf ?? schema.oneOf
  if (Array.isArray(alts) && alts.length > 0)
    return fc.oneof(...alts.map((s: Schema) => valid(s, depth + 1)))
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= 254)
      if (schema.format === 'uri') return fc.webUrl()
      if (schema.format === 'date-time')
        return fc.date({ noInvalidDate: true }).map((d) => d.toISOString())
      if (typeof schema.pattern === 'string') {
        try {
          return fc
            .stringMatching(new RegExp(schema.pattern))
            .filter(
              (s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? 200),
            )
        } catch {
          // Fall through to a plain string.
        }
      }
      const min = schema.minLength ?? 0
      const max = Math.max(min, Math.min(schema.maxLength ?? 60, 60))
      return fc.string({ minLength: min, maxLength: max })
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 })
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1000,
        max: schema.maximum ?? 1000,
        noNaN: true,
        noDefaultInfinity: true,
      })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return fc.array(valid(schema.items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      })
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>
      const required = new Set<string>(schema.required ?? [])
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [k, s] of Object.entries(props)) model[k] = valid(s, depth + 1)
      if (Object.keys(model).length === 0)
        return schema.additionalProperties
          ? fc.dictionary(
              fc.string({ maxLength: 8 }),
              valid(schema.additionalProperties, depth + 1),
              {
                maxKeys: 3,
              },
            )
          : fc.constant({})
      return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) })
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

type Mutation =
  | { kind: 'drop' }
  | { kind: 'set'; value: unknown }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'replace'; value: unknown }
  | { kind: 'none' }

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), value: nastyValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      key: fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'role', 'tenant', 'is_admin'),
        fc.string({ maxLength: 12 }),
      ),
      value: nastyValue,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), value: nastyValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('none' as const) }) },
)

/** Applies mutations to an object; `pick` chooses the key each one touches. */
export function mutate(value: unknown, muts: Mutation[], picks: number[]): unknown {
  let v = value
  muts.forEach((m, i) => {
    if (m.kind === 'replace') {
      v = m.value
      return
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return
    const o = { ...(v as Record<string, unknown>) }
    const keys = Object.keys(o)
    const key = keys.length > 0 ? keys[picks[i]! % keys.length]! : 'x'
    if (m.kind === 'drop') delete o[key]
    else if (m.kind === 'set') o[key] = m.value
    else if (m.kind === 'extra') {
      // A real own "__proto__" key, as JSON.parse would produce from the wire.
      Object.defineProperty(o, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    v = o
  })
  return v
}

/** Bodies that are not well-formed JSON objects at all. */
export const brokenJson = (valid: string): fc.Arbitrary<{ text: string; what: string }> =>
  fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, valid.length - 1) }).map((n) => ({
      text: valid.slice(0, n),
      what: 'truncated JSON',
    })),
    fc.constantFrom(
      { text: `${valid}}`, what: 'trailing brace' },
      { text: `${valid},{}`, what: 'two values' },
      { text: valid.replace(/"/g, "'"), what: 'single quotes' },
      { text: '{"a":1,}', what: 'trailing comma' },
      { text: '{"a":NaN}', what: 'NaN literal' },
      { text: '{"body":"\\ud800"}', what: 'lone surrogate escape' },
      { text: '{"__proto__":{"isAdmin":true}}', what: '__proto__ key' },
      { text: '{"constructor":{"prototype":{"x":1}}}', what: 'constructor.prototype key' },
      { text: '\u0000', what: 'null byte' },
      { text: '', what: 'empty body' },
      { text: ' ', what: 'blank body' },
      { text: 'null', what: 'JSON null' },
      { text: '[]', what: 'JSON array' },
      { text: '"string"', what: 'JSON string' },
      { text: '12345678901234567890123456789', what: 'huge number' },
      { text: deep(5000), what: 'nested 5,000 deep' },
      {
        text: `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
        what: 'object nested 100,000 deep',
      },
      { text: deep(400_000), what: 'array nested 400,000 deep' },
      { text: `{"body":"${'x'.repeat(1_100_000)}"}`, what: 'over the 1 MB body limit' },
    ),
    fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .map((a) => ({ text: Buffer.from(a).toString('latin1'), what: 'random bytes' })),
  )

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;;',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/xml',
  'application/octet-stream',
  '*/*',
  'application/vnd.api+json',
  'invalid',
  '',
]

export const ODD_ORIGINS = [
  'null',
  '',
  'https://shop.example/',
  'https://shop.example/path',
  'https://SHOP.example',
  'https://shop.example:443',
  'https://shop.example:8443',
  'http://shop.example',
  'https://shop.example.evil.com',
  'https://evilshop.example',
  'https://user:pass@shop.example',
  'file://',
  'javascript:alert(1)',
  'https://xn--80ak6aa92e.com',
  `https://${'a'.repeat(5000)}.example`,
  'https://shop.example, https://evil.example',
  '*',
]

import { ACCENT_THEMES } from '@aurion/contract'
import { Card } from '../components/Card.tsx'
import { Segmented, Toggle } from '../components/Field.tsx'
import { cx } from '../lib/format.ts'
import { ColorField } from './ColorField.tsx'
import { LogoField } from './LogoField.tsx'
import type { DraftTabProps } from './use-config-draft.ts'

/** Base colour of each accent theme, as the widget draws it. */
const ACCENT_SWATCH: Record<(typeof ACCENT_THEMES)[number], [string, string]> = {
  blue: ['#2563eb', '#1e40af'],
  emerald: ['#047857', '#065f46'],
  amber: ['#b45309', '#92400e'],
  slate: ['#334155', '#0f172a'],
}

/** Appearance: launcher position, theme, colours, logo and the "powered by" line. */
export function AppearanceTab({ draft, update, errorFor }: DraftTabProps) {
  const [swatch] = ACCENT_SWATCH[draft.accent_theme] ?? ACCENT_SWATCH.blue
  return (
    <>
      <Card id="launcher-title" title="Launcher and theme">
        <Segmented
          label="Position"
          value={draft.launcher_position}
          onChange={(v) => update({ launcher_position: v })}
          options={[
            { value: 'bottom-right', label: 'Bottom right' },
            { value: 'bottom-left', label: 'Bottom left' },
          ]}
        />
        <Segmented
          label="Theme"
          value={draft.theme}
          onChange={(v) => update({ theme: v })}
          options={[
            { value: 'auto', label: 'Match the visitor' },
            { value: 'light', label: 'Light' },
            { value: 'dark', label: 'Dark' },
          ]}
          hint="“Match the visitor” follows their system’s light or dark setting."
        />
      </Card>

      <Card
        id="colours-title"
        title="Colours"
        description="Pick a preset, or set your brand colours. Text on them stays readable."
      >
        <fieldset class="field">
          <legend class="field-label">Accent preset</legend>
          <div class="swatches">
            {ACCENT_THEMES.map((t) => (
              <label key={t} class={cx('swatch', draft.accent_theme === t && 'active')}>
                <input
                  type="radio"
                  name="accent_theme"
                  value={t}
                  checked={draft.accent_theme === t}
                  onChange={() => update({ accent_theme: t })}
                />
                <span
                  class="swatch-dot"
                  style={{
                    background: `linear-gradient(135deg, ${ACCENT_SWATCH[t][0]}, ${ACCENT_SWATCH[t][1]})`,
                  }}
                  aria-hidden="true"
                />
                <span class="swatch-name">{t[0]!.toUpperCase() + t.slice(1)}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div class="grid-2">
          <ColorField
            label="Primary colour"
            value={draft.primary_color}
            fallback={swatch}
            error={errorFor('primary_color')}
            hint="Launcher, header and the visitor’s messages."
            onChange={(v) => update({ primary_color: v })}
          />
          <ColorField
            label="Accent colour"
            value={draft.accent_color}
            fallback={
              draft.primary_color && /^#[0-9a-f]{3,6}$/i.test(draft.primary_color)
                ? draft.primary_color
                : ACCENT_SWATCH[draft.accent_theme][1]
            }
            error={errorFor('accent_color')}
            hint="The deep end of the header gradient."
            onChange={(v) => update({ accent_color: v })}
          />
        </div>
      </Card>

      <Card id="brand-title" title="Branding">
        <LogoField
          value={draft.logo_url}
          error={errorFor('logo_url')}
          onChange={(v) => update({ logo_url: v })}
        />
        <Toggle
          label="Show “Powered by Aurion”"
          description="A small line at the bottom of the panel."
          checked={draft.show_powered_by}
          onChange={(v) => update({ show_powered_by: v })}
        />
      </Card>
    </>
  )
}

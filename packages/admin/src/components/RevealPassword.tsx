import { Icon } from './Icon.tsx'

/** The eye button inside a password field's affix: shows or hides what was typed. */
export function RevealPassword({
  shown,
  onToggle,
}: {
  shown: boolean
  onToggle(shown: boolean): void
}) {
  return (
    <button
      type="button"
      class="icon-btn affix-btn"
      aria-label={shown ? 'Hide password' : 'Show password'}
      aria-pressed={shown}
      onClick={() => onToggle(!shown)}
    >
      <Icon name={shown ? 'eyeOff' : 'eye'} />
    </button>
  )
}

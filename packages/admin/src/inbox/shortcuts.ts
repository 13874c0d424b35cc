import { useEffect, useRef } from 'preact/hooks'

/** The inbox's keyboard shortcuts, as the help dialog lists them. */
export const SHORTCUTS: { keys: string[]; label: string }[] = [
  { keys: ['j'], label: 'Next conversation' },
  { keys: ['k'], label: 'Previous conversation' },
  { keys: ['1'], label: 'Unassigned queue' },
  { keys: ['2'], label: 'My conversations' },
  { keys: ['3'], label: 'All conversations' },
  { keys: ['/'], label: 'Search' },
  { keys: ['r'], label: 'Write a reply' },
  { keys: ['n'], label: 'Write a private note' },
  { keys: ['a'], label: 'Claim (assign to me)' },
  { keys: ['h'], label: 'Return to the assistant' },
  { keys: ['e'], label: 'Resolve or reopen' },
  { keys: ['g'], label: 'Suggest a reply' },
  { keys: ['Enter'], label: 'Send (in the composer; Shift+Enter for a new line)' },
  { keys: ['Esc'], label: 'Leave the composer' },
  { keys: ['?'], label: 'Show these shortcuts' },
]

export type ShortcutHandlers = Partial<Record<string, () => void>>

const typingIn = (t: EventTarget | null) =>
  t instanceof HTMLElement &&
  (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || !!t.closest('dialog'))

/** Single-key shortcuts, ignored while typing in a field or with a dialog open. */
export function useShortcuts(handlers: ShortcutHandlers): void {
  const ref = useRef(handlers)
  ref.current = handlers
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return
      if (typingIn(e.target) || document.querySelector('dialog[open]')) return
      const fn = ref.current[e.key]
      if (!fn) return
      e.preventDefault()
      fn()
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])
}

import { Modal } from '../components/Modal.tsx'
import { SHORTCUTS } from './shortcuts.ts'

/** The keyboard shortcuts (opened with `?`). */
export function HelpDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Modal
      open={open}
      title="Keyboard shortcuts"
      description="Single keys work when you are not typing in a field."
      size="sm"
      onClose={onClose}
    >
      <dl class="shortcut-list">
        {SHORTCUTS.map((s) => (
          <div key={s.label} class="shortcut-row">
            <dt>
              {s.keys.map((k) => (
                <kbd key={k}>{k}</kbd>
              ))}
            </dt>
            <dd>{s.label}</dd>
          </div>
        ))}
      </dl>
    </Modal>
  )
}

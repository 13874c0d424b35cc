export interface SaveBarProps {
  /** Problems to fix before the draft can be saved. */
  problems: number
  saving: boolean
  onSave: () => void
  onDiscard: () => void
}

/** The bar that appears with unsaved changes: their state, Discard and Save. */
export function SaveBar({ problems, saving, onSave, onDiscard }: SaveBarProps) {
  return (
    <div class="save-bar">
      <div class="save-bar-inner">
        <span class="save-bar-text">
          <span class="dot dot-amber" aria-hidden="true" />
          {problems > 0 ? `Unsaved changes · ${problems} to fix` : 'Unsaved changes'}
        </span>
        <button type="button" class="btn btn-ghost" onClick={onDiscard}>
          Discard
        </button>
        <button
          type="button"
          class="btn btn-primary"
          onClick={onSave}
          disabled={saving}
          aria-busy={saving}
        >
          {saving && <span class="spinner" aria-hidden="true" />}
          {saving ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </div>
  )
}

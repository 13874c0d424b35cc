interface PagerProps {
  /** Accessible name of the navigation, e.g. "Article pages". */
  label: string
  offset: number
  pageSize: number
  total: number
  onOffset(offset: number): void
  prevLabel?: string
  nextLabel?: string
}

/** Previous/next paging with "1–20 of 57"; renders nothing when everything fits on one page. */
export function Pager({
  label,
  offset,
  pageSize,
  total,
  onOffset,
  prevLabel = 'Previous',
  nextLabel = 'Next',
}: PagerProps) {
  if (total <= pageSize) return null
  return (
    <nav class="pager" aria-label={label}>
      <button
        type="button"
        class="btn btn-secondary btn-sm"
        disabled={offset === 0}
        onClick={() => onOffset(Math.max(0, offset - pageSize))}
      >
        {prevLabel}
      </button>
      <span class="muted">
        {offset + 1}–{Math.min(offset + pageSize, total)} of {total}
      </span>
      <button
        type="button"
        class="btn btn-secondary btn-sm"
        disabled={offset + pageSize >= total}
        onClick={() => onOffset(offset + pageSize)}
      >
        {nextLabel}
      </button>
    </nav>
  )
}

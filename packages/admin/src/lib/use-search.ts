import { useEffect, useState } from 'preact/hooks'

/** How long typing pauses before the search runs. */
const SETTLE_MS = 250

/**
 * A paged search: the box's text `q`, the trimmed `query` it settles to once typing pauses, and
 * the page `offset`, back on the first page with each new query.
 */
export function usePagedSearch() {
  const [q, setQ] = useState('')
  const [query, setQuery] = useState('')
  const [offset, setOffset] = useState(0)
  useEffect(() => {
    const t = setTimeout(() => {
      setQuery(q.trim())
      setOffset(0)
    }, SETTLE_MS)
    return () => clearTimeout(t)
  }, [q])
  return { q, setQ, query, offset, setOffset }
}

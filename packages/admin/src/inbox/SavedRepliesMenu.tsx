import { useEffect, useId, useRef, useState } from 'preact/hooks'
import { Icon } from '../components/Icon.tsx'
import { useSavedReplies } from './saved-replies.ts'

/**
 * A popover of saved replies: filter, pick one to insert, save the composer's text as a new
 * one, delete one. Arrow keys move through the list; Escape closes.
 */
export function SavedRepliesMenu({
  userId,
  current,
  onPick,
}: {
  userId: string
  current: string
  onPick: (body: string) => void
}) {
  const [open, setOpen] = useState(false)
  const [filter, setFilter] = useState('')
  const [list, setList] = useSavedReplies(userId)
  const box = useRef<HTMLDivElement>(null)
  const input = useRef<HTMLInputElement>(null)
  const listId = useId()
  useEffect(() => {
    if (!open) return
    input.current?.focus()
    const away = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false)
    }
    addEventListener('mousedown', away)
    return () => removeEventListener('mousedown', away)
  }, [open])
  const f = filter.trim().toLowerCase()
  const shown = list.filter(
    (r) => !f || r.title.toLowerCase().includes(f) || r.body.toLowerCase().includes(f),
  )
  const pick = (body: string) => {
    onPick(body)
    setOpen(false)
    setFilter('')
  }
  const saveCurrent = () => {
    const body = current.trim()
    if (!body) return
    const title = body.split('\n')[0]!.slice(0, 48)
    setList([{ id: `r${Date.now().toString(36)}`, title, body }, ...list])
  }
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape and the arrow keys for the buttons inside
    <div
      class="saved-replies"
      ref={box}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation()
          setOpen(false)
        }
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          const items = [...(box.current?.querySelectorAll<HTMLElement>('.saved-reply-pick') ?? [])]
          if (!items.length) return
          e.preventDefault()
          const i = items.indexOf(document.activeElement as HTMLElement)
          const next = e.key === 'ArrowDown' ? i + 1 : i <= 0 ? items.length - 1 : i - 1
          items[next % items.length]!.focus()
        }
      }}
    >
      <button
        type="button"
        class="btn btn-secondary btn-sm"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen(!open)}
      >
        <Icon name="book" size={14} />
        Saved replies
      </button>
      {open && (
        <div class="saved-replies-pop" id={listId} role="dialog" aria-label="Saved replies">
          <label class="sr-only" for={`${listId}-filter`}>
            Filter saved replies
          </label>
          <input
            id={`${listId}-filter`}
            ref={input}
            class="input input-sm"
            type="search"
            placeholder="Filter…"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && shown[0]) {
                e.preventDefault()
                pick(shown[0].body)
              }
            }}
          />
          <ul class="saved-replies-list">
            {shown.map((r) => (
              <li key={r.id}>
                <button type="button" class="saved-reply-pick" onClick={() => pick(r.body)}>
                  <b>{r.title}</b>
                  <span>{r.body}</span>
                </button>
                <button
                  type="button"
                  class="icon-btn"
                  aria-label={`Delete saved reply ${r.title}`}
                  onClick={() => setList(list.filter((x) => x.id !== r.id))}
                >
                  <Icon name="trash" size={14} />
                </button>
              </li>
            ))}
            {!shown.length && <li class="muted saved-replies-empty">No saved replies match.</li>}
          </ul>
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            disabled={!current.trim()}
            onClick={saveCurrent}
          >
            <Icon name="plus" size={14} />
            Save the current text as a reply
          </button>
        </div>
      )}
    </div>
  )
}

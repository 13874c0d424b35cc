import { cx } from '../lib/format.ts'
import { QUEUES, type QueueId } from './queues.ts'

/** Unassigned / Mine / All, each with how many conversations it holds (open ones). */
export function QueueTabs({
  queue,
  counts,
  onQueue,
}: {
  queue: QueueId
  counts: Partial<Record<QueueId, number>>
  onQueue: (q: QueueId) => void
}) {
  return (
    <div class="queue-tabs" role="tablist" aria-label="Queues">
      {QUEUES.map((q, i) => {
        const n = counts[q.id]
        const active = q.id === queue
        return (
          <button
            key={q.id}
            type="button"
            role="tab"
            id={`queue-${q.id}`}
            aria-selected={active}
            aria-controls="conv-list"
            tabIndex={active ? 0 : -1}
            class={cx('queue-tab', active && 'active')}
            onClick={() => onQueue(q.id)}
            onKeyDown={(e) => {
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
              if (!step) return
              e.preventDefault()
              const next = QUEUES[(i + step + QUEUES.length) % QUEUES.length]!
              onQueue(next.id)
              document.getElementById(`queue-${next.id}`)?.focus()
            }}
          >
            {q.label}
            {n !== undefined && q.id !== 'all' && (
              <span class={cx('queue-count', q.id === 'unassigned' && n > 0 && 'hot')}>
                {n}
                <span class="sr-only"> open</span>
              </span>
            )}
          </button>
        )
      })}
    </div>
  )
}

import type { ComponentChildren } from 'preact'
import { cx } from '../lib/format.ts'
import type { AsyncState } from '../lib/use-async.ts'
import { LoadError, Loading } from './Bits.tsx'

export interface ListCardProps {
  /** Id of the card's heading; the section is labelled by it. */
  id: string
  title: ComponentChildren
  /** A line under the title. */
  description?: ComponentChildren
  /** Controls at the right of the heading (a filter, buttons). */
  actions?: ComponentChildren
  class?: string
  /** The list's load: a failure before any data shows with a retry. */
  list: Pick<AsyncState<unknown>, 'data' | 'error' | 'loading' | 'reload'>
  /**
   * Placeholder bars announced with this label until the first data, and the section busy while
   * the list (re)loads; neither without it.
   */
  loading?: { label: string; lines?: number }
  /** Whether the loaded list has nothing to show. */
  empty: boolean
  /** What stands instead of the list when it is loaded and empty. */
  emptyState?: ComponentChildren
  /** The list, shown when it is not empty. */
  children: ComponentChildren
  /** Below the list (paging). */
  footer?: ComponentChildren
}

/**
 * A flush card holding one loaded list: heading with its controls, then a load error with retry,
 * the loading placeholder, the empty state or the list.
 */
export function ListCard(p: ListCardProps) {
  const { list } = p
  return (
    <section
      class={cx('card card-flush', p.class)}
      aria-labelledby={p.id}
      aria-busy={p.loading && list.loading}
    >
      <header class="card-head card-head-pad">
        <div>
          <h2 id={p.id}>{p.title}</h2>
          {p.description && <p>{p.description}</p>}
        </div>
        {p.actions}
      </header>
      {list.error && !list.data && (
        <LoadError message={list.error} onRetry={() => void list.reload()} />
      )}
      {p.loading && !list.data && !list.error && (
        <Loading label={p.loading.label} lines={p.loading.lines} />
      )}
      {list.data !== undefined && p.empty && p.emptyState}
      {list.data !== undefined && !p.empty && p.children}
      {p.footer}
    </section>
  )
}

/** A column heading: its text, or its text and a class (e.g. one hidden on phones). */
export type Column = string | { label: string; class: string }

/** A table in its scrolling wrapper; the last column, unlabelled on screen, holds row actions. */
export function DataTable({
  class: className,
  columns,
  children,
}: {
  class?: string
  columns: readonly Column[]
  /** The rows. */
  children: ComponentChildren
}) {
  return (
    <div class="table-wrap">
      <table class={cx('table', className)}>
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.label} scope="col" class={c.class}>
                  {c.label}
                </th>
              ),
            )}
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

/** A small text button in a row ("Edit", "Remove"); `label` names what it acts on. */
export function RowButton({
  label,
  danger,
  onClick,
  children,
}: {
  label: string
  /** Red, for removing and revoking. */
  danger?: boolean
  onClick: () => void
  children: ComponentChildren
}) {
  return (
    <button
      type="button"
      class={cx('btn btn-ghost btn-sm', danger && 'danger-text')}
      aria-label={label}
      onClick={onClick}
    >
      {children}
    </button>
  )
}

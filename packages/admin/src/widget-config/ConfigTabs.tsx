import { useMemo } from 'preact/hooks'
import { cx } from '../lib/format.ts'
import { TABS, type TabId, tabOf } from './tabs.ts'

export interface ConfigTabsProps {
  tab: TabId
  onSelect: (tab: TabId) => void
  /** Problems by field path: each tab shows how many of them it holds. */
  errors: Record<string, string>
}

/** The settings tabs: arrow keys move between them, each counts the problems it holds. */
export function ConfigTabs({ tab, onSelect, errors }: ConfigTabsProps) {
  const counts = useMemo(() => {
    const c: Partial<Record<TabId, number>> = {}
    for (const path of Object.keys(errors)) {
      const t = tabOf(path)
      c[t] = (c[t] ?? 0) + 1
    }
    return c
  }, [errors])
  return (
    <div class="tabs" role="tablist" aria-label="Widget settings">
      {TABS.map((t, i) => {
        const n = counts[t.id] ?? 0
        return (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            class={cx('tab', tab === t.id && 'active')}
            onClick={() => onSelect(t.id)}
            onKeyDown={(e) => {
              const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0
              if (!d) return
              e.preventDefault()
              const next = TABS[(i + d + TABS.length) % TABS.length]!
              onSelect(next.id)
              document.getElementById(`tab-${next.id}`)?.focus()
            }}
          >
            {t.label}
            {n > 0 && (
              <span class="tab-badge" title={`${n} to fix`}>
                {n}
                <span class="sr-only"> {n === 1 ? 'problem' : 'problems'}</span>
              </span>
            )}
          </button>
        )
      })}
    </div>
  )
}

import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { cx } from '../lib/format.ts'
import { toast } from '../lib/toast.ts'
import { Icon, type IconName } from './Icon.tsx'

/** Copies text; the browser's clipboard API first, a hidden selection where it is unavailable. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    const ta = document.createElement('textarea')
    ta.value = text
    ta.setAttribute('readonly', '')
    ta.style.position = 'fixed'
    ta.style.opacity = '0'
    document.body.appendChild(ta)
    ta.select()
    const ok = document.execCommand('copy')
    ta.remove()
    return ok
  }
}

export interface CopyButtonProps {
  text: string
  label?: string
  /** What the toast calls the copied thing ("Snippet", "API key"). */
  what?: string
  variant?: 'secondary' | 'primary' | 'ghost'
  small?: boolean
}

/** A button that copies `text` and confirms with a check mark and a toast. */
export function CopyButton({
  text,
  label = 'Copy',
  what = 'Text',
  variant = 'secondary',
  small,
}: CopyButtonProps) {
  const [done, setDone] = useState(false)
  const timer = useRef<ReturnType<typeof setTimeout>>()
  useEffect(() => () => clearTimeout(timer.current), [])
  return (
    <button
      type="button"
      class={cx('btn', `btn-${variant}`, small && 'btn-sm')}
      onClick={async () => {
        if (await copyText(text)) {
          setDone(true)
          toast.success(`${what} copied to the clipboard`)
          clearTimeout(timer.current)
          timer.current = setTimeout(() => setDone(false), 2000)
        } else toast.error('Copy failed: select the text and copy it by hand')
      }}
    >
      <Icon name={done ? 'check' : 'copy'} size={16} />
      {done ? 'Copied' : label}
    </button>
  )
}

export interface EmptyStateProps {
  icon: IconName
  title: string
  children?: ComponentChildren
  action?: ComponentChildren
}

/** What a list shows when there is nothing in it yet, with the next step. */
export function EmptyState({ icon, title, children, action }: EmptyStateProps) {
  return (
    <div class="empty">
      <div class="empty-icon">
        <Icon name={icon} size={22} />
      </div>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action && <div class="empty-action">{action}</div>}
    </div>
  )
}

/** Grey placeholder bars while content loads. */
export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div class="skeleton" aria-hidden="true">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} class="skeleton-line" style={{ width: `${90 - ((i * 17) % 40)}%` }} />
      ))}
    </div>
  )
}

/** A loading region announced to screen readers. */
export function Loading({ label = 'Loading…', lines = 4 }: { label?: string; lines?: number }) {
  return (
    <div role="status" class="loading">
      <span class="sr-only">{label}</span>
      <Skeleton lines={lines} />
    </div>
  )
}

/** A failed load, with a retry. */
export function LoadError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div class="load-error" role="alert">
      <Icon name="alert" />
      <span>{message}</span>
      <button type="button" class="btn btn-secondary btn-sm" onClick={onRetry}>
        <Icon name="refresh" size={16} />
        Retry
      </button>
    </div>
  )
}

/** A failure above a form or in a dialog, announced at once. */
export function ErrorBanner({ children }: { children: ComponentChildren }) {
  return (
    <p class="banner banner-error" role="alert">
      <Icon name="alert" size={16} />
      {children}
    </p>
  )
}

export function Badge({
  tone = 'neutral',
  children,
}: {
  tone?: 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'violet'
  children: ComponentChildren
}) {
  return <span class={`badge badge-${tone}`}>{children}</span>
}

export interface PageHeaderProps {
  title: string
  description?: ComponentChildren
  actions?: ComponentChildren
  breadcrumb?: string
}

export function PageHeader({ title, description, actions, breadcrumb }: PageHeaderProps) {
  return (
    <header class="page-head">
      <div>
        {breadcrumb && <p class="breadcrumb">{breadcrumb}</p>}
        <h1>{title}</h1>
        {description && <p class="page-desc">{description}</p>}
      </div>
      {actions && <div class="page-actions">{actions}</div>}
    </header>
  )
}

import type { ComponentChildren } from 'preact'

interface AuthCardProps {
  title: string
  /** A line or two under the title. */
  intro?: ComponentChildren
  children: ComponentChildren
}

/** The card of the pages shown before the console (sign in, accept an invitation). */
export function AuthCard({ title, intro, children }: AuthCardProps) {
  return (
    <main class="login">
      <div class="login-card">
        <div class="login-brand">
          <span class="brand-mark brand-mark-lg" aria-hidden="true">
            A
          </span>
          <h1>{title}</h1>
          {intro}
        </div>
        {children}
      </div>
    </main>
  )
}

import type { ComponentChildren } from 'preact'

export interface CardProps {
  /** Id of the card's heading; the section is labelled by it. */
  id: string
  title: ComponentChildren
  /** One line under the title. */
  description?: ComponentChildren
  children: ComponentChildren
}

/** A titled section of a settings page: a white card with a heading and an optional line. */
export function Card({ id, title, description, children }: CardProps) {
  return (
    <section class="card" aria-labelledby={id}>
      <header class="card-head">
        <div>
          <h2 id={id}>{title}</h2>
          {description !== undefined && <p>{description}</p>}
        </div>
      </header>
      {children}
    </section>
  )
}

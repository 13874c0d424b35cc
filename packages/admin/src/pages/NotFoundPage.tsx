import { EmptyState } from '../components/Bits.tsx'
import { BASE, linkClick } from '../lib/router.ts'

export function NotFoundPage() {
  return (
    <div class="page">
      <EmptyState
        icon="search"
        title="This page does not exist"
        action={
          <a class="btn btn-primary" href={`${BASE}/widget`} onClick={linkClick('/widget')}>
            Go to Voice Widget settings
          </a>
        }
      >
        The link may be out of date.
      </EmptyState>
    </div>
  )
}

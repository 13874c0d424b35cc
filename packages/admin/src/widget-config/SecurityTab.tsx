import { Card } from '../components/Card.tsx'
import { IdentitySection } from './IdentitySection.tsx'
import { OriginsEditor } from './OriginsEditor.tsx'
import type { DraftTabProps } from './use-config-draft.ts'

/** Access & security: the allowed origins and the visitor identity settings. */
export function SecurityTab({ draft, update, errorFor }: DraftTabProps) {
  return (
    <>
      <Card
        id="origins-title"
        title="Allowed origins"
        description="The widget loads only on these sites. Requests from anywhere else are refused with 403."
      >
        <OriginsEditor
          origins={draft.allowed_origins}
          onChange={(o) => update({ allowed_origins: o })}
          errorFor={errorFor}
        />
      </Card>
      <IdentitySection draft={draft} update={update} />
    </>
  )
}

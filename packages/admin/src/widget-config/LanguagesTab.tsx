import { Card } from '../components/Card.tsx'
import type { Draft } from './draft.ts'
import { TranslationsEditor } from './TranslationsEditor.tsx'
import type { DraftTabProps } from './use-config-draft.ts'

export interface LanguagesTabProps extends DraftTabProps {
  /** Locales shown, including ones added but not yet filled in. */
  locales: string[]
  setLocales: (locales: string[]) => void
  onPreviewLocale: (locale: string) => void
}

/** Languages: the texts of the Content tab per locale. */
export function LanguagesTab({
  draft,
  update,
  errorFor,
  locales,
  setLocales,
  onPreviewLocale,
}: LanguagesTabProps) {
  return (
    <Card
      id="lang-title"
      title="Languages"
      description="The widget speaks the visitor’s browser language when you add it here, and falls back to the texts on the Content tab."
    >
      <TranslationsEditor
        draft={draft}
        onChange={(d) => {
          // The editor hands back a whole draft: pass on only what it changed.
          const changed = Object.keys(d).filter(
            (k) => d[k as keyof Draft] !== draft[k as keyof Draft],
          ) as (keyof Draft)[]
          update(Object.fromEntries(changed.map((k) => [k, d[k]])) as Partial<Draft>)
        }}
        errorFor={errorFor}
        pending={locales}
        setPending={setLocales}
        onPreviewLocale={onPreviewLocale}
      />
    </Card>
  )
}

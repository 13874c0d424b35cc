import type { VoiceWidgetConfigResponse } from '@aurion/contract'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ApiRequestError, type FieldIssue } from '../api/client.ts'
import { endpoints } from '../api/endpoints.ts'
import { useApp } from '../lib/app-context.ts'
import { setNavigationGuard } from '../lib/router.ts'
import { toast } from '../lib/toast.ts'
import { errorMessage, useAsync } from '../lib/use-async.ts'
import {
  type Draft,
  draftFromResponse,
  draftLocales,
  issuePath,
  sameDraft,
  toUpdate,
  validateDraft,
} from './draft.ts'

/** What every settings tab gets: the draft, a way to change it, and the problem of a field. */
export interface DraftTabProps {
  draft: Draft
  update: (patch: Partial<Draft>) => void
  errorFor: (path: string) => string | undefined
}

export interface ConfigDraftOptions {
  /** A save was refused (in the browser or with a 422): the path of the first problem. */
  onProblemAt: (path: string) => void
  /** The draft was saved. */
  onSaved: () => void
}

export interface ConfigDraft {
  /** The server's last answer (keys, snippet, identity secret); undefined until loaded. */
  server: VoiceWidgetConfigResponse | undefined
  loadError: string | undefined
  reload: () => void
  /** The config as saved, and as edited; both undefined until loaded. */
  saved: Draft | undefined
  draft: Draft | undefined
  dirty: boolean
  saving: boolean
  /** Problems the browser finds, checked as the server checks them. */
  clientIssues: FieldIssue[]
  /** Message per field path (`allowed_origins.2`): the browser's, the server's 422 on top. */
  errors: Record<string, string>
  errorFor: (path: string) => string | undefined
  update: (patch: Partial<Draft>) => void
  save: () => Promise<void>
  /** Back to the saved config. */
  discard: () => void
  /** Locales the Languages tab shows: those with texts, plus ones added but still empty. */
  locales: string[]
  setLocales: (locales: string[]) => void
  /** Takes a new server answer (key regenerated, secret rotated) without touching the draft. */
  setServer: (next: VoiceWidgetConfigResponse) => void
}

/**
 * The widget config being edited: loaded once, changed field by field, validated in the browser
 * as the server validates it, saved whole (Ctrl/Cmd-S too). Leaving with unsaved changes asks
 * first.
 */
export function useConfigDraft({ onProblemAt, onSaved }: ConfigDraftOptions): ConfigDraft {
  const { api } = useApp()
  const cfg = useAsync(() => api.send<VoiceWidgetConfigResponse>(endpoints.getConfig()), [api])
  const [saved, setSaved] = useState<Draft | undefined>(undefined)
  const [draft, setDraft] = useState<Draft | undefined>(undefined)
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({})
  const [locales, setLocales] = useState<string[]>([])
  const [saving, setSaving] = useState(false)
  // The server answer the draft was made from: later answers (a new key) must not reset it.
  const loadedFor = useRef<VoiceWidgetConfigResponse | undefined>(undefined)

  useEffect(() => {
    if (!cfg.data || loadedFor.current === cfg.data) return
    const first = loadedFor.current === undefined
    loadedFor.current = cfg.data
    if (first) {
      const d = draftFromResponse(cfg.data)
      setSaved(d)
      setDraft(d)
      setLocales(draftLocales(d))
    }
  }, [cfg.data])

  const dirty = draft !== undefined && saved !== undefined && !sameDraft(draft, saved)
  const dirtyRef = useRef(dirty)
  dirtyRef.current = dirty

  useEffect(() => {
    const off = setNavigationGuard(
      () => !dirtyRef.current || confirm('You have unsaved changes. Leave and discard them?'),
    )
    const onUnload = (e: BeforeUnloadEvent) => {
      if (dirtyRef.current) e.preventDefault()
    }
    addEventListener('beforeunload', onUnload)
    return () => {
      off()
      removeEventListener('beforeunload', onUnload)
    }
  }, [])

  const clientIssues = useMemo(() => (draft ? validateDraft(draft) : []), [draft])
  const errors = useMemo(() => {
    const m: Record<string, string> = {}
    for (const i of clientIssues) m[issuePath(i.loc)] ??= i.msg
    return { ...m, ...serverIssues }
  }, [clientIssues, serverIssues])

  const update = (patch: Partial<Draft>) => {
    setDraft((d) => (d ? { ...d, ...patch } : d))
    // A server complaint about a field goes once the field is edited.
    const touched = Object.keys(patch)
    setServerIssues((s) => {
      const next = { ...s }
      let changed = false
      for (const k of Object.keys(next)) {
        if (touched.includes(k.split('.')[0]!)) {
          delete next[k]
          changed = true
        }
      }
      return changed ? next : s
    })
  }

  const setServer = (next: VoiceWidgetConfigResponse) => {
    loadedFor.current = next
    cfg.setData(next)
  }

  const save = async () => {
    if (!draft || saving) return
    if (clientIssues.length > 0) {
      onProblemAt(issuePath(clientIssues[0]!.loc))
      toast.error(
        `Fix ${clientIssues.length === 1 ? 'the highlighted problem' : `${clientIssues.length} problems`} before saving`,
      )
      return
    }
    setSaving(true)
    try {
      const res = await api.send<VoiceWidgetConfigResponse>(endpoints.putConfig(toUpdate(draft)))
      const d = draftFromResponse(res)
      setServer(res)
      setSaved(d)
      setDraft(d)
      setServerIssues({})
      toast.success('Widget settings saved. Sites with the snippet use them now.')
      onSaved()
    } catch (err) {
      if (err instanceof ApiRequestError && err.status === 422 && err.issues.length > 0) {
        const m: Record<string, string> = {}
        for (const i of err.issues) m[issuePath(i.loc)] ??= i.msg
        setServerIssues(m)
        onProblemAt(issuePath(err.issues[0]!.loc))
        toast.error(`Not saved: ${err.detail}`)
      } else toast.error(`Not saved: ${errorMessage(err)}`)
    } finally {
      setSaving(false)
    }
  }

  const discard = () => {
    if (!saved) return
    setDraft(saved)
    setServerIssues({})
    setLocales(draftLocales(saved))
  }

  const saveRef = useRef(save)
  saveRef.current = save
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 's') {
        e.preventDefault()
        void saveRef.current()
      }
    }
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [])

  return {
    server: cfg.data,
    loadError: cfg.error,
    reload: () => void cfg.reload(),
    saved,
    draft,
    dirty,
    saving,
    clientIssues,
    errors,
    errorFor: (path) => errors[path],
    update,
    save,
    discard,
    locales,
    setLocales,
    setServer,
  }
}

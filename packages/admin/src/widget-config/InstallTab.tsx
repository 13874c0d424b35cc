import type {
  GaReadinessResponse,
  RegenerateKeyResponse,
  VoiceWidgetConfigResponse,
} from '@aurion/contract'
import { endpoints } from '../api/endpoints.ts'
import { useApp } from '../lib/app-context.ts'
import { toast } from '../lib/toast.ts'
import { type AsyncState, errorMessage } from '../lib/use-async.ts'
import { InstallPanel, ReadinessPanel } from './InstallPanel.tsx'
import type { TabId } from './tabs.ts'

export interface InstallTabProps {
  server: VoiceWidgetConfigResponse
  /** Unsaved changes: the snippet does not carry them yet. */
  dirty: boolean
  readiness: AsyncState<GaReadinessResponse>
  onFix: (tab: TabId) => void
  /** A new public key was issued: the server's answer with it. */
  onKeyRegenerated: (next: VoiceWidgetConfigResponse) => void
}

/** Install: the GA readiness checks, the embed snippet and the public key's regeneration. */
export function InstallTab({ server, dirty, readiness, onFix, onKeyRegenerated }: InstallTabProps) {
  const { api } = useApp()
  return (
    <>
      <ReadinessPanel
        readiness={readiness.data}
        error={readiness.error}
        loading={readiness.loading}
        onRetry={() => void readiness.reload()}
        onFix={onFix}
      />
      <InstallPanel
        config={server}
        dirty={dirty}
        onRegenerate={async () => {
          try {
            const res = await api.send<RegenerateKeyResponse>(endpoints.regenerateKey())
            onKeyRegenerated({ ...server, ...res })
            toast.success('New public key issued. Paste the new snippet on your sites.')
          } catch (err) {
            toast.error(`Key not regenerated: ${errorMessage(err)}`)
            throw err
          }
        }}
      />
    </>
  )
}

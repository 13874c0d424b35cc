import type {
  GaReadinessCheck,
  GaReadinessCheckName,
  GaReadinessResponse,
  WidgetConfig,
} from '@aurion/contract'
import type { Agent } from '../../agent/agent.ts'
import type { Config } from '../../config.ts'

const pass = (details: Record<string, unknown> = {}, reason: string | null = null) => ({
  passed: true,
  reason,
  details,
})
const fail = (reason: string, details: Record<string, unknown> = {}) => ({
  passed: false,
  reason,
  details,
})

/**
 * Is the widget ready to embed? Each check says why it fails in words an admin can act on.
 * `agent.check()` may reach out to an LLM provider; its failure is a failed check, not an error.
 */
export async function gaReadiness(
  widget: WidgetConfig,
  config: Config,
  agent: Agent,
): Promise<GaReadinessResponse> {
  const checks: Record<GaReadinessCheckName, GaReadinessCheck> = {
    allowed_origins_configured:
      widget.allowed_origins.length > 0
        ? pass({ count: widget.allowed_origins.length, origins: widget.allowed_origins })
        : fail(
            'No allowed origins: add the origin of each site that embeds the widget (e.g. https://example.com) to allowed_origins',
            { count: 0, origins: [] },
          ),
    widget_enabled: widget.enabled
      ? pass({ enabled: true })
      : fail('The widget is disabled: set enabled to true', { enabled: false }),
    voice_configured: voiceCheck(widget, config),
    agent_configured: await agentCheck(agent),
  }
  const failed = Object.entries(checks)
    .filter(([, c]) => !c.passed)
    .map(([name]) => name)
  return { ready: failed.length === 0, failed_checks: failed, checks }
}

/** The voice set-up guide this server serves (docs/voice.md). */
export const VOICE_GUIDE = '/docs/voice'

/**
 * Voice passes in every mode: with LiveKit, or (a warning: `details.warning` is true) on the
 * browser's own speech recognition and synthesis when the server has no LiveKit settings.
 */
function voiceCheck(widget: WidgetConfig, config: Config): GaReadinessCheck {
  const lk = config.livekit
  if (widget.mode === 'chat') {
    return pass({ mode: 'chat' }, 'Voice is off (mode is "chat"): no LiveKit settings needed')
  }
  const missing = [
    lk.url === undefined ? 'LIVEKIT_URL' : undefined,
    lk.apiKey === undefined ? 'LIVEKIT_API_KEY' : undefined,
    lk.apiSecret === undefined ? 'LIVEKIT_API_SECRET' : undefined,
  ].filter((v): v is string => v !== undefined)
  if (missing.length > 0) {
    // Calls still work in browsers with the Web Speech API: a warning, not a failure.
    return pass(
      { mode: widget.mode, voice: 'browser_speech', missing, warning: true, guide: VOICE_GUIDE },
      `Calls use the visitor's browser for speech (Chrome, Edge, Safari; Firefox visitors chat). For voice in every browser, set ${missing.join(', ')} and run the voice agent worker (${VOICE_GUIDE}), or switch mode to "chat"`,
    )
  }
  return pass({ mode: widget.mode, voice: 'livekit', livekit_url: lk.url })
}

/** A provider that hangs must not hang the readiness answer. */
const AGENT_CHECK_TIMEOUT_MS = 5000

async function agentCheck(agent: Agent): Promise<GaReadinessCheck> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${AGENT_CHECK_TIMEOUT_MS / 1000} s`)),
      AGENT_CHECK_TIMEOUT_MS,
    )
  })
  try {
    const r = await Promise.race([agent.check(), timeout])
    return r.ok
      ? pass({ kind: agent.kind })
      : fail(r.reason ?? 'The AI agent is not ready', { kind: agent.kind })
  } catch (err) {
    return fail(`The AI agent check failed: ${err instanceof Error ? err.message : String(err)}`, {
      kind: agent.kind,
    })
  } finally {
    clearTimeout(timer)
  }
}

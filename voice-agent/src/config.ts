export type SttProvider = 'openai' | 'deepgram'
export type TtsProvider = 'openai' | 'elevenlabs' | 'deepgram'
export type TurnDetection = 'vad' | 'stt'
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'

/** Validated worker configuration, built once by {@link loadVoiceConfig} and frozen. */
export interface VoiceConfig {
  readonly livekit: {
    readonly url: string
    readonly apiKey: string
    readonly apiSecret: string
  }
  /** Must equal the server's `AURION_VOICE_AGENT_NAME`: the name tokens dispatch to. */
  readonly agentName: string
  /** Base URL of the Aurion server's internal API, without a trailing slash. */
  readonly internalUrl: string
  readonly internalToken: string
  readonly stt: {
    readonly provider: SttProvider
    readonly model: string | undefined
    readonly language: string
  }
  readonly tts: {
    readonly provider: TtsProvider
    readonly model: string | undefined
    readonly voice: string | undefined
  }
  readonly openai: { readonly apiKey: string | undefined; readonly baseUrl: string | undefined }
  readonly deepgramApiKey: string | undefined
  readonly elevenlabsApiKey: string | undefined
  readonly turnDetection: TurnDetection
  /** Speech shorter than this does not interrupt the agent (barge-in threshold). */
  readonly minInterruptionMs: number
  /** Leave a room nobody joined (or everybody left) after this many milliseconds. */
  readonly emptyRoomTimeoutMs: number
  /** A phone caller leaving a message is hung up on after this many milliseconds. */
  readonly phoneMessageTimeoutMs: number
  /** How often the worker reports itself to the server's readiness check. */
  readonly heartbeatIntervalMs: number
  /** Port of the worker's own health endpoint (LiveKit Agents' HTTP server). */
  readonly httpPort: number
  readonly logLevel: LogLevel
  /** Spoken when the tenant has no welcome text. */
  readonly defaultGreeting: string
}

export class VoiceConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid voice agent configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'VoiceConfigError'
  }
}

const STT_PROVIDERS: readonly SttProvider[] = ['openai', 'deepgram']
const TTS_PROVIDERS: readonly TtsProvider[] = ['openai', 'elevenlabs', 'deepgram']
const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal']

type Env = Record<string, string | undefined>

/**
 * Reads and validates every variable the worker uses, reporting all problems together.
 * @throws VoiceConfigError listing every problem found.
 */
export function loadVoiceConfig(env: Env = process.env): VoiceConfig {
  const problems: string[] = []
  const val = (name: string): string | undefined => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? undefined : v.trim()
  }
  const required = (name: string): string => {
    const v = val(name)
    if (v === undefined) problems.push(`${name} is required`)
    return v ?? ''
  }
  const url = (name: string, protocols: string[], def?: string): string | undefined => {
    const raw = val(name) ?? def
    if (raw === undefined) return undefined
    try {
      const u = new URL(raw)
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got "${raw}")`)
        return undefined
      }
      return raw.replace(/\/+$/, '')
    } catch {
      problems.push(`${name} is not a valid URL (got "${raw}")`)
      return undefined
    }
  }
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = val(name)
    if (raw === undefined) return def
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`)
      return def
    }
    return n
  }
  const oneOf = <T extends string>(name: string, allowed: readonly T[], def: T): T => {
    const raw = val(name)?.toLowerCase()
    if (raw === undefined) return def
    if ((allowed as readonly string[]).includes(raw)) return raw as T
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`)
    return def
  }

  const livekitUrl = url('LIVEKIT_URL', ['ws:', 'wss:', 'http:', 'https:'])
  if (val('LIVEKIT_URL') === undefined) problems.push('LIVEKIT_URL is required')
  const livekitApiKey = required('LIVEKIT_API_KEY')
  const livekitApiSecret = required('LIVEKIT_API_SECRET')

  const agentName = val('AURION_VOICE_AGENT_NAME') ?? 'aurion-voice-agent'
  const internalUrl = url('AURION_INTERNAL_URL', ['http:', 'https:'], 'http://127.0.0.1:8080')
  const internalToken = required('AURION_INTERNAL_TOKEN')
  if (internalToken !== '' && internalToken.length < 32)
    problems.push('AURION_INTERNAL_TOKEN must be at least 32 characters')

  const sttProvider = oneOf('VOICE_STT_PROVIDER', STT_PROVIDERS, 'openai')
  const ttsProvider = oneOf('VOICE_TTS_PROVIDER', TTS_PROVIDERS, 'openai')
  const openaiApiKey = val('OPENAI_API_KEY')
  const openaiBaseUrl = url('OPENAI_BASE_URL', ['http:', 'https:'])
  const deepgramApiKey = val('DEEPGRAM_API_KEY')
  const elevenlabsApiKey = val('ELEVEN_API_KEY') ?? val('ELEVENLABS_API_KEY')
  const needs = (provider: string, key: string | undefined, variable: string) => {
    if ((sttProvider === provider || ttsProvider === provider) && key === undefined)
      problems.push(`${variable} is required for the ${provider} speech provider`)
  }
  needs('openai', openaiApiKey, 'OPENAI_API_KEY')
  needs('deepgram', deepgramApiKey, 'DEEPGRAM_API_KEY')
  needs('elevenlabs', elevenlabsApiKey, 'ELEVEN_API_KEY')

  const config: VoiceConfig = {
    livekit: { url: livekitUrl ?? '', apiKey: livekitApiKey, apiSecret: livekitApiSecret },
    agentName,
    internalUrl: internalUrl ?? '',
    internalToken,
    stt: {
      provider: sttProvider,
      model: val('VOICE_STT_MODEL'),
      language: val('VOICE_LANGUAGE') ?? 'en',
    },
    tts: { provider: ttsProvider, model: val('VOICE_TTS_MODEL'), voice: val('VOICE_TTS_VOICE') },
    openai: { apiKey: openaiApiKey, baseUrl: openaiBaseUrl },
    deepgramApiKey,
    elevenlabsApiKey,
    turnDetection: oneOf('VOICE_TURN_DETECTION', ['vad', 'stt'] as const, 'vad'),
    minInterruptionMs: int('VOICE_MIN_INTERRUPTION_MS', 500, 0, 10_000),
    emptyRoomTimeoutMs: int('VOICE_EMPTY_ROOM_TIMEOUT_S', 60, 1, 3600) * 1000,
    phoneMessageTimeoutMs: int('VOICE_PHONE_MESSAGE_TIMEOUT_S', 120, 10, 3600) * 1000,
    heartbeatIntervalMs: int('VOICE_HEARTBEAT_INTERVAL_S', 15, 1, 300) * 1000,
    httpPort: int('VOICE_AGENT_HTTP_PORT', 8081, 1, 65535),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    defaultGreeting: val('VOICE_DEFAULT_GREETING') ?? 'Hi! How can I help you today?',
  }
  if (problems.length > 0) throw new VoiceConfigError(problems)
  return deepFreeze(config)
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') deepFreeze(v)
  return Object.freeze(o)
}

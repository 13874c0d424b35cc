import { describe, expect, it } from 'vitest'
import { loadVoiceConfig, VoiceConfigError } from './config.ts'

const TOKEN = 'internal-token-0123456789abcdef0123456789'
const BASE = {
  LIVEKIT_URL: 'wss://lk.example.com',
  LIVEKIT_API_KEY: 'APIkey',
  LIVEKIT_API_SECRET: 'secret',
  AURION_INTERNAL_TOKEN: TOKEN,
  OPENAI_API_KEY: 'sk-test',
}

function problems(env: Record<string, string>): string[] {
  try {
    loadVoiceConfig(env)
  } catch (err) {
    if (err instanceof VoiceConfigError) return err.problems
    throw err
  }
  return []
}

describe('loadVoiceConfig', () => {
  it('defaults: OpenAI speech, the server default agent name, VAD turns, local server', () => {
    const c = loadVoiceConfig(BASE)
    expect(c.agentName).toBe('aurion-voice-agent')
    expect(c.internalUrl).toBe('http://127.0.0.1:8080')
    expect(c.stt.provider).toBe('openai')
    expect(c.tts.provider).toBe('openai')
    expect(c.turnDetection).toBe('vad')
    expect(c.minInterruptionMs).toBe(500)
    expect(c.emptyRoomTimeoutMs).toBe(60_000)
    expect(Object.isFrozen(c) && Object.isFrozen(c.stt)).toBe(true)
  })

  it('reports every problem at once', () => {
    const p = problems({ VOICE_STT_PROVIDER: 'whisper', AURION_INTERNAL_URL: 'ftp://x' })
    expect(p).toEqual(
      expect.arrayContaining([
        'LIVEKIT_URL is required',
        'LIVEKIT_API_KEY is required',
        'LIVEKIT_API_SECRET is required',
        'AURION_INTERNAL_TOKEN is required',
        'VOICE_STT_PROVIDER must be one of openai, deepgram (got "whisper")',
        'AURION_INTERNAL_URL must use http: or https: (got "ftp://x")',
      ]),
    )
  })

  it('refuses a short internal token', () => {
    expect(problems({ ...BASE, AURION_INTERNAL_TOKEN: 'short' })).toEqual([
      'AURION_INTERNAL_TOKEN must be at least 32 characters',
    ])
  })

  it('requires the key of each chosen provider, and only those', () => {
    const env = { ...BASE, VOICE_STT_PROVIDER: 'deepgram', VOICE_TTS_PROVIDER: 'elevenlabs' }
    const { OPENAI_API_KEY: _, ...noOpenai } = env
    expect(problems(noOpenai)).toEqual([
      'DEEPGRAM_API_KEY is required for the deepgram speech provider',
      'ELEVEN_API_KEY is required for the elevenlabs speech provider',
    ])
    const c = loadVoiceConfig({ ...noOpenai, DEEPGRAM_API_KEY: 'dg', ELEVEN_API_KEY: 'el' })
    expect([c.stt.provider, c.tts.provider]).toEqual(['deepgram', 'elevenlabs'])
  })

  it('validates numbers and trims trailing slashes', () => {
    expect(problems({ ...BASE, VOICE_MIN_INTERRUPTION_MS: '-1' })).toEqual([
      'VOICE_MIN_INTERRUPTION_MS must be an integer from 0 to 10000 (got "-1")',
    ])
    expect(
      loadVoiceConfig({ ...BASE, AURION_INTERNAL_URL: 'https://aurion.internal/' }).internalUrl,
    ).toBe('https://aurion.internal')
  })
})

import type { stt, tts } from '@livekit/agents'
import type { VoiceConfig } from './config.ts'

/**
 * The configured speech-to-text and text-to-speech plugins. Providers are imported on demand so
 * an unused provider costs nothing at start.
 */
export async function createSpeechPlugins(
  config: VoiceConfig,
): Promise<{ stt: stt.STT; tts: tts.TTS }> {
  return { stt: await createStt(config), tts: await createTts(config) }
}

async function createStt(config: VoiceConfig): Promise<stt.STT> {
  const { provider, model, language } = config.stt
  switch (provider) {
    case 'openai': {
      const openai = await import('@livekit/agents-plugin-openai')
      return new openai.STT({
        apiKey: config.openai.apiKey,
        ...(config.openai.baseUrl ? { baseURL: config.openai.baseUrl } : {}),
        ...(model ? { model } : {}),
        language,
      })
    }
    case 'deepgram': {
      const deepgram = await import('@livekit/agents-plugin-deepgram')
      return new deepgram.STT({
        apiKey: config.deepgramApiKey,
        ...(model ? { model: model as never } : {}),
        language,
      })
    }
  }
}

async function createTts(config: VoiceConfig): Promise<tts.TTS> {
  const { provider, model, voice } = config.tts
  switch (provider) {
    case 'openai': {
      const openai = await import('@livekit/agents-plugin-openai')
      return new openai.TTS({
        apiKey: config.openai.apiKey,
        ...(config.openai.baseUrl ? { baseURL: config.openai.baseUrl } : {}),
        ...(model ? { model } : {}),
        ...(voice ? { voice: voice as never } : {}),
      })
    }
    case 'elevenlabs': {
      const elevenlabs = await import('@livekit/agents-plugin-elevenlabs')
      return new elevenlabs.TTS({
        apiKey: config.elevenlabsApiKey,
        ...(model ? { model } : {}),
        ...(voice ? { voiceId: voice } : {}),
      })
    }
    case 'deepgram': {
      const deepgram = await import('@livekit/agents-plugin-deepgram')
      return new deepgram.TTS({
        apiKey: config.deepgramApiKey,
        ...(model ? { model } : {}),
      })
    }
  }
}

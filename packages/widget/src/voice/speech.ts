import { toPlainText } from '../app/markdown.ts'
import { recognitionError } from './recognition-error.ts'
import { type Recognition, recognitionCtor } from './support.ts'
import type { CallCallbacks, CallHandle } from './types.ts'

export interface SpeechCallOptions {
  lang: string
  callbacks: CallCallbacks
  /** Sends the visitor's words as a chat message; resolves with the complete reply (or nothing). */
  ask(text: string): Promise<string | undefined>
}

/**
 * Voice without a LiveKit server: speech recognition → a chat message in the same conversation →
 * the reply spoken with `speechSynthesis`. The microphone is off while the reply is spoken, so
 * the assistant never answers itself.
 */
export function startSpeechCall(o: SpeechCallOptions): CallHandle {
  const Ctor = recognitionCtor()
  const cb = o.callbacks
  let ended = false
  let muted = false
  let busy = false
  let heard = ''
  let failing = false
  let rec: Recognition | undefined

  const end = (error?: Parameters<CallCallbacks['ended']>[0]) => {
    if (ended) return
    ended = true
    rec?.abort()
    globalThis.speechSynthesis?.cancel()
    cb.state('ended')
    cb.ended(error)
  }

  const speak = (text: string) =>
    new Promise<void>((resolve) => {
      const synth = globalThis.speechSynthesis
      const plain = toPlainText(text).trim()
      if (!synth || !plain) return resolve()
      synth.cancel()
      const u = new SpeechSynthesisUtterance(plain)
      u.lang = o.lang
      const lang = o.lang.toLowerCase()
      const voice = synth
        .getVoices()
        .find(
          (v) =>
            v.lang.toLowerCase() === lang ||
            v.lang.toLowerCase().startsWith(`${lang.split('-')[0]}-`),
        )
      if (voice) u.voice = voice
      u.onend = u.onerror = () => resolve()
      synth.speak(u)
    })

  const listen = () => {
    if (ended || muted || busy || !Ctor) return
    heard = ''
    rec = new Ctor()
    rec.lang = o.lang
    rec.continuous = false
    rec.interimResults = true
    rec.maxAlternatives = 1
    rec.onresult = (e) => {
      let text = ''
      for (let i = 0; i < e.results.length; i++) text += e.results[i]![0].transcript
      heard = text
      cb.caption('visitor', text)
    }
    rec.onerror = (e) => {
      // `no-speech` and `aborted` just end this turn: onend listens again.
      if (e.error === 'no-speech' || e.error === 'aborted') return
      failing = true
      void recognitionError(e.error).then((error) => end(error ?? 'speechFailed'))
    }
    rec.onend = () => {
      rec = undefined
      if (ended || failing) return
      const text = heard.trim()
      if (!text) return void setTimeout(listen, 250)
      void turn(text)
    }
    cb.state('listening')
    try {
      rec.start()
    } catch {
      end('speechFailed')
    }
  }

  const turn = async (text: string) => {
    busy = true
    cb.state('thinking')
    const reply = await o.ask(text).catch(() => undefined)
    if (ended) return
    if (reply) {
      cb.state('speaking')
      cb.caption('assistant', reply)
      await speak(reply)
    }
    busy = false
    if (!ended) {
      cb.state('listening')
      listen()
    }
  }

  if (!Ctor) queueMicrotask(() => end('voiceDown'))
  else listen()

  return {
    kind: 'speech',
    async setMuted(m) {
      muted = m
      if (m) {
        heard = ''
        rec?.abort()
      } else listen()
    },
    async sendText() {
      return false
    },
    async enableAudio() {},
    hangUp: () => end(),
  }
}

import type { WidgetHost } from '../shared/host.ts'
import { micSupported, speechSupported } from '../voice/support.ts'
import type { CallError, CallHandle, CallState } from '../voice/types.ts'
import {
  ApiFailure,
  callApi,
  type VoiceTokenResponse,
  voiceTokenRequest,
} from './chat/endpoints.ts'
import type { ChatSession } from './chat/session.ts'
import type { Strings } from './i18n.ts'

export interface VoiceView {
  state: CallState | 'idle'
  kind?: 'livekit' | 'speech'
  muted: boolean
  audioBlocked: boolean
  caption?: { role: 'visitor' | 'assistant'; text: string }
  /** Why the last call ended early (shown until the next call). */
  error?: CallError
}

/**
 * Starts and runs a voice call in the chat's conversation: LiveKit when the server issues a
 * token, the Web Speech API when it answers 503 (voice not configured), chat otherwise.
 */
export class VoiceController {
  view: VoiceView = { state: 'idle', muted: false, audioBlocked: false }
  /** Grows with every change of `view` (see `useStore`). */
  version = 0
  private handle: CallHandle | undefined
  private abort: AbortController | undefined
  private readonly listeners = new Set<() => void>()

  constructor(
    private readonly host: WidgetHost,
    private readonly session: ChatSession,
    private readonly audioParent: HTMLElement,
  ) {}

  /** Whether a call button makes sense here at all. */
  get available(): boolean {
    return (
      this.host.config.mode !== 'chat' &&
      ((this.host.config.voice_available && micSupported()) || speechSupported())
    )
  }

  get active(): boolean {
    return this.view.state !== 'idle' && this.view.state !== 'ended'
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  async start(): Promise<void> {
    if (this.active) return
    const abort = new AbortController()
    this.abort = abort
    this.set({
      state: 'connecting',
      muted: false,
      audioBlocked: false,
      caption: undefined,
      error: undefined,
    })
    const fetchToken = () =>
      callApi<VoiceTokenResponse>(
        voiceTokenRequest(this.session.api, {
          userEmail: this.session.state.email ?? this.host.user?.email,
          sourceThreadId: this.session.state.threadId,
        }),
      )
    const callbacks = {
      state: (state: CallState) => {
        if (!abort.signal.aborted || state === 'ended') this.set({ state })
      },
      caption: (role: 'visitor' | 'assistant', text: string) =>
        this.set({ caption: { role, text } }),
      transcript: (seg: Parameters<ChatSession['transcript']>[0]) => this.session.transcript(seg),
      audioBlocked: (audioBlocked: boolean) => this.set({ audioBlocked }),
      ended: (error?: CallError) => {
        this.handle = undefined
        this.set({ state: 'ended', error, audioBlocked: false })
      },
    }
    let token: VoiceTokenResponse | undefined
    try {
      // Asked even when the config said voice is unavailable: that may have changed since, and
      // the 503 is what sends the call down the Web Speech path.
      if (micSupported()) token = await fetchToken()
    } catch (err) {
      if (!(err instanceof ApiFailure && err.status === 503)) {
        return this.set({
          state: 'ended',
          error: err instanceof ApiFailure && err.status === 0 ? 'callFailed' : 'voiceDown',
        })
      }
    }
    if (abort.signal.aborted) return
    try {
      if (token) {
        const { startLiveKitCall } = await import('../voice/livekit.ts')
        this.handle = await startLiveKitCall({
          token,
          fetchToken,
          audioParent: this.audioParent,
          callbacks,
          signal: abort.signal,
        })
      } else if (speechSupported()) {
        const { startSpeechCall } = await import('../voice/speech.ts')
        if (abort.signal.aborted) return
        this.handle = startSpeechCall({
          lang: this.host.locale(),
          callbacks,
          ask: (text) => this.session.ask(text, 'voice'),
        })
      } else {
        this.set({ state: 'ended', error: micSupported() ? 'voiceDown' : 'micInsecure' })
        return
      }
      this.set({ kind: this.handle.kind })
      if (!this.active) this.handle = undefined
    } catch {
      this.set({ state: 'ended', error: 'callFailed' })
    }
  }

  hangUp(): void {
    this.abort?.abort()
    if (this.handle) this.handle.hangUp()
    else if (this.active) this.set({ state: 'ended' })
  }

  async toggleMute(): Promise<void> {
    const muted = !this.view.muted
    this.set({ muted })
    await this.handle?.setMuted(muted)
  }

  async enableAudio(): Promise<void> {
    await this.handle?.enableAudio()
  }

  /** Typed text while a LiveKit agent is on the call goes to it (`lk.chat`); `false` → send by chat. */
  async sendText(text: string): Promise<boolean> {
    return this.handle ? this.handle.sendText(text).catch(() => false) : false
  }

  /** Back to idle after the visitor saw how the call ended. */
  reset(): void {
    if (!this.active) this.set({ state: 'idle', error: undefined, caption: undefined })
  }

  private set(p: Partial<VoiceView>): void {
    this.view = { ...this.view, ...p }
    this.version++
    for (const fn of this.listeners) fn()
  }
}

/** Label of the current call state (each call state has its string of the same name). */
export function stateLabel(v: VoiceView, t: Strings): string {
  if (v.state === 'idle') return t.talkPrompt
  return v.muted && v.state !== 'connecting' && v.state !== 'waiting' && v.state !== 'ended'
    ? t.muted
    : t[v.state]
}

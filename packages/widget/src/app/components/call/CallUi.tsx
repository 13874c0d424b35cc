import { useEffect, useRef } from 'preact/hooks'
import { stateLabel } from '../../voice-controller.ts'
import { useApp } from '../context.ts'
import { IconButton } from '../IconButton.tsx'
import { Icon } from '../icons.tsx'
import styles from './call.css?inline'

/** This chunk's styles (added to the shadow root when it loads). */
export const css = styles

function Controls({ onChat }: { onChat?: () => void }) {
  const { voice, t } = useApp()
  const v = voice.view
  const end = useRef<HTMLButtonElement>(null)
  useEffect(() => end.current?.focus(), [])
  return (
    <div class="aw-ctrls">
      <IconButton
        class="aw-round"
        aria-pressed={v.muted}
        label={v.muted ? t.unmute : t.mute}
        onClick={() => void voice.toggleMute()}
      >
        {v.muted ? <Icon.micOff /> : <Icon.mic />}
      </IconButton>
      <IconButton
        buttonRef={end}
        class="aw-round"
        data-end=""
        label={t.endCall}
        onClick={() => voice.hangUp()}
      >
        <Icon.hangup />
      </IconButton>
      {onChat && (
        <IconButton class="aw-round" label={t.toChat} onClick={onChat}>
          <Icon.chat />
        </IconButton>
      )}
    </div>
  )
}

/** The voice surface: a start screen, then the live call (state, caption, mute, hang up). */
export function CallView({ onChat }: { onChat?: () => void }) {
  const { voice, host, t } = useApp()
  const v = voice.view
  const start = useRef<HTMLButtonElement>(null)
  const active = voice.active
  useEffect(() => {
    if (!active) start.current?.focus()
  }, [active])
  return (
    <div class="aw-call">
      <div class="aw-orb" data-state={v.muted ? 'muted' : v.state}>
        <span class="aw-core">{v.muted ? <Icon.micOff /> : <Icon.mic />}</span>
      </div>
      <h3 aria-live="polite">{active || v.state === 'ended' ? stateLabel(v, t) : t.talkPrompt}</h3>
      {active ? (
        <p class="aw-caption" aria-live="polite">
          {v.caption?.text ?? ''}
        </p>
      ) : (
        <p>{host.text('welcome_text') || t.talkHint}</p>
      )}
      {v.audioBlocked && (
        <button type="button" class="aw-btn" onClick={() => void voice.enableAudio()}>
          <Icon.volume />
          {t.enableAudio}
        </button>
      )}
      {active ? (
        <Controls onChat={onChat} />
      ) : (
        <div class="aw-start">
          <button ref={start} type="button" class="aw-btn" onClick={() => void voice.start()}>
            <Icon.phone />
            {t.startCall}
          </button>
          {onChat && (
            <button type="button" class="aw-btn" data-ghost="" onClick={onChat}>
              <Icon.chat />
              {t.toChat}
            </button>
          )}
        </div>
      )}
    </div>
  )
}

/** A slim bar over the chat while a call goes on. */
export function CallBar({ onCall }: { onCall(): void }) {
  const { voice, t } = useApp()
  const v = voice.view
  return (
    <div class="aw-callbar">
      <span class="aw-dot" aria-hidden="true" />
      <span class="aw-callbar-label" aria-live="polite">
        {stateLabel(v, t)}
      </span>
      <button
        type="button"
        class="aw-ib"
        aria-pressed={v.muted}
        aria-label={v.muted ? t.unmute : t.mute}
        onClick={() => void voice.toggleMute()}
      >
        {v.muted ? <Icon.micOff /> : <Icon.mic />}
      </button>
      <button type="button" class="aw-ib" aria-label={t.toCall} onClick={onCall}>
        <Icon.phone />
      </button>
      <button
        type="button"
        class="aw-ib"
        data-end=""
        aria-label={t.endCall}
        onClick={() => voice.hangUp()}
      >
        <Icon.hangup />
      </button>
    </div>
  )
}

import { useState } from 'preact/hooks'
import { Icon } from '../components/Icon.tsx'
import {
  askNotificationPermission,
  notificationPermission,
  setSound,
  soundOn,
  unlockSound,
} from './notify.ts'

/** Turn desktop notifications on (asks the browser, on this click) and the sound on or off. */
export function NotifyControls() {
  const [perm, setPerm] = useState(notificationPermission)
  const [sound, setSoundState] = useState(soundOn)
  return (
    <>
      {perm === 'default' && (
        <button
          type="button"
          class="btn btn-secondary"
          onClick={async () => {
            unlockSound()
            setPerm(await askNotificationPermission())
          }}
        >
          <Icon name="bell" size={16} />
          Turn on notifications
        </button>
      )}
      <button
        type="button"
        class="btn btn-secondary"
        aria-pressed={sound}
        title="A sound when a conversation starts waiting for a person"
        onClick={() => {
          unlockSound()
          setSound(!sound)
          setSoundState(!sound)
        }}
      >
        <Icon name={sound ? 'volume' : 'volumeOff'} size={16} />
        Sound {sound ? 'on' : 'off'}
      </button>
    </>
  )
}

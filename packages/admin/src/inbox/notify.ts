/** Sound and desktop notifications for a new hand-off (each one can be turned off). */

const SOUND_KEY = 'aurion.inbox.sound'
let audio: AudioContext | undefined

export const soundOn = () => localStorage.getItem(SOUND_KEY) !== 'off'
export const setSound = (on: boolean) => localStorage.setItem(SOUND_KEY, on ? 'on' : 'off')

/** Browsers let a page play sound only after a user gesture: call this from one. */
export function unlockSound(): void {
  try {
    audio ??= new AudioContext()
    if (audio.state === 'suspended') void audio.resume()
  } catch {
    // No Web Audio: silent.
  }
}

/** A short two-note chime. */
export function chime(): void {
  if (!soundOn()) return
  try {
    audio ??= new AudioContext()
    const ctx = audio
    const t = ctx.currentTime
    for (const [i, freq] of [880, 1318.5].entries()) {
      const osc = ctx.createOscillator()
      const gain = ctx.createGain()
      osc.type = 'sine'
      osc.frequency.value = freq
      const start = t + i * 0.14
      gain.gain.setValueAtTime(0.0001, start)
      gain.gain.exponentialRampToValueAtTime(0.18, start + 0.02)
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.32)
      osc.connect(gain).connect(ctx.destination)
      osc.start(start)
      osc.stop(start + 0.34)
    }
  } catch {
    // No Web Audio: silent.
  }
}

export type Permission = NotificationPermission | 'unsupported'

export const notificationPermission = (): Permission =>
  typeof Notification === 'undefined' ? 'unsupported' : Notification.permission

/** Asks for desktop notifications; call it from a click (browsers require a gesture). */
export async function askNotificationPermission(): Promise<Permission> {
  if (typeof Notification === 'undefined') return 'unsupported'
  try {
    return await Notification.requestPermission()
  } catch {
    return Notification.permission
  }
}

/** A desktop notification (when allowed); a click focuses the console and calls `onClick`. */
export function desktopNotify(title: string, body: string, tag: string, onClick: () => void): void {
  if (notificationPermission() !== 'granted') return
  try {
    const n = new Notification(title, { body, tag, icon: '/admin/favicon.svg' })
    n.onclick = () => {
      focus()
      onClick()
      n.close()
    }
  } catch {
    // Some browsers allow notifications only from a service worker: the sound still plays.
  }
}

import type { CallError } from './types.ts'

/** Whether the device has a microphone at all (device labels need no permission for this). */
export async function hasMicrophone(): Promise<boolean> {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices()
    return devices.some((d) => d.kind === 'audioinput')
  } catch {
    // Unknown: don't claim there is none.
    return true
  }
}

/**
 * What a `SpeechRecognition` error means for the call: `undefined` to just listen again
 * (`no-speech`, `aborted`), else why the call ends. The browser's speech service failing
 * (`network`, `service-not-allowed`, `language-not-supported`, or an error this code does not
 * know) is a speech-recognition failure, not a missing microphone: `audio-capture` says "no
 * microphone" only when the device really has none.
 */
export async function recognitionError(
  error: string,
  micPresent: () => Promise<boolean> = hasMicrophone,
): Promise<CallError | undefined> {
  switch (error) {
    case 'no-speech':
    case 'aborted':
      return undefined
    case 'not-allowed':
      return 'micDenied'
    case 'audio-capture':
      return (await micPresent()) ? 'speechFailed' : 'micMissing'
    default:
      return 'speechFailed'
  }
}

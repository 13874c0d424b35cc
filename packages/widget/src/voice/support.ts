/** Feature checks for voice, kept tiny: the chat chunk needs them before loading a voice chunk. */

/** The parts of the Web Speech API's `SpeechRecognition` this module uses. */
export interface Recognition {
  lang: string
  continuous: boolean
  interimResults: boolean
  maxAlternatives: number
  onresult: ((e: { resultIndex: number; results: ArrayLike<RecognitionResult> }) => void) | null
  onerror: ((e: { error: string }) => void) | null
  onend: (() => void) | null
  start(): void
  stop(): void
  abort(): void
}
interface RecognitionResult {
  isFinal: boolean
  0: { transcript: string }
  length: number
}
export type RecognitionCtor = new () => Recognition

export function recognitionCtor(): RecognitionCtor | undefined {
  const w = window as unknown as {
    SpeechRecognition?: RecognitionCtor
    webkitSpeechRecognition?: RecognitionCtor
  }
  return w.SpeechRecognition ?? w.webkitSpeechRecognition
}

/** Whether this browser can do the Web Speech fallback (recognition is the part that's required). */
export function speechSupported(): boolean {
  return recognitionCtor() !== undefined
}

/** Whether microphone capture is possible at all (it needs a secure context). */
export function micSupported(): boolean {
  return typeof navigator.mediaDevices?.getUserMedia === 'function'
}

import { describe, expect, it } from 'vitest'
import { recognitionError } from './recognition-error.ts'

const mic = (present: boolean) => async () => present

describe('what a speech-recognition error tells the visitor', () => {
  it('a silent or cancelled turn just listens again', async () => {
    expect(await recognitionError('no-speech', mic(true))).toBeUndefined()
    expect(await recognitionError('aborted', mic(true))).toBeUndefined()
  })

  it('says "no microphone" only when the device has none', async () => {
    expect(await recognitionError('audio-capture', mic(false))).toBe('micMissing')
    expect(await recognitionError('audio-capture', mic(true))).toBe('speechFailed')
  })

  it("reports the browser's speech service failing as a speech-recognition failure", async () => {
    for (const e of [
      'network',
      'service-not-allowed',
      'language-not-supported',
      'bad-grammar',
      '?',
    ])
      expect(await recognitionError(e, mic(false))).toBe('speechFailed')
  })

  it('a blocked microphone is a blocked microphone', async () => {
    expect(await recognitionError('not-allowed', mic(true))).toBe('micDenied')
  })
})

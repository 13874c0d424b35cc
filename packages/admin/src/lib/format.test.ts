import { describe, expect, it } from 'vitest'
import { formatWait } from './format.ts'

describe('formatWait', () => {
  it.each([
    [0, '1 second'],
    [1, '1 second'],
    [45, '45 seconds'],
    [59.2, '1 minute'],
    [60, '1 minute'],
    [61, '2 minutes'],
    [890, '15 minutes'],
    [900, '15 minutes'],
  ])('%s s → %s', (s, words) => {
    expect(formatWait(s)).toBe(words)
  })
})

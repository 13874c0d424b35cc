import { describe, expect, it } from 'vitest'
import { analyze, mentionsTrouble, processTerm, tokenize } from './text.ts'

describe('knowledge text analysis', () => {
  it('tokenizes hyphenated words both ways and drops apostrophes', () => {
    expect(tokenize("Wi-Fi doesn't work on the user's Mac")).toEqual([
      'wi',
      'fi',
      'wifi',
      'doesnt',
      'work',
      'on',
      'the',
      'user',
      'mac',
    ])
  })

  it('analyzes a short text once and shares the frozen result; long texts each time', () => {
    const groups = analyze('My printer is offline again')
    expect(groups.map((g) => g.word)).toEqual(['printer', 'offline'])
    expect(analyze('My printer is offline again')).toBe(groups)
    expect(Object.isFrozen(groups) && Object.isFrozen(groups[0])).toBe(true)
    const long = `printer ${'offline '.repeat(60)}`
    expect(analyze(long)).not.toBe(analyze(long))
    expect(analyze(long)).toEqual(analyze(long))
  })

  it('drops stopwords and stems the rest', () => {
    expect(processTerm('the')).toBeNull()
    expect(processTerm('how')).toBeNull()
    expect(processTerm('printing')).toEqual(['print'])
    expect(processTerm('passwords')).toEqual(['password'])
  })

  it('expands words visitors use to the words articles use', () => {
    expect(processTerm('laptop')).toEqual(['laptop', 'comput'])
    expect(processTerm('macbook')).toContain('mac')
    expect(processTerm('2fa')).toEqual(['2fa', 'mfa'])
    expect(processTerm('wireless')).toContain('wifi')
  })

  it('keeps the meaningful words of a question once each', () => {
    expect(
      analyze('How do I reset my password? Password reset please!').map((g) => g.word),
    ).toEqual(['reset', 'password'])
  })

  it.each([
    ["it doesn't work", true],
    ['it doesn’t work', true],
    ['I still can’t connect', true],
    ['error 809 when connecting', true],
    ['How do I connect to the VPN?', false],
    ['nothing else, thanks', false],
  ])('mentionsTrouble(%j) is %s', (text, expected) => {
    expect(mentionsTrouble(text)).toBe(expected)
  })
})

import { describe, expect, it } from 'vitest'
import { classifySmallTalk, looksLikeFollowUp, stripGreeting } from './intents.ts'

describe('intents', () => {
  it.each([
    ['hi', 'greeting'],
    ['Hello there!', 'greeting'],
    ['good afternoon', 'greeting'],
    ['thanks', 'thanks'],
    ['Thank you very much!', 'thanks'],
    ['that worked, thanks!', 'resolved'],
    ['problem solved', 'resolved'],
    ['bye', 'goodbye'],
    ["no thanks, that's all", 'goodbye'],
    ['what can you do?', 'capabilities'],
    ['help', 'capabilities'],
    ['ok', 'capabilities'],
    ['I want to talk to a person', 'human'],
    ['Hi, my VPN is broken', null],
    ["thanks but it still doesn't work", null],
    ['not fixed', null],
    ['how do I reset my password', null],
  ] as const)('%j → %s', (text, kind) => {
    expect(classifySmallTalk(text)).toBe(kind)
  })

  it('strips a leading greeting from a question', () => {
    expect(stripGreeting('Hi there, my VPN is broken')).toBe('my VPN is broken')
    expect(stripGreeting('Hiking boots')).toBe('Hiking boots')
  })

  it.each([
    ['and on a mac?', true],
    ["what if that doesn't work?", true],
    ['what about printing?', true],
    ['How do I add a printer?', false],
  ])('looksLikeFollowUp(%j) is %s', (text, expected) => {
    expect(looksLikeFollowUp(text)).toBe(expected)
  })
})

import { describe, expect, it } from 'vitest'
import { EN } from './i18n.ts'
import { linkStatus } from './link-status.ts'

describe('the header status', () => {
  it('says Online only while messages get through', () => {
    expect(linkStatus('online', EN)).toBe('AI assistant · Online')
    expect(linkStatus('rest', EN)).toBe('AI assistant · Online')
    expect(linkStatus('offline', EN)).toBe('AI assistant · Offline')
    expect(linkStatus('closed', EN)).toBe('AI assistant · Offline')
    expect(linkStatus('reconnecting', EN)).toBe('AI assistant · Reconnecting…')
    expect(linkStatus('rest', EN, false)).toBe('AI assistant · Offline')
    expect(linkStatus('online', EN, false)).toBe('AI assistant · Offline')
  })
})

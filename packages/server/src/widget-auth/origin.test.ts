import { describe, expect, it } from 'vitest'
import { isHelpCenterOrigin, isOriginAllowed, requestOrigin } from './origin.ts'

describe('requestOrigin', () => {
  it.each([
    ['https://example.com', 'https://example.com'],
    ['https://EXAMPLE.com', 'https://example.com'],
    ['https://example.com:443', 'https://example.com'],
    ['http://localhost:5173', 'http://localhost:5173'],
  ])('normalizes %s', (h, want) => expect(requestOrigin(h)).toBe(want))

  it.each([
    undefined,
    '',
    'null',
    'file://',
    'chrome-extension://abc',
    'https://example.com/path',
    'https://u:p@example.com',
    'not a url',
  ])('refuses %s', (h) => expect(requestOrigin(h)).toBeUndefined())
})

describe('isOriginAllowed', () => {
  const config = { allowed_origins: ['https://example.com', 'http://localhost:3000'] }
  it('admits an exact match', () => {
    expect(isOriginAllowed('https://example.com', config, undefined)).toBe(true)
    expect(isOriginAllowed('http://localhost:3000', config, undefined)).toBe(true)
  })
  it.each([
    'https://example.com.evil.test',
    'http://example.com',
    'https://example.com:8443',
    'https://sub.example.com',
    'https://evilexample.com',
    'http://localhost:3001',
  ])('refuses the look-alike %s', (o) => expect(isOriginAllowed(o, config, undefined)).toBe(false))
  it('refuses a missing origin', () =>
    expect(isOriginAllowed(undefined, config, undefined)).toBe(false))
})

describe('isHelpCenterOrigin', () => {
  it('admits the domain and its subdomains over https only', () => {
    expect(isHelpCenterOrigin('https://help.aurion.test', 'help.aurion.test')).toBe(true)
    expect(isHelpCenterOrigin('https://acme.help.aurion.test', 'help.aurion.test')).toBe(true)
    expect(isHelpCenterOrigin('http://acme.help.aurion.test', 'help.aurion.test')).toBe(false)
    expect(isHelpCenterOrigin('https://acme.help.aurion.test:8443', 'help.aurion.test')).toBe(false)
    expect(isHelpCenterOrigin('https://evilhelp.aurion.test', 'help.aurion.test')).toBe(false)
    expect(isHelpCenterOrigin('https://help.aurion.test.evil.io', 'help.aurion.test')).toBe(false)
    expect(isHelpCenterOrigin('https://help.aurion.test', undefined)).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import {
  checkNewPassword,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  verifyAgainstDummy,
  verifyPassword,
} from './password.ts'

// The lowest cost the verifier accepts keeps these tests fast; the format is the same.
const FAST = { logN: 10, r: 8, p: 1 }

describe('password hashing', () => {
  it('stores a self-describing scrypt hash, never the password', async () => {
    const h = await hashPassword('correct horse battery', FAST)
    expect(h).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/)
    expect(h).not.toContain('correct')
  })

  it('uses the default cost N=2^15, r=8, p=1', async () => {
    expect(await hashPassword('correct horse battery')).toMatch(/^scrypt\$15\$8\$1\$/)
  })

  it('verifies the right password and refuses others', async () => {
    const h = await hashPassword('correct horse battery', FAST)
    expect(await verifyPassword('correct horse battery', h)).toBe(true)
    expect(await verifyPassword('correct horse batterY', h)).toBe(false)
    expect(await verifyPassword('', h)).toBe(false)
    expect(await verifyPassword('correct horse battery ', h)).toBe(false)
  })

  it('salts: the same password hashes differently each time', async () => {
    const a = await hashPassword('same password!', FAST)
    const b = await hashPassword('same password!', FAST)
    expect(a).not.toBe(b)
    expect(await verifyPassword('same password!', a)).toBe(true)
    expect(await verifyPassword('same password!', b)).toBe(true)
  })

  it('normalizes Unicode so a password typed on another keyboard still matches', async () => {
    const h = await hashPassword('caf\u00e9-password', FAST)
    expect(await verifyPassword('cafe\u0301-password', h)).toBe(true)
  })

  it.each([
    ['empty', ''],
    ['another algorithm', 'bcrypt$10$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA'],
    ['too few parts', 'scrypt$15$8$1$abc'],
    ['absurd cost (denial of service)', `scrypt$30$8$1$${'A'.repeat(24)}$${'A'.repeat(88)}`],
    ['non-numeric cost', `scrypt$x$8$1$${'A'.repeat(24)}$${'A'.repeat(88)}`],
    ['short salt', `scrypt$10$8$1$AAAA$${'A'.repeat(88)}`],
    ['short key', `scrypt$10$8$1$${'A'.repeat(24)}$AAAA`],
  ])('a malformed stored hash (%s) never matches', async (_name, stored) => {
    expect(await verifyPassword('anything at all', stored)).toBe(false)
  })

  it('the dummy verification (unknown accounts) always refuses, at the default cost', async () => {
    expect(await verifyAgainstDummy('aurion-dummy-password-never-matches')).toBe(false)
    expect(await verifyAgainstDummy('')).toBe(false)
  })
})

describe('new password policy', () => {
  it.each([
    ['', 'at least 10'],
    ['short', 'at least 10'],
    ['          ', 'blank'],
    ['x'.repeat(PASSWORD_MAX_LENGTH + 1), 'at most'],
  ])('refuses %j', (pw, why) => {
    expect(checkNewPassword(pw)).toContain(why)
  })

  it('accepts a long passphrase', () => {
    expect(checkNewPassword('a long enough passphrase')).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { throttleAddress } from './client-address.ts'

describe('throttleAddress', () => {
  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['::FFFF:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2::a', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['1::2:3:4:5:6:7', '1:0:2:3::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s → %s', (ip, key) => {
    expect(throttleAddress(ip)).toBe(key)
  })

  it('every address of one /64 shares a key; the next /64 has its own', () => {
    const a = throttleAddress('2001:db8:aa:bb:1111:2222:3333:4444')
    expect(throttleAddress('2001:db8:aa:bb::dead:beef')).toBe(a)
    expect(throttleAddress('2001:db8:aa:bc::1')).not.toBe(a)
  })

  it('a client that hung up (no address left on its socket) is counted under one key, not a crash', () => {
    expect(throttleAddress(undefined)).toBe('unknown')
  })

  it('leaves anything that is not an IPv6 address as it is', () => {
    for (const v of ['unknown', '', '1.2.3.4.5', ':::', `${'1:'.repeat(100_000)}1`]) {
      expect(throttleAddress(v)).toBe(v)
    }
  })
})

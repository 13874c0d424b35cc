import { isIPv6 } from 'node:net'

/**
 * The key a client address is throttled under: an IPv4 address as is (IPv4-mapped IPv6 too),
 * an IPv6 address by its /64 prefix. One IPv6 host or network usually holds a whole /64, so
 * counting single IPv6 addresses would hand an attacker 2^64 fresh counters.
 */
export function throttleAddress(ip: string | undefined): string {
  // A client that hung up before its request is handled has no address any more (Node clears
  // `remoteAddress` on a destroyed socket); its request is counted under one shared key.
  if (ip === undefined) return 'unknown'
  const bare = ip.split('%', 1)[0]!
  if (!isIPv6(bare)) return ip
  const lower = bare.toLowerCase()
  if (lower.startsWith('::ffff:') && lower.includes('.')) return lower.slice(7)
  return `${firstFourGroups(lower).join(':')}::/64`
}

/** The first four 16-bit groups of a valid IPv6 address, without leading zeros. */
function firstFourGroups(ip: string): string[] {
  const [head = '', tail] = ip.split('::')
  // A dotted IPv4 tail is the last two groups; it never reaches the first four.
  const groups = (s: string) =>
    s === '' ? [] : s.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]))
  const h = groups(head)
  const t = tail === undefined ? [] : groups(tail)
  const all =
    tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t]
  return all.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16))
}

import type { IncomingMessage } from 'node:http'
import proxyAddr from '@fastify/proxy-addr'
import type { Config } from '../config.ts'

/** Whether the hop `hop` (0 = the socket's peer) at `address` may speak for the client. */
export type TrustProxyFn = (address: string, hop: number) => boolean

/**
 * `AURION_TRUST_PROXY` as the trust function Fastify and the embed fast path both use.
 * A hop count `n` trusts the `n` nearest hops whatever their address (Express's meaning; Fastify
 * itself reads a bare number as "trust nothing", which left every visitor behind one proxy in
 * one rate-limit bucket). `false` → undefined: the socket's peer is the client.
 */
export function trustProxyFn(trustProxy: Config['trustProxy']): TrustProxyFn | undefined {
  if (trustProxy === false) return undefined
  if (trustProxy === true) return () => true
  if (typeof trustProxy === 'number') {
    const hops = trustProxy
    return (_address, hop) => hop < hops
  }
  return proxyAddr.compile(trustProxy)
}

/** `request.ip` as Fastify computes it for the same setting, for code that runs before Fastify. */
export function clientIpOf(trustProxy: Config['trustProxy']): (req: IncomingMessage) => string {
  const trust = trustProxyFn(trustProxy)
  if (trust === undefined) return (req) => req.socket.remoteAddress ?? ''
  return (req) => {
    const all = proxyAddr.all(req, trust)
    return all[all.length - 1] ?? ''
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { answer, type HttpReceiver, startHttpReceiver } from '../../test/http-receiver.ts'
import {
  BlockedTargetError,
  isPublicAddress,
  outboundUrlProblem,
  publicOnlyLookup,
  safeFetch,
} from './safe-fetch.ts'

describe('outboundUrlProblem', () => {
  it.each([
    ['http://example.com/hook', 'https'],
    ['ftp://example.com/', 'https'],
    ['not a url', 'absolute'],
    ['https://user:pw@example.com/', 'credentials'],
    ['https://127.0.0.1/', 'private'],
    ['https://127.1.2.3:8443/', 'private'],
    ['https://10.0.0.5/', 'private'],
    ['https://172.16.0.1/', 'private'],
    ['https://192.168.1.1/', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'private'],
    ['https://100.64.0.1/', 'private'],
    ['https://0.0.0.0/', 'private'],
    ['https://[::1]/', 'private'],
    ['https://[fe80::1]/', 'private'],
    ['https://[fd00::1]/', 'private'],
    ['https://[::ffff:127.0.0.1]/', 'private'],
    ['https://[::ffff:169.254.169.254]/', 'private'],
    ['https://localhost/', 'private'],
    ['https://api.localhost/', 'private'],
    ['https://2130706433/', 'private'],
  ])('%s is refused by default (%s)', (url, word) => {
    expect(outboundUrlProblem(url, false)).toContain(word)
  })

  it('accepts public https URLs', () => {
    expect(outboundUrlProblem('https://hooks.example.com/in?x=1', false)).toBeUndefined()
    expect(outboundUrlProblem('https://93.184.216.34/', false)).toBeUndefined()
    expect(outboundUrlProblem('https://[2606:4700::1111]/', false)).toBeUndefined()
  })

  it('with private targets allowed: loopback and plain http too', () => {
    expect(outboundUrlProblem('http://127.0.0.1:8080/', true)).toBeUndefined()
    expect(outboundUrlProblem('https://localhost/', true)).toBeUndefined()
    expect(outboundUrlProblem('ftp://127.0.0.1/', true)).toContain('http')
  })

  it('isPublicAddress', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true)
    expect(isPublicAddress('224.0.0.1')).toBe(false)
    expect(isPublicAddress('255.255.255.255')).toBe(false)
    expect(isPublicAddress('not-an-ip')).toBe(false)
  })
})

describe('publicOnlyLookup (the address actually connected to)', () => {
  it('refuses a name that resolves to loopback', async () => {
    const err = await new Promise<Error | null>((resolve) =>
      publicOnlyLookup('localhost', {}, (e) => resolve(e)),
    )
    expect(err).toBeInstanceOf(BlockedTargetError)
    expect(err?.message).toMatch(/not a public address/)
  })
})

describe('safeFetch against a loopback receiver', () => {
  let receiver: HttpReceiver
  beforeAll(async () => {
    receiver = await startHttpReceiver()
  })
  afterAll(() => receiver.close())

  it('refuses the loopback receiver by default, before connecting', async () => {
    const before = receiver.requests.length
    await expect(safeFetch(`${receiver.url}/x`, { allowPrivate: false })).rejects.toBeInstanceOf(
      BlockedTargetError,
    )
    const https = receiver.url.replace('http:', 'https:')
    await expect(safeFetch(https, { allowPrivate: false })).rejects.toBeInstanceOf(
      BlockedTargetError,
    )
    // Rejected before any socket: the next allowed request is the receiver's next one.
    await safeFetch(`${receiver.url}/marker`, { allowPrivate: true })
    expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(['/marker'])
  })

  it('posts the body and reads the status and the body up to the cap', async () => {
    receiver.respond(answer(201, 'x'.repeat(5000)))
    const res = await safeFetch(`${receiver.url}/in`, {
      allowPrivate: true,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      maxBodyBytes: 100,
    })
    expect(res.status).toBe(201)
    expect(res.body.length).toBe(100)
    expect(res.truncated).toBe(true)
    const got = receiver.requests.at(-1)
    expect(got?.body).toBe('{"a":1}')
    expect(got?.method).toBe('POST')
  })

  it('does not follow redirects', async () => {
    receiver.respond((_req, res) => {
      res.writeHead(302, { location: `${receiver.url}/elsewhere` })
      res.end()
    })
    const before = receiver.requests.length
    const res = await safeFetch(`${receiver.url}/start`, { allowPrivate: true })
    expect(res.status).toBe(302)
    expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(['/start'])
  })

  it('gives up at the time limit', async () => {
    receiver.respond(() => {})
    const started = performance.now()
    await expect(
      safeFetch(`${receiver.url}/slow`, { allowPrivate: true, timeoutMs: 200 }),
    ).rejects.toThrow(/within 200 ms/)
    expect(performance.now() - started).toBeLessThan(2000)
    receiver.respond(answer(200))
  })
})

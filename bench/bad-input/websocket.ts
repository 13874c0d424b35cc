/**
 * WebSocket sessions: generated plans (connect parameters, origin, frames) and running one
 * against the widget socket.
 */
import fc from 'fast-check'
import WebSocket from 'ws'
import { BENCH_ORIGIN } from '../lib/seed.ts'
import {
  deep,
  mutate,
  mutation,
  nastyString,
  nastyValue,
  ODD_ORIGINS,
  pct,
  valid,
} from './generators.ts'
import type { Finding, World } from './types.ts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export type WsPlan = {
  query: string
  origin: string | undefined
  frames: { data: string | Buffer; binary: boolean; what: string }[]
}

export function wsArbitrary(w: World): fc.Arbitrary<WsPlan> {
  const f = w.fuzz
  const goodQuery = `tenant_id=${f.tenantId}&public_key=${f.publicKey}`
  const query = fc.oneof(
    { weight: 8, arbitrary: fc.constant(goodQuery) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom(
          '',
          `tenant_id=${f.tenantId}`,
          `public_key=${f.publicKey}`,
          `tenant_id=${w.victim.tenantId}&public_key=${f.publicKey}`,
          `${goodQuery}&source_thread_id=${'x'.repeat(5000)}`,
          `${goodQuery}&source_thread_id=${w.victim.conversationId}`,
          `${goodQuery}&sender_email=not-an-email`,
          `${goodQuery}&email_token=garbage`,
          `${goodQuery}&email_token=${f.emailToken}&sender_email=${pct(f.email)}`,
          `tenant_id=${f.tenantId}&tenant_id=x&public_key=${f.publicKey}`,
          `${goodQuery}&%zz`,
        ),
        fc
          .tuple(nastyString, nastyString)
          .map(([a, b]) => `tenant_id=${pct(a.slice(0, 200))}&public_key=${pct(b.slice(0, 200))}`),
      ),
    },
  )
  const text = (data: string, what: string) => ({ data, binary: false, what })
  const frame = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom('How do I reset my password?', 'hi')
        .map((b) => text(JSON.stringify({ body: b }), 'valid message')),
    },
    {
      weight: 3,
      arbitrary: nastyValue.map((v) =>
        text(JSON.stringify({ body: v }) ?? 'null', 'body of the wrong kind'),
      ),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          valid({
            type: 'object',
            properties: {
              body: { type: 'string', minLength: 1, maxLength: 20 },
              source_message_id: { type: 'string' },
              source_thread_id: { type: 'string' },
              upload_ids: { type: 'array', items: { type: 'string' } },
              metadata: { type: 'object' },
              sender_email: { type: 'string' },
            },
          }),
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        )
        .map(([b, m, p]) => text(JSON.stringify(mutate(b, m, p)) ?? 'null', 'mutated frame')),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        text('{"body":', 'truncated JSON'),
        text('not json', 'not JSON'),
        text('', 'empty frame'),
        text('null', 'JSON null'),
        text('[1,2,3]', 'JSON array'),
        text('{"type":"ping"}', 'ping frame'),
        text('{"__proto__":{"body":"x"}}', '__proto__ frame'),
        text(deep(100_000).slice(0, 60_000), 'deeply nested (under the size limit)'),
        text(JSON.stringify({ body: 'x'.repeat(5000) }), 'body over 4000 characters'),
        text(
          JSON.stringify({ body: 'x', metadata: { blob: 'y'.repeat(20_000) } }),
          'metadata too large',
        ),
        text(
          JSON.stringify({ body: 'x', upload_ids: [w.victim.uploadId] }),
          "another tenant's upload",
        ),
        text(
          JSON.stringify({ body: 'x', source_thread_id: w.victim.conversationId }),
          "another tenant's conversation",
        ),
        text(JSON.stringify({ body: 'y'.repeat(70_000) }), 'oversized frame (over 64 KB)'),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 100 })
        .map((a) => ({ data: Buffer.from(a), binary: true, what: 'binary frame' })),
    },
  )
  return fc.record({
    query,
    origin: fc.oneof(
      { weight: 8, arbitrary: fc.constant<string | undefined>(BENCH_ORIGIN) },
      { weight: 2, arbitrary: fc.constantFrom<string | undefined>(undefined, ...ODD_ORIGINS) },
    ),
    frames: fc.array(frame, { minLength: 1, maxLength: 4 }),
  })
}

export async function runWsPlan(
  port: number,
  plan: WsPlan,
  stats: {
    frames: number
    serverErrors: number
    closeCodes: Record<string, number>
    findings: Finding[]
  },
) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/widget/ws?${plan.query}`, {
    ...(plan.origin !== undefined && plan.origin !== '' ? { origin: plan.origin } : {}),
    handshakeTimeout: 15_000,
  })
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
  ws.on('error', () => {})
  const opened = await new Promise<boolean>((resolve) => {
    ws.once('open', () => resolve(true))
    ws.once('close', () => resolve(false))
    ws.once('unexpected-response', (_req, res) => {
      stats.closeCodes[`http ${res.statusCode}`] =
        (stats.closeCodes[`http ${res.statusCode}`] ?? 0) + 1
      if ((res.statusCode ?? 0) >= 500) stats.serverErrors++
      resolve(false)
    })
  })
  const inbox: string[] = []
  ws.on('message', (d) => {
    const t = String(d)
    inbox.push(t)
    if (/"code":"internal_error"/.test(t)) {
      stats.serverErrors++
      stats.findings.push({
        op: 'WS /api/v1/widget/ws',
        what: 'internal_error frame',
        status: 'frame',
        request: `${plan.query} ${plan.frames.map((f) => f.what).join(', ')}`,
        response: t.slice(0, 300),
      })
    }
  })
  if (opened) {
    for (const f of plan.frames) {
      if (ws.readyState !== ws.OPEN) break
      stats.frames++
      const before = inbox.length
      ws.send(f.data, { binary: f.binary })
      // Wait for an answer (error, pong, done) or a close, at most 10 s.
      const deadline = Date.now() + 10_000
      while (ws.readyState === ws.OPEN && Date.now() < deadline) {
        const answers = inbox.slice(before)
        if (answers.some((a) => /"type":"(error|pong|done)"/.test(a))) break
        await sleep(20)
      }
    }
    if (ws.readyState === ws.OPEN) ws.close(1000)
  }
  const code = await Promise.race([closed, sleep(15_000).then(() => -1)])
  if (code === -1) ws.terminate()
  stats.closeCodes[String(code)] = (stats.closeCodes[String(code)] ?? 0) + 1
  if (code === 1011) {
    stats.serverErrors++
    stats.findings.push({
      op: 'WS /api/v1/widget/ws',
      what: 'closed with 1011',
      status: 1011,
      request: `${plan.query} ${plan.frames.map((f) => f.what).join(', ')}`,
      response: inbox.join('\n').slice(0, 300),
    })
  }
}

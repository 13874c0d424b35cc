import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freeLoopbackPort, runAurion, startAurion } from '../test/aurion-process.ts'
import { startFakeOpenAi } from '../test/fake-openai.ts'
import { createTestTenant } from '../test/helpers.ts'
import { connectDb } from './db/connect.ts'
import { migrateToLatest } from './db/migrate.ts'
import { findTenantById } from './tenants/tenant-repo.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aurion-main-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Sends raw bytes on a socket and collects everything the server answers until it closes. */
function rawConnection(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port })
  let received = ''
  socket.on('data', (d: Buffer) => {
    received += d.toString()
  })
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)))
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('error', reject)
  })
  return { socket, connected, closed, received: () => received }
}

function connectFails(port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port })
    s.once('connect', () => {
      s.destroy()
      resolve('connected')
    })
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'))
  })
}

describe('aurion serve: graceful shutdown', { timeout: 90_000 }, () => {
  it('on SIGTERM stops accepting, finishes the request in flight, closes the database, exits 0', async () => {
    const seed = await connectDb({ dataDir: dir })
    await migrateToLatest(seed)
    const tenant = await createTestTenant(seed.db)
    await seed.close()

    const port = await freeLoopbackPort()
    const server = startAurion(['serve'], {
      AURION_DATA_DIR: dir,
      PORT: String(port),
      // Request lines are logged at debug: the test sees when the server has read a head.
      LOG_LEVEL: 'debug',
    })
    await server.waitFor(/Server listening/)

    // A request whose body is still arriving when the signal comes.
    const body = JSON.stringify({
      enabled: true,
      display_title: 'Saved during shutdown',
      launcher_label: 'Chat',
    })
    const conn = rawConnection(port)
    await conn.connected
    conn.socket.write(
      [
        'PUT /api/v1/voice-widget/config HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        `X-API-Key: ${tenant.apiKey}`,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        'Connection: close',
        '',
        '',
      ].join('\r\n') + body.slice(0, 10),
    )
    // The server has read the head before it is told to stop.
    await server.waitFor(/incoming request/)

    server.kill('SIGTERM')
    await server.waitFor(/shutting down/)
    // The listener closes right after the log line; nothing tells us when from outside.
    let refused = ''
    for (let i = 0; i < 100 && refused !== 'ECONNREFUSED'; i++) {
      refused = await connectFails(port)
      if (refused !== 'ECONNREFUSED') await new Promise((r) => setTimeout(r, 50))
    }
    expect(refused).toBe('ECONNREFUSED')

    conn.socket.write(body.slice(10))
    const answer = await conn.closed
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/)
    expect(answer).toContain('"display_title":"Saved during shutdown"')

    expect(await server.exited).toEqual({ code: 0, signal: null })
    expect(server.stdout).toMatch(/shutdown complete/)
    // better-sqlite3 checkpoints and removes the WAL when the last connection closes cleanly.
    expect(existsSync(join(dir, 'aurion.db-wal'))).toBe(false)
    const after = await connectDb({ dataDir: dir })
    try {
      const row = await findTenantById(after.db, tenant.tenantId)
      expect(JSON.parse(row!.config).display_title).toBe('Saved during shutdown')
    } finally {
      await after.close()
    }
  })

  /** A server whose agent (a fake OpenAI) holds its reply until `release`, and a visitor's
   * message being answered whose client hangs up once the agent is asked. */
  async function replyInFlightAtStop(env: Record<string, string>) {
    const seed = await connectDb({ dataDir: dir })
    await migrateToLatest(seed)
    const tenant = await createTestTenant(seed.db)
    await seed.close()
    let release!: () => void
    const gate = new Promise<void>((r) => {
      release = r
    })
    const llm = await startFakeOpenAi({
      fallback: {
        type: 'stream',
        chunks: ['Restart the router, ', 'then sign in again.'],
        beforeChunk: (i) => (i === 1 ? gate : Promise.resolve()),
      },
    })
    const port = await freeLoopbackPort()
    const server = startAurion(['serve'], {
      AURION_DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: 'info',
      AURION_AGENT: 'openai',
      AURION_LLM_BASE_URL: llm.baseUrl,
      AURION_LLM_MODEL: 'gpt-test',
      AURION_LLM_API_KEY: 'sk-test',
      ...env,
    })
    await server.waitFor(/Server listening/)
    const client = new AbortController()
    const sent = fetch(`http://127.0.0.1:${port}/api/v1/widget/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://example.com' },
      body: JSON.stringify({
        tenant_id: tenant.tenantId,
        public_key: tenant.publicKey,
        body: 'The VPN drops every hour',
        source_message_id: 'left-early',
      }),
      signal: client.signal,
    }).catch((err: Error) => err)
    for (let i = 0; i < 200 && llm.requests.length === 0; i++)
      await new Promise((r) => setTimeout(r, 25))
    expect(llm.requests).toHaveLength(1)
    client.abort()
    expect(await sent).toBeInstanceOf(Error)
    return { server, release, llm }
  }

  async function storedReply() {
    const after = await connectDb({ dataDir: dir })
    try {
      return await after.db
        .selectFrom('messages as m')
        .innerJoin('messages as u', 'u.id', 'm.reply_to_id')
        .select(['m.body', 'm.sender_type'])
        .where('u.source_message_id', '=', 'left-early')
        .executeTakeFirst()
    } finally {
      await after.close()
    }
  }

  it('stores the reply of a visitor who hung up before closing the database', async () => {
    const { server, release, llm } = await replyInFlightAtStop({})
    try {
      server.kill('SIGTERM')
      // The connection is gone: only the reply in flight keeps the database open now. Had the
      // server not waited for it, it would have closed the database right after this line.
      await server.waitFor(/settling messages in flight/)
      expect(server.stdout).not.toMatch(/shutdown complete/)
      release()
      expect(await server.exited).toEqual({ code: 0, signal: null })
    } finally {
      release()
      await llm.close()
    }
    expect(server.stdout + server.stderr).not.toMatch(/destroyed|agent reply failed/)
    expect(server.stdout).toMatch(/shutdown complete/)
    expect(await storedReply()).toEqual({
      body: 'Restart the router, then sign in again.',
      sender_type: 'ai',
    })
  })

  it('waits for a reply in flight no longer than the shutdown timeout', async () => {
    const { server, release, llm } = await replyInFlightAtStop({
      AURION_SHUTDOWN_TIMEOUT_MS: '500',
    })
    try {
      const started = performance.now()
      server.kill('SIGTERM')
      expect(await server.exited).toEqual({ code: 0, signal: null })
      expect(performance.now() - started).toBeLessThan(5000)
    } finally {
      release()
      await llm.close()
    }
    expect(server.stdout).toMatch(/messages still in flight at the drain timeout/)
    // The visitor's message was stored before the agent was asked; its reply never came.
    expect(await storedReply()).toBeUndefined()
  })

  it('stops on SIGINT too', async () => {
    const port = await freeLoopbackPort()
    const server = startAurion(['serve'], {
      AURION_DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: 'info',
    })
    await server.waitFor(/Server listening/)
    server.kill('SIGINT')
    expect(await server.exited).toEqual({ code: 0, signal: null })
  })

  it('prints every configuration problem and exits 2', async () => {
    const r = await runAurion(['serve'], {
      AURION_DATA_DIR: dir,
      PORT: '-1',
      LIVEKIT_URL: 'wss://lk.example.com',
      AURION_PUBLIC_URL: 'example.com',
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^Invalid configuration:/)
    expect(r.stderr).toMatch(/PORT must be an integer/)
    expect(r.stderr).toMatch(
      /LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set together/,
    )
    expect(r.stderr).toMatch(/AURION_PUBLIC_URL is not a valid URL/)
  })

  it('exits 1 with a clear message when the port is taken', async () => {
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      const r = await runAurion(['serve'], { AURION_DATA_DIR: dir, PORT: String(port) })
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use`))
    } finally {
      blocker.close()
    }
  })
})

describe('aurion serve --demo (npm start)', { timeout: 90_000 }, () => {
  it('creates the demo tenant on an empty data dir, prints working credentials, and only once', async () => {
    const port = await freeLoopbackPort()
    const env = { AURION_DATA_DIR: dir, PORT: String(port) }
    const first = startAurion(['serve', '--demo'], env)
    try {
      await first.waitFor(/export AURION_URL=/)
      const out = first.stdout
      const base = `http://localhost:${port}`
      expect(out).toContain(`Aurion is running at ${base}`)
      for (const path of ['/docs', '/admin', '/demo']) expect(out).toContain(`${base}${path}`)
      const tenantId = out.match(/Tenant ID {10}([0-9a-f-]{36})/)?.[1]
      const publicKey = out.match(/Public widget key {2}(vwk_\w{24})/)?.[1]
      const apiKey = out.match(/Admin API key {6}(itsm_sk_live_\w{40})/)?.[1]
      expect(tenantId && publicKey && apiKey).toBeTruthy()
      expect(out).toContain(`export AURION_URL=${base} AURION_KEY=${apiKey}`)

      const res = await fetch(`http://127.0.0.1:${port}/api/v1/voice-widget/config`, {
        headers: { 'X-API-Key': apiKey! },
      })
      expect(res.status).toBe(200)
      const config = await res.json()
      expect(config).toMatchObject({ tenant_id: tenantId, public_widget_key: publicKey })
      expect(config.allowed_origins).toEqual([base, `http://127.0.0.1:${port}`])
      expect(config.embed_snippet).toContain(`apiBaseUrl: '${base}'`)

      // The printed console sign-in works.
      const login = out.match(/Console sign-in {4}(\S+) \/ (\w{16})/)
      expect(login).toBeTruthy()
      const signIn = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: login![1], password: login![2] }),
      })
      expect(signIn.status).toBe(200)
    } finally {
      first.kill('SIGTERM')
      expect((await first.exited).code).toBe(0)
    }

    const second = startAurion(['serve', '--demo'], env)
    try {
      await second.waitFor(/To mint a new API key/)
      expect(second.stdout).toMatch(/Demo tenant "Demo":/)
      expect(second.stdout).toMatch(
        /npx aurion api-key create --tenant [0-9a-f-]{36} --scopes config:read,config:write/,
      )
      expect(second.stdout).not.toMatch(/itsm_sk_live_/)
      expect(second.stdout).not.toMatch(/Console sign-in/)
    } finally {
      second.kill('SIGTERM')
      expect((await second.exited).code).toBe(0)
    }
    const db = await connectDb({ dataDir: dir })
    try {
      const tenants = await db.db.selectFrom('tenants').select('name').execute()
      expect(tenants).toEqual([{ name: 'Demo' }])
    } finally {
      await db.close()
    }
  })

  it('creates no demo tenant without --demo', async () => {
    const port = await freeLoopbackPort()
    const server = startAurion(['serve'], {
      AURION_DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: 'info',
    })
    await server.waitFor(/Server listening/)
    server.kill('SIGTERM')
    await server.exited
    expect(server.stdout).not.toMatch(/Demo/)
    const db = await connectDb({ dataDir: dir })
    try {
      expect(await db.db.selectFrom('tenants').select('id').execute()).toEqual([])
    } finally {
      await db.close()
    }
  })
})

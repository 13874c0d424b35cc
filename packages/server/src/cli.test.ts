import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  freeLoopbackPort,
  runAurion,
  type ServerProcess,
  startAurion,
} from '../test/aurion-process.ts'
import { findApiKeyByHash, parseScopes } from './auth/api-key-repo.ts'
import { sha256Hex } from './auth/keys.ts'
import { runCli } from './cli.ts'
import { connectDb, type DbHandle } from './db/connect.ts'
import { findTenantById } from './tenants/tenant-repo.ts'

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const API_KEY_RE = /^itsm_sk_live_[0-9A-Za-z]{40}$/
const PUBLIC_KEY_RE = /^vwk_[0-9A-Za-z]{24}$/

let dir: string
let env: Record<string, string>
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'aurion-cli-'))
  env = { AURION_DATA_DIR: dir }
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Opens the CLI's SQLite database beside it, as a running server would. */
async function withDb<T>(fn: (h: DbHandle) => Promise<T>): Promise<T> {
  const h = await connectDb({ dataDir: dir })
  try {
    return await fn(h)
  } finally {
    await h.close()
  }
}

/** runCli in-process with captured streams: for the many argument checks. */
async function cli(argv: string[], extraEnv: Record<string, string> = {}) {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  stderr.on('data', (d: Buffer) => {
    err += d.toString()
  })
  const code = await runCli(argv, {
    stdin: Readable.from([]),
    stdout,
    stderr,
    env: { LOG_LEVEL: 'silent', ...env, ...extraEnv },
  })
  return { code, stdout: out, stderr: err }
}

describe('aurion CLI (child processes)', { timeout: 90_000 }, () => {
  let tenantId: string

  it('tenant create --json prints tenant_id, public_widget_key, api_key, scopes and stores them', async () => {
    const r = await runAurion(
      [
        'tenant',
        'create',
        '--name',
        'Acme',
        '--origin',
        'HTTPS://Example.com:443',
        '--origin',
        'http://localhost:3000',
        '--origin',
        'https://example.com/',
        '--json',
      ],
      env,
    )
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out)).toEqual(['tenant_id', 'public_widget_key', 'api_key', 'scopes'])
    expect(out.tenant_id).toMatch(UUID_RE)
    expect(out.public_widget_key).toMatch(PUBLIC_KEY_RE)
    expect(out.api_key).toMatch(API_KEY_RE)
    expect(out.scopes).toEqual(expect.arrayContaining(['config:read', 'config:write']))
    tenantId = out.tenant_id

    await withDb(async ({ db }) => {
      const tenant = await findTenantById(db, out.tenant_id)
      expect(tenant?.name).toBe('Acme')
      expect(tenant?.public_widget_key).toBe(out.public_widget_key)
      expect(JSON.parse(tenant!.config).allowed_origins).toEqual([
        'https://example.com',
        'http://localhost:3000',
      ])
      const key = await findApiKeyByHash(db, sha256Hex(out.api_key))
      expect(key?.tenant_id).toBe(out.tenant_id)
      expect(parseScopes(key!)).toEqual(out.scopes)
    })
  })

  it('api-key create --json prints {api_key, scopes}; list never shows keys; revoke by id and by key', async () => {
    const made = await runAurion(
      [
        'api-key',
        'create',
        '--tenant',
        tenantId,
        '--scopes',
        'config:read, config:write,config:read',
        '--name',
        'deploy',
        '--json',
      ],
      env,
    )
    expect(made.code).toBe(0)
    const out = JSON.parse(made.stdout)
    expect(out).toEqual({
      api_key: expect.stringMatching(API_KEY_RE),
      scopes: ['config:read', 'config:write'],
    })

    const list = await runAurion(['api-key', 'list', '--tenant', tenantId, '--json'], env)
    expect(list.code).toBe(0)
    const keys = JSON.parse(list.stdout) as {
      id: string
      name: string
      revoked_at: string | null
    }[]
    expect(keys.map((k) => k.name)).toEqual(['deploy', 'Admin key (aurion tenant create)'])
    expect(list.stdout).not.toContain(out.api_key)
    expect(list.stdout).not.toContain(sha256Hex(out.api_key))

    const byId = await runAurion(
      ['api-key', 'revoke', '--tenant', tenantId, '--id', keys[0]!.id],
      env,
    )
    expect(byId.code).toBe(0)
    expect(byId.stdout).toMatch(/Revoked API key/)
    await withDb(async ({ db }) => {
      expect((await findApiKeyByHash(db, sha256Hex(out.api_key)))?.revoked_at).not.toBeNull()
    })

    const second = JSON.parse(
      (
        await runAurion(
          ['api-key', 'create', '--tenant', tenantId, '--scopes', 'config:read', '--json'],
          env,
        )
      ).stdout,
    )
    const byKey = await runAurion(
      ['api-key', 'revoke', '--tenant', tenantId, '--key', second.api_key],
      env,
    )
    expect(byKey.code).toBe(0)
    await withDb(async ({ db }) => {
      expect((await findApiKeyByHash(db, sha256Hex(second.api_key)))?.revoked_at).not.toBeNull()
    })
  })

  it('exits 2 with a clear message on invalid arguments or configuration', async () => {
    const bad = await runAurion(
      ['api-key', 'create', '--tenant', tenantId, '--scopes', 'config:admin'],
      env,
    )
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown scope config:admin \(valid: config:read, config:write/)
    expect(bad.stdout).toBe('')
    const conf = await runAurion(['tenant', 'list'], { ...env, PORT: 'eighty', LOG_LEVEL: 'loud' })
    expect(conf.code).toBe(2)
    expect(conf.stderr).toMatch(/PORT must be an integer/)
    expect(conf.stderr).toMatch(/LOG_LEVEL must be one of/)
  })

  it('exits 1 when the tenant does not exist', async () => {
    const r = await runAurion(
      ['api-key', 'create', '--tenant', randomUUID(), '--scopes', 'config:read'],
      env,
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error: no tenant with id /)
  })

  it('migrate applies migrations on a fresh data dir, then reports it is up to date', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'aurion-cli-mig-'))
    try {
      const first = await runAurion(['migrate'], { AURION_DATA_DIR: fresh })
      expect(first.code).toBe(0)
      expect(first.stdout).toMatch(/^Applied \d+ migration\(s\): 0001-initial/)
      const again = await runAurion(['migrate'], { AURION_DATA_DIR: fresh })
      expect(again.code).toBe(0)
      expect(again.stdout).toBe('Database is up to date.\n')
    } finally {
      rmSync(fresh, { recursive: true, force: true })
    }
  })

  describe('beside a running server (same SQLite file)', () => {
    let server: ServerProcess
    let port: number
    beforeAll(async () => {
      port = await freeLoopbackPort()
      server = startAurion(['serve'], { ...env, PORT: String(port), LOG_LEVEL: 'info' })
      await server.waitFor(/Server listening/)
    })
    afterAll(async () => {
      server.kill('SIGTERM')
      await server.exited
    })

    it('creates tenants and keys the server uses at once', async () => {
      const created = await runAurion(['tenant', 'create', '--name', 'Live', '--json'], env)
      expect(created.code).toBe(0)
      const t = JSON.parse(created.stdout)
      const url = `http://127.0.0.1:${port}/api/v1/voice-widget/config`
      const got = await fetch(url, { headers: { 'X-API-Key': t.api_key } })
      expect(got.status).toBe(200)
      expect((await got.json()).tenant_id).toBe(t.tenant_id)

      const put = await fetch(url, {
        method: 'PUT',
        headers: { 'X-API-Key': t.api_key, 'Content-Type': 'application/json' },
        body: JSON.stringify({ enabled: true, display_title: 'Live', launcher_label: 'Hi' }),
      })
      expect(put.status).toBe(200)
      const list = await runAurion(['tenant', 'list', '--json'], env)
      expect(list.code).toBe(0)
      expect(JSON.parse(list.stdout).map((x: { name: string }) => x.name)).toContain('Live')

      const revoke = await runAurion(
        ['api-key', 'revoke', '--tenant', t.tenant_id, '--key', t.api_key],
        env,
      )
      expect(revoke.code).toBe(0)
      expect((await fetch(url, { headers: { 'X-API-Key': t.api_key } })).status).toBe(401)
    })
  })
})

describe('aurion CLI arguments', () => {
  const uuid = '11111111-2222-3333-4444-555555555555'
  it.each([
    ['no command', [], /Usage: aurion/],
    ['an unknown command', ['launch'], /unknown command 'launch'/],
    ['tenant create without --name', ['tenant', 'create'], /required option '--name <name>'/],
    ['a blank --name', ['tenant', 'create', '--name', '  '], /--name must be 1 to 100 characters/],
    [
      'a bare-domain --origin',
      ['tenant', 'create', '--name', 'X', '--origin', 'example.com'],
      /--origin "example.com": .*bare domain/,
    ],
    [
      'an --origin with a path',
      ['tenant', 'create', '--name', 'X', '--origin', 'https://a.example/x'],
      /path/,
    ],
    [
      'a wildcard --origin',
      ['tenant', 'create', '--name', 'X', '--origin', 'https://*.a.example'],
      /Wildcards/,
    ],
    [
      'an unknown --scopes on tenant create',
      ['tenant', 'create', '--name', 'X', '--scopes', 'root'],
      /unknown scope root/,
    ],
    [
      'a malformed --tenant',
      ['api-key', 'list', '--tenant', 'acme'],
      /--tenant must be a tenant id \(a UUID\)/,
    ],
    [
      'api-key create without --scopes',
      ['api-key', 'create', '--tenant', uuid],
      /required option '--scopes <list>'/,
    ],
    [
      'an empty --scopes',
      ['api-key', 'create', '--tenant', uuid, '--scopes', ','],
      /--scopes needs at least one/,
    ],
    [
      'revoke without --id or --key',
      ['api-key', 'revoke', '--tenant', uuid],
      /exactly one of --id KEY_ID or --key API_KEY/,
    ],
    [
      'revoke with both',
      ['api-key', 'revoke', '--tenant', uuid, '--id', 'a', '--key', 'b'],
      /exactly one/,
    ],
    ['an unknown option', ['tenant', 'list', '--colour'], /unknown option '--colour'/],
  ])('exits 2 for %s', async (_name, argv, message) => {
    const r = await cli(argv)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stdout).toBe('')
  })

  it('exits 2 and lists every configuration problem', async () => {
    const r = await cli(['tenant', 'list'], {
      DATABASE_URL: 'mysql://x',
      AURION_TRUST_PROXY: 'anyone',
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^Invalid configuration:/)
    expect(r.stderr).toMatch(/DATABASE_URL must use/)
    expect(r.stderr).toMatch(/AURION_TRUST_PROXY has invalid entries/)
  })

  it('prints help with exit code 0', async () => {
    const r = await cli(['--help'])
    expect(r.code).toBe(0)
    for (const cmd of ['serve', 'migrate', 'tenant', 'api-key', 'user'])
      expect(r.stdout).toMatch(new RegExp(`^ {2}${cmd}\\b`, 'm'))
    const sub = await cli(['api-key', 'create', '--help'])
    expect(sub.code).toBe(0)
    expect(sub.stdout).toMatch(/--scopes <list>/)
  })

  it('prints tables for people', async () => {
    const made = await cli([
      'tenant',
      'create',
      '--name',
      'Table Co',
      '--origin',
      'https://t.example',
    ])
    expect(made.code).toBe(0)
    expect(made.stdout).toMatch(/Created tenant "Table Co"/)
    expect(made.stdout).toMatch(/Admin API key {6}itsm_sk_live_/)
    expect(made.stdout).toMatch(/shown only this once/)
    const list = await cli(['tenant', 'list'])
    expect(list.stdout).toMatch(/^TENANT ID +NAME +PUBLIC WIDGET KEY +ENABLED +ORIGINS$/m)
    expect(list.stdout).toMatch(/Table Co +vwk_\w{24} +yes +https:\/\/t\.example/)
  })
})

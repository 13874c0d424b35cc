/**
 * Setup of the fuzz and victim tenants through the API, and the snapshot of the victim's stored
 * rows.
 */
import { createHash } from 'node:crypto'
import SQLite from 'better-sqlite3'
import { BENCH_ORIGIN, type BenchTenant } from '../lib/seed.ts'
import type { World } from './types.ts'

export async function api(
  base: string,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: unknown } = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`setup ${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text) as Record<string, unknown>
}

async function upload(base: string, t: BenchTenant): Promise<string> {
  const form = new FormData()
  form.set('tenant_id', t.tenantId)
  form.set('public_key', t.publicKey)
  form.set('file', new Blob(['hello from the bad input run\n'], { type: 'text/plain' }), 'note.txt')
  const res = await fetch(`${base}/api/v1/widget/uploads`, {
    method: 'POST',
    headers: { origin: BENCH_ORIGIN },
    body: form,
  })
  const text = await res.text()
  if (res.status !== 201) throw new Error(`setup upload: ${res.status} ${text}`)
  return (JSON.parse(text) as { upload_id: string }).upload_id
}

export async function prepare(
  base: string,
  fuzz: BenchTenant,
  victim: BenchTenant,
): Promise<World> {
  const login = await api(base, 'POST', '/api/v1/auth/login', {
    body: { email: 'fuzz-admin@fuzz.example', password: 'fuzz-password-123' },
  })
  const session = String(login.token)
  const world = {} as World
  for (const [name, t] of [
    ['fuzz', fuzz],
    ['victim', victim],
  ] as const) {
    const key = { 'x-api-key': t.apiKey }
    await api(base, 'PUT', '/api/v1/voice-widget/config', {
      headers: key,
      body: {
        enabled: true,
        display_title: `${name} support`,
        launcher_label: 'Chat',
        allowed_origins: [BENCH_ORIGIN],
      },
    })
    const article = await api(base, 'POST', '/api/v1/knowledge/articles', {
      headers: key,
      body: { title: `${name}: returns`, body: 'Returns are free within 30 days.' },
    })
    const email = `${name}-visitor@example.com`
    const token = await api(base, 'POST', '/api/v1/widget/session', {
      headers: { origin: BENCH_ORIGIN },
      body: { tenant_id: t.tenantId, public_key: t.publicKey, email },
    })
    const message = await api(base, 'POST', '/api/v1/widget/messages', {
      headers: { origin: BENCH_ORIGIN },
      body: {
        tenant_id: t.tenantId,
        public_key: t.publicKey,
        body: 'How do I return a chair?',
        email_token: token.email_token,
        source_message_id: `${name}-seed-1`,
      },
    })
    const uploadId = await upload(base, t)
    const ids = {
      articleId: String(article.id),
      conversationId: String(message.conversation_id),
      uploadId,
      email,
    }
    if (name === 'fuzz')
      world.fuzz = { ...t, ...ids, session, emailToken: String(token.email_token) }
    else world.victim = { ...t, ...ids }
  }
  return world
}

/** The victim's rows, as stable text (volatile bookkeeping columns left out). */
export function snapshot(dbFile: string, tenantId: string): Map<string, string> {
  const db = new SQLite(dbFile, { readonly: true })
  try {
    const out = new Map<string, string>()
    const take = (table: string, where: string, omit: string[] = []) => {
      const rows = db
        .prepare(`select * from ${table} where ${where} order by rowid`)
        .all(tenantId) as Record<string, unknown>[]
      rows.forEach((r, i) => {
        for (const k of omit) delete r[k]
        for (const [k, v] of Object.entries(r))
          if (Buffer.isBuffer(v)) r[k] = `sha256:${createHash('sha256').update(v).digest('hex')}`
        out.set(`${table}#${String(r.id ?? i)}`, JSON.stringify(r))
      })
    }
    take('tenants', 'id = ?')
    take('tenant_origins', 'tenant_id = ?')
    take('api_keys', 'tenant_id = ?', ['last_used_at'])
    take('admin_users', 'tenant_id = ?')
    take('contacts', 'tenant_id = ?')
    take('conversations', 'tenant_id = ?')
    take('threads', 'tenant_id = ?')
    take('messages', 'tenant_id = ?')
    take('uploads', 'tenant_id = ?')
    take('knowledge_articles', 'tenant_id = ?')
    return out
  } finally {
    db.close()
  }
}

/**
 * Bad input: a generator driven by the server's own OpenAPI document (`GET /api/v1/openapi.json`)
 * and fast-check sends malformed requests to every documented endpoint plus the ops endpoints:
 * wrong types, missing and extra fields, huge and unicode strings, null bytes, prototype keys,
 * deep nesting, broken JSON and multipart, odd content types and headers, bad path and query
 * parameters, raw protocol garbage on a TCP socket, and WebSocket sessions with bad connect
 * parameters, bad and oversized frames. Most requests carry valid credentials of a "fuzz" tenant
 * so they get past authentication into the handlers; a "victim" tenant only ever receives
 * broken requests under its own credentials. Afterwards: zero 5xx, the server still up and
 * healthy, no "unhandled error" in its log, and the victim's stored data byte for byte unchanged.
 *
 *   npx tsx bench/bad-input.ts [requests] [wsSessions]    (BENCH_SEED=n to replay a run)
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import SQLite from 'better-sqlite3'
import fc from 'fast-check'
import WebSocket from 'ws'
import { aurionEnv } from './http.ts'
import { type BenchChild, forkServer } from './lib/child.ts'
import { BENCH_ORIGIN, type BenchTenant, seedStore } from './lib/seed.ts'

// biome-ignore lint/suspicious/noExplicitAny: JSON Schema documents are untyped here
type Schema = Record<string, any>

/** One documented operation. */
interface Operation {
  method: string
  /** OpenAPI path with `{param}` placeholders. */
  path: string
  pathParams: string[]
  query: { name: string; schema: Schema; required: boolean }[]
  body: Schema | undefined
  multipart: boolean
  auth: 'admin' | 'public' | 'none'
}

/** One HTTP request the generator made. */
interface HttpCase {
  op: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer | undefined
  /** Sent with the victim's credentials: must be refused (4xx) and must change nothing. */
  victim: boolean
  what: string
}

interface Finding {
  op: string
  what: string
  status: number | string
  request: string
  response: string
}

export interface BadInputResult {
  seed: number
  operations: number
  /** HTTP requests sent (documented routes, ops routes, multipart, raw TCP). */
  requests: number
  /** Requests refused with a 4xx: malformed ones, at least (some generated ones are valid). */
  refused: number
  byStatus: Record<string, number>
  /** Requests that got no answer (connection reset or closed), by operation and input. */
  resets: Record<string, number>
  /** Answers with status ≥ 500 (and raw connections the server answered with 5xx). */
  serverErrors: number
  /** Victim requests the server accepted (2xx): malformed input it did not refuse. */
  victimAccepted: number
  wsSessions: number
  wsFrames: number
  /** `internal_error` frames or 1011 closes. */
  wsServerErrors: number
  wsCloseCodes: Record<string, number>
  /** Still up and /healthz answering 200 at the end. */
  serverAlive: boolean
  /** Rows of the victim tenant that differ after the run. */
  changed: string[]
  /** `unhandled error` entries in the server log. */
  loggedErrors: string[]
  /** Clients' WebSocket protocol violations the server logged at error level. */
  loggedClientErrors: number
  findings: Finding[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Percent-encodes the UTF-8 bytes of any string (lone surrogates too, unlike encodeURIComponent). */
const pct = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')

// ---------------------------------------------------------------------------------------------
// Generators

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0000'.repeat(64),
  '\uD800',
  '\uDFFF\uD800',
  '\u202Eevil',
  '\uFEFF',
  'ﬀ',
  'İ',
  '𝕳𝖊𝖑𝖑𝖔',
  '👩‍👩‍👧‍👦'.repeat(200),
  'a'.repeat(4001),
  'b'.repeat(70_000),
  '9'.repeat(400),
  '-1',
  '1e309',
  'NaN',
  'true',
  'null',
  'undefined',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '%',
  '%zz',
  '\r\nSet-Cookie: x=1',
  "' OR 1=1 --",
  '"; drop table messages; --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4j-style probe, literally
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'https://shop.example',
  'conv_does_not_exist',
  'thread_123',
  'vwk_000000000000000000000000',
  'itsm_sk_live_000000000000000000000000',
  '00000000-0000-0000-0000-000000000000',
]

const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 200, maxLength: 5000 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\u0000${b}`),
  },
)

/** JSON text nested `depth` levels deep (parsers that recurse may overflow their stack). */
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      0,
      -1,
      1.5,
      -0,
      2 ** 53 + 1,
      1e308,
      -1e308,
      true,
      false,
      null,
      [],
      {},
      [null],
      { '': '' },
    ),
  },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.array(fc.string(), { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.object({ maxDepth: 2, maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.constant('x'), { minLength: 1000, maxLength: 3000 }) },
)

/** Values that satisfy `schema` (as far as a generator easily can). */
function valid(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.constant(null)
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum)
  const alts = schema.anyOf ?? schema.oneOf
  if (Array.isArray(alts) && alts.length > 0)
    return fc.oneof(...alts.map((s: Schema) => valid(s, depth + 1)))
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string': {
      if (schema.format === 'email') return fc.emailAddress().filter((e) => e.length <= 254)
      if (schema.format === 'uri') return fc.webUrl()
      if (schema.format === 'date-time')
        return fc.date({ noInvalidDate: true }).map((d) => d.toISOString())
      if (typeof schema.pattern === 'string') {
        try {
          return fc
            .stringMatching(new RegExp(schema.pattern))
            .filter(
              (s) => s.length >= (schema.minLength ?? 0) && s.length <= (schema.maxLength ?? 200),
            )
        } catch {
          // Fall through to a plain string.
        }
      }
      const min = schema.minLength ?? 0
      const max = Math.max(min, Math.min(schema.maxLength ?? 60, 60))
      return fc.string({ minLength: min, maxLength: max })
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 })
    case 'number':
      return fc.double({
        min: schema.minimum ?? -1000,
        max: schema.maximum ?? 1000,
        noNaN: true,
        noDefaultInfinity: true,
      })
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array':
      return fc.array(valid(schema.items, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      })
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>
      const required = new Set<string>(schema.required ?? [])
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [k, s] of Object.entries(props)) model[k] = valid(s, depth + 1)
      if (Object.keys(model).length === 0)
        return schema.additionalProperties
          ? fc.dictionary(
              fc.string({ maxLength: 8 }),
              valid(schema.additionalProperties, depth + 1),
              {
                maxKeys: 3,
              },
            )
          : fc.constant({})
      return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) })
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

type Mutation =
  | { kind: 'drop' }
  | { kind: 'set'; value: unknown }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'replace'; value: unknown }
  | { kind: 'none' }

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('drop' as const) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), value: nastyValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      key: fc.oneof(
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'role', 'tenant', 'is_admin'),
        fc.string({ maxLength: 12 }),
      ),
      value: nastyValue,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), value: nastyValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('none' as const) }) },
)

/** Applies mutations to an object; `pick` chooses the key each one touches. */
function mutate(value: unknown, muts: Mutation[], picks: number[]): unknown {
  let v = value
  muts.forEach((m, i) => {
    if (m.kind === 'replace') {
      v = m.value
      return
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return
    const o = { ...(v as Record<string, unknown>) }
    const keys = Object.keys(o)
    const key = keys.length > 0 ? keys[picks[i]! % keys.length]! : 'x'
    if (m.kind === 'drop') delete o[key]
    else if (m.kind === 'set') o[key] = m.value
    else if (m.kind === 'extra') {
      // A real own "__proto__" key, as JSON.parse would produce from the wire.
      Object.defineProperty(o, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      })
    }
    v = o
  })
  return v
}

/** Bodies that are not well-formed JSON objects at all. */
const brokenJson = (valid: string): fc.Arbitrary<{ text: string; what: string }> =>
  fc.oneof(
    fc.integer({ min: 0, max: Math.max(0, valid.length - 1) }).map((n) => ({
      text: valid.slice(0, n),
      what: 'truncated JSON',
    })),
    fc.constantFrom(
      { text: `${valid}}`, what: 'trailing brace' },
      { text: `${valid},{}`, what: 'two values' },
      { text: valid.replace(/"/g, "'"), what: 'single quotes' },
      { text: '{"a":1,}', what: 'trailing comma' },
      { text: '{"a":NaN}', what: 'NaN literal' },
      { text: '{"body":"\\ud800"}', what: 'lone surrogate escape' },
      { text: '{"__proto__":{"isAdmin":true}}', what: '__proto__ key' },
      { text: '{"constructor":{"prototype":{"x":1}}}', what: 'constructor.prototype key' },
      { text: '\u0000', what: 'null byte' },
      { text: '', what: 'empty body' },
      { text: ' ', what: 'blank body' },
      { text: 'null', what: 'JSON null' },
      { text: '[]', what: 'JSON array' },
      { text: '"string"', what: 'JSON string' },
      { text: '12345678901234567890123456789', what: 'huge number' },
      { text: deep(5000), what: 'nested 5,000 deep' },
      {
        text: `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`,
        what: 'object nested 100,000 deep',
      },
      { text: deep(400_000), what: 'array nested 400,000 deep' },
      { text: `{"body":"${'x'.repeat(1_100_000)}"}`, what: 'over the 1 MB body limit' },
    ),
    fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .map((a) => ({ text: Buffer.from(a).toString('latin1'), what: 'random bytes' })),
  )

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;;',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/xml',
  'application/octet-stream',
  '*/*',
  'application/vnd.api+json',
  'invalid',
  '',
]

const ODD_ORIGINS = [
  'null',
  '',
  'https://shop.example/',
  'https://shop.example/path',
  'https://SHOP.example',
  'https://shop.example:443',
  'https://shop.example:8443',
  'http://shop.example',
  'https://shop.example.evil.com',
  'https://evilshop.example',
  'https://user:pass@shop.example',
  'file://',
  'javascript:alert(1)',
  'https://xn--80ak6aa92e.com',
  `https://${'a'.repeat(5000)}.example`,
  'https://shop.example, https://evil.example',
  '*',
]

// ---------------------------------------------------------------------------------------------
// The document

function operationsOf(doc: Schema): Operation[] {
  const ops: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const [method, op] of Object.entries(item as Record<string, Schema>)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      // A server-sent event stream answers a good request by staying open: each would hold a
      // worker until the client's timeout. Its bad input (auth, query) is tested with the inbox.
      if (op.responses?.['200']?.content?.['text/event-stream'] || path === '/api/v1/inbox/events')
        continue
      const params = (op.parameters ?? []) as Schema[]
      const content = (op.requestBody?.content ?? {}) as Record<string, Schema>
      const secured = Array.isArray(op.security) && op.security.length > 0
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name as string),
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({
            name: p.name as string,
            schema: p.schema as Schema,
            required: !!p.required,
          })),
        body: content['application/json']?.schema as Schema | undefined,
        multipart:
          'multipart/form-data' in content || (/\/uploads$/.test(path) && method === 'post'),
        auth: secured
          ? 'admin'
          : /^\/api\/v1\/(widget|voice-widget\/embed)\//.test(path)
            ? 'public'
            : 'none',
      })
    }
  }
  // Not in the document (hidden), but reachable by anyone.
  for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json'])
    ops.push({
      method: 'GET',
      path,
      pathParams: [],
      query: [],
      body: undefined,
      multipart: false,
      auth: 'none',
    })
  return ops
}

/** Operations that, if they succeeded with the fuzz tenant's credentials, would spoil the run. */
function spoils(op: Operation): boolean {
  return /regenerate-key|rotate-identity-secret|\/auth\/logout/.test(op.path)
}

/** Operations the victim's credentials may be used on (with broken bodies only). */
function victimSafe(op: Operation): boolean {
  if (op.body === undefined) return false
  return !/regenerate-key|rotate-identity-secret/.test(op.path) && op.method !== 'DELETE'
}

// ---------------------------------------------------------------------------------------------
// Setup

interface World {
  fuzz: BenchTenant & {
    session: string
    articleId: string
    conversationId: string
    uploadId: string
    email: string
    emailToken: string
  }
  victim: BenchTenant & {
    articleId: string
    conversationId: string
    uploadId: string
    email: string
  }
}

async function api(
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

async function prepare(base: string, fuzz: BenchTenant, victim: BenchTenant): Promise<World> {
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
function snapshot(dbFile: string, tenantId: string): Map<string, string> {
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

// ---------------------------------------------------------------------------------------------
// Cases

function caseArbitrary(ops: Operation[], w: World): fc.Arbitrary<HttpCase> {
  const f = w.fuzz
  const v = w.victim
  const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')

  const pathValue = fc.oneof(
    { weight: 3, arbitrary: nastyString.map((s) => pct(s.slice(0, 300))) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(f.articleId, f.conversationId, f.uploadId, 'key_0', 'x'),
    },
    { weight: 1, arbitrary: fc.constantFrom(v.articleId, v.conversationId, v.uploadId) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '..%2F..%2Fetc%2Fpasswd',
        '%2e%2e',
        '%00',
        '%',
        'a%2Fb',
        '%E2%80%AE',
        'x'.repeat(3000),
      ),
    },
  )
  const origin = fc.oneof(
    { weight: 8, arbitrary: fc.constant(BENCH_ORIGIN) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom(...ODD_ORIGINS) },
  )
  // Credentials that certainly fail (for operations that would spoil the run if they worked:
  // a regenerated key or a revoked session makes every later request a plain 401/403).
  const badAdminAuth = fc.oneof(
    fc.constant({}),
    nastyString.map((s) => ({ 'x-api-key': headerSafe(s.slice(0, 5000)) })),
    nastyString.map((s) => ({ authorization: headerSafe(`Bearer ${s.slice(0, 5000)}`) })),
    fc.constantFrom(
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
      { authorization: 'Bearer' },
      { 'x-api-key': f.apiKey.slice(0, -1) },
      { 'x-api-key': v.apiKey.replace(/.$/, '0') },
    ),
  )
  const adminAuth = fc.oneof(
    { weight: 6, arbitrary: fc.constant({ 'x-api-key': f.apiKey }) },
    { weight: 2, arbitrary: fc.constant({ authorization: `Bearer ${f.session}` }) },
    { weight: 2, arbitrary: badAdminAuth },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { authorization: `bearer ${f.session}` },
        { 'x-api-key': `${f.apiKey} ` },
        { 'x-api-key': f.apiKey, authorization: 'Bearer nonsense' },
      ),
    },
  )
  const publicCreds = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ tenant_id: f.tenantId, public_key: f.publicKey }) },
    { weight: 1, arbitrary: fc.constant({ tenant_id: v.tenantId, public_key: f.publicKey }) },
    {
      weight: 1,
      arbitrary: fc.constant({ tenant_id: f.tenantId.toUpperCase(), public_key: f.publicKey }),
    },
    { weight: 2, arbitrary: fc.record({ tenant_id: nastyValue, public_key: nastyValue }) },
  )
  const extraHeaders = fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        { 'x-forwarded-for': '1.2.3.4, 5.6.7.8' },
        { 'x-forwarded-for': 'not an ip' },
        { accept: 'text/html' },
        { accept: 'application/xml;q=2' },
        { 'accept-encoding': 'br;q=abc, gzip;q=-1' },
        { 'accept-language': 'xx-ZZ;q=0.9, *;q=2' },
        { 'if-none-match': '*' },
        { range: 'bytes=0-1,5-2' },
        { cookie: 'a=b; c' },
        { 'x-http-method-override': 'DELETE' },
        { expect: '100-continue' },
        { 'content-encoding': 'gzip' },
        { 'transfer-encoding': 'identity' },
        { host: 'evil.example' },
        { 'user-agent': 'x'.repeat(8000) },
      ),
    },
  )

  const forOp = (op: Operation): fc.Arbitrary<HttpCase> => {
    const opName = `${op.method} ${op.path}`
    const pathArb = fc
      .tuple(...op.pathParams.map(() => pathValue), fc.constant(null))
      .map((vals) => {
        let p = op.path
        op.pathParams.forEach((name, i) => {
          p = p.replace(`{${name}}`, String(vals[i]))
        })
        return p
      })
    const queryArb = fc
      .tuple(
        valid({
          type: 'object',
          properties: Object.fromEntries(op.query.map((q) => [q.name, q.schema])),
        }),
        fc.array(mutation, { maxLength: 3 }),
        fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        fc.oneof(
          { weight: 6, arbitrary: fc.constant('') },
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              '&tenant_id=1&tenant_id=2',
              '&limit=1&limit=x',
              '&a[b]=1',
              '&%zz=1',
              '&=',
              '&&&',
              `&pad=${'x'.repeat(9000)}`,
              '&message_limit=1e3',
              '&limit=-0',
            ),
          },
        ),
        op.auth === 'public' ? publicCreds : fc.constant({}),
        fc.boolean(),
      )
      .map(([base, muts, picks, raw, creds, realToken]) => {
        const params = new URLSearchParams()
        const q = mutate(
          { ...(base as object), ...(op.query.some((x) => x.name === 'tenant_id') ? creds : {}) },
          muts,
          picks,
        )
        if (q && typeof q === 'object' && !Array.isArray(q))
          for (const [k, val] of Object.entries(q)) {
            if (val === undefined) continue
            params.set(k, typeof val === 'string' ? val : JSON.stringify(val))
          }
        if (realToken && op.query.some((x) => x.name === 'email_token'))
          params.set('email_token', f.emailToken)
        const s = params.toString() + raw
        return s === '' ? '' : `?${s.replace(/^&/, '')}`
      })

    const headersArb = fc
      .tuple(
        op.auth === 'admin' ? (spoils(op) ? badAdminAuth : adminAuth) : fc.constant({}),
        origin,
        extraHeaders,
      )
      .map(
        ([auth, o, extra]) =>
          ({ ...auth, ...(o !== undefined ? { origin: o } : {}), ...extra }) as Record<
            string,
            string
          >,
      )

    const bodyArb: fc.Arbitrary<{ body?: string | Buffer; contentType?: string; what: string }> =
      op.multipart
        ? multipartBody(f)
        : op.body
          ? fc.oneof(
              {
                weight: 6,
                arbitrary: fc
                  .tuple(
                    valid(op.body),
                    fc.array(mutation, { minLength: 1, maxLength: 3 }),
                    fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
                    op.auth === 'public' ? publicCreds : fc.constant({}),
                    fc.constantFrom(...CONTENT_TYPES.slice(0, 2), ...CONTENT_TYPES),
                  )
                  .map(([b, muts, picks, creds, ct]) => ({
                    body:
                      JSON.stringify(mutate({ ...(b as object), ...creds }, muts, picks)) ?? 'null',
                    contentType: ct,
                    what: `mutated ${muts.map((m) => m.kind).join('+')} as ${ct || 'no type'}`,
                  })),
              },
              {
                weight: 3,
                arbitrary: fc
                  .tuple(valid(op.body), op.auth === 'public' ? publicCreds : fc.constant({}))
                  .chain(([b, creds]) =>
                    brokenJson(JSON.stringify({ ...(b as object), ...creds })).map((x) => ({
                      body: x.text,
                      contentType: 'application/json',
                      what: x.what,
                    })),
                  ),
              },
            )
          : fc.oneof(
              { weight: 4, arbitrary: fc.constant({ what: 'no body' }) },
              {
                weight: 1,
                arbitrary: brokenJson('{"a":1}').map((x) => ({
                  body: x.text,
                  contentType: 'application/json',
                  what: `unexpected body: ${x.what}`,
                })),
              },
            )

    return fc.tuple(pathArb, queryArb, headersArb, bodyArb).map(([p, q, h, b]) => ({
      op: opName,
      method: op.method,
      path: p + q,
      headers: {
        ...h,
        ...(b.contentType !== undefined && b.contentType !== ''
          ? { 'content-type': b.contentType }
          : {}),
      },
      body: b.body,
      victim: false,
      what: b.what,
    }))
  }

  const victimOps = ops.filter(victimSafe)
  const victimCase = (op: Operation): fc.Arbitrary<HttpCase> => {
    const creds = op.auth === 'public' ? { tenant_id: v.tenantId, public_key: v.publicKey } : {}
    const headers: Record<string, string> =
      op.auth === 'admin'
        ? { 'x-api-key': v.apiKey, origin: BENCH_ORIGIN }
        : { origin: BENCH_ORIGIN }
    const path = op.path.replace(/\{[^}]+\}/g, v.articleId)
    const required = (op.body?.required ?? []).filter((k: string) => !(k in creds)) as string[]
    const broken = fc.oneof(
      valid(op.body)
        .chain((b) => brokenJson(JSON.stringify({ ...(b as object), ...creds })))
        // A well-formed JSON object, so not "certainly broken": a deeply nested object under an
        // unknown key (ignored, e.g. a no-op PATCH). A lone surrogate escape is refused (422).
        .filter((x) => x.what !== 'object nested 100,000 deep')
        .map((x) => ({ body: x.text, ct: 'application/json', what: x.what })),
      fc
        .tuple(
          valid(op.body),
          fc.constantFrom(
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/xml',
            'multipart/form-data; boundary=x',
          ),
        )
        .map(([b, ct]) => ({
          body: JSON.stringify({ ...(b as object), ...creds }),
          ct,
          what: `well-formed JSON as ${ct}`,
        })),
      fc
        .constantFrom('null', '[]', '"x"', '42', 'true')
        .map((t) => ({ body: t, ct: 'application/json', what: `JSON ${t} instead of an object` })),
      ...(required.length > 0
        ? [
            fc.tuple(valid(op.body), fc.constantFrom(...required)).map(([b, k]) => {
              const o = { ...(b as object), ...creds } as Record<string, unknown>
              delete o[k]
              return {
                body: JSON.stringify(o),
                ct: 'application/json',
                what: `missing required ${k}`,
              }
            }),
            fc
              .tuple(
                valid(op.body),
                fc.constantFrom(...required),
                fc.constantFrom<unknown>(null, 12, [], {}, true),
              )
              .map(([b, k, bad]) => {
                const o = { ...(b as object), ...creds } as Record<string, unknown>
                o[k] = bad
                return {
                  body: JSON.stringify(o),
                  ct: 'application/json',
                  what: `required ${k} = ${JSON.stringify(bad)}`,
                }
              }),
          ]
        : []),
    )
    return broken.map((b) => ({
      op: `${op.method} ${op.path}`,
      method: op.method,
      path,
      headers: { ...headers, 'content-type': b.ct },
      body: b.body,
      victim: true,
      what: `victim: ${b.what}`,
    }))
  }

  return fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...ops).chain(forOp) },
    { weight: 2, arbitrary: fc.constantFrom(...victimOps).chain(victimCase) },
  )
}

function multipartBody(
  f: World['fuzz'],
): fc.Arbitrary<{ body?: string | Buffer; contentType?: string; what: string }> {
  const field = (b: string, name: string, value: string) =>
    `--${b}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const file = (b: string, filename: string, type: string, content: string | Buffer) =>
    Buffer.concat([
      Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      Buffer.isBuffer(content) ? content : Buffer.from(content),
      Buffer.from('\r\n'),
    ])
  const creds = (b: string) =>
    field(b, 'tenant_id', f.tenantId) + field(b, 'public_key', f.publicKey)
  const b = 'BenchBoundary7MA4YWxkTrZu0gW'
  const ct = `multipart/form-data; boundary=${b}`
  const end = `--${b}--\r\n`
  const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
  const cases: { body: string | Buffer; contentType?: string; what: string }[] = [
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'ok.txt', 'text/plain', 'fine'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'well-formed upload',
    },
    {
      body: Buffer.concat([Buffer.from(creds(b)), file(b, 'ok.txt', 'text/plain', 'fine')]),
      contentType: ct,
      what: 'multipart without closing boundary',
    },
    { body: Buffer.from(creds(b) + end), contentType: ct, what: 'no file part' },
    {
      body: Buffer.concat([file(b, 'a.txt', 'text/plain', 'x'), Buffer.from(creds(b) + end)]),
      contentType: ct,
      what: 'file before the credentials',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'a.txt', 'text/plain', 'x'),
        file(b, 'b.txt', 'text/plain', 'y'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'two files',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, '../../etc/passwd', 'text/plain', 'x'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'path traversal file name',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'a\u0000b.png', 'image/png', PNG),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'null byte in file name',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'évil‮gpj.exe', 'image/jpeg', 'MZ\u0090\u0000'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'exe claiming jpeg, RTL name',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'x.svg', 'image/svg+xml', '<svg onload="alert(1)"/>'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'svg with script',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'x.html', 'text/html', '<script>alert(1)</script>'),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'html upload',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'empty.txt', 'text/plain', ''),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'empty file',
    },
    {
      body: Buffer.from(creds(b) + field(b, 'tenant_id', 'again') + end),
      contentType: ct,
      what: 'repeated field',
    },
    {
      body: Buffer.from(field(b, 'tenant_id', 'x'.repeat(10_000)) + end),
      contentType: ct,
      what: 'field over the size limit',
    },
    {
      body: Buffer.from(
        Array.from({ length: 20 }, (_, i) => field(b, `f${i}`, 'v')).join('') + end,
      ),
      contentType: ct,
      what: 'too many parts',
    },
    {
      body: Buffer.concat([
        Buffer.from(creds(b)),
        file(b, 'big.txt', 'text/plain', Buffer.alloc(11 * 1024 * 1024, 97)),
        Buffer.from(end),
      ]),
      contentType: ct,
      what: 'file over 10 MB',
    },
    {
      body: Buffer.from(creds(b) + end),
      contentType: 'multipart/form-data',
      what: 'no boundary parameter',
    },
    {
      body: Buffer.from(creds(b) + end),
      contentType: 'multipart/form-data; boundary=other',
      what: 'wrong boundary',
    },
    { body: Buffer.from('--\r\n\r\n--'), contentType: ct, what: 'garbage multipart' },
    {
      body: JSON.stringify({ tenant_id: f.tenantId, public_key: f.publicKey }),
      contentType: 'application/json',
      what: 'JSON instead of multipart',
    },
    {
      body: Buffer.from(
        `--${b}\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\n`,
      ),
      contentType: ct,
      what: 'body cut inside the file',
    },
  ]
  return fc.constantFrom(...cases)
}

// ---------------------------------------------------------------------------------------------
// Transports

/**
 * The server may answer early (a 413, a 400 on a bad head) and close the connection while the
 * rest of the body is still being written. Node then reports the failed write on the socket after
 * the request has already let go of it, and a socket error without a listener ends the test
 * process. The request still sees its own errors; this only keeps a late one from escaping.
 */
const guardedSockets = new WeakSet<object>()
function guardSocket(socket: Socket): void {
  if (guardedSockets.has(socket)) return
  guardedSockets.add(socket)
  socket.on('error', () => {})
}

function send(
  port: number,
  agent: Agent | false,
  c: HttpCase,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let req: ReturnType<typeof httpRequest>
    try {
      req = httpRequest({
        host: '127.0.0.1',
        port,
        method: c.method,
        path: c.path,
        headers: c.headers,
        agent,
        timeout: 60_000,
      })
    } catch (err) {
      // The client refused to send it (e.g. a character Node does not allow in a path).
      reject(err)
      return
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (d: Buffer) => {
        if (chunks.length < 20) chunks.push(d)
      })
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8').slice(0, 500),
        }),
      )
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.on('socket', guardSocket)
    if (c.body !== undefined) req.end(c.body)
    else req.end()
  })
}

/** Hand-written HTTP/1.1 that no well-behaved client sends. */
function rawCases(f: World['fuzz']): { what: string; data: string | Buffer }[] {
  const json = JSON.stringify({ tenant_id: f.tenantId, public_key: f.publicKey })
  const head = (extra: string) =>
    `POST /api/v1/voice-widget/embed/config HTTP/1.1\r\nHost: x\r\nOrigin: ${BENCH_ORIGIN}\r\n${extra}`
  return [
    {
      what: 'null byte in a header value',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n`,
    },
    {
      what: 'header without colon',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n`,
    },
    { what: 'bare LF line ends', data: `GET /healthz HTTP/1.1\nHost: x\n\n` },
    {
      what: '100 KB header',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    },
    {
      what: '500 headers',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 500 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
    },
    {
      what: 'two different Content-Lengths',
      data: `${head('Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n')}${json}`,
    },
    {
      what: 'Content-Length and chunked',
      data: `${head(`Content-Type: application/json\r\nContent-Length: ${json.length}\r\nTransfer-Encoding: chunked\r\n\r\n`)}${json}`,
    },
    {
      what: 'broken chunk size',
      data: `${head('Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')}zz\r\n${json}\r\n0\r\n\r\n`,
    },
    {
      what: 'chunked body cut off',
      data: `${head('Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')}${(json.length + 50).toString(16)}\r\n${json}`,
    },
    {
      what: 'Content-Length larger than the body',
      data: `${head(`Content-Type: application/json\r\nContent-Length: ${json.length + 100}\r\n\r\n`)}${json}`,
    },
    {
      what: 'Content-Length smaller than the body',
      data: `${head('Content-Type: application/json\r\nContent-Length: 3\r\n\r\n')}${json}`,
    },
    {
      what: 'negative Content-Length',
      data: `${head('Content-Type: application/json\r\nContent-Length: -1\r\n\r\n')}${json}`,
    },
    {
      what: 'huge Content-Length',
      data: `${head('Content-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n')}${json}`,
    },
    { what: 'unknown method', data: `BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n` },
    { what: 'HTTP/0.9 style', data: `GET /healthz\r\n\r\n` },
    { what: 'HTTP/9.9', data: `GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n` },
    {
      what: 'absolute-form URL',
      data: `GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n`,
    },
    {
      what: 'raw space and unicode in the path',
      data: Buffer.from(
        `GET /api/v1/knowledge/articles/a b ü HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.apiKey}\r\n\r\n`,
        'utf8',
      ),
    },
    {
      what: 'bad percent escapes',
      data: `GET /api/v1/knowledge/articles/%E0%A4%A HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.apiKey}\r\n\r\n`,
    },
    {
      what: 'double slashes and dots',
      data: `GET //api/v1/../v1/./knowledge//articles HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.apiKey}\r\n\r\n`,
    },
    {
      what: 'encoded traversal to an upload',
      data: `GET /api/v1/uploads/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\nX-API-Key: ${f.apiKey}\r\n\r\n`,
    },
    {
      what: 'invalid UTF-8 in JSON',
      data: Buffer.concat([
        Buffer.from(head('Content-Type: application/json\r\nContent-Length: 40\r\n\r\n')),
        Buffer.from('{"tenant_id":"\xff\xfe\xfd","public_key":"a"}  ', 'latin1'),
      ]),
    },
    {
      what: 'WebSocket upgrade without key',
      data: `GET /api/v1/widget/ws?tenant_id=${f.tenantId}&public_key=${f.publicKey} HTTP/1.1\r\nHost: x\r\nOrigin: ${BENCH_ORIGIN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
    },
    {
      what: 'WebSocket upgrade with version 99',
      data: `GET /api/v1/widget/ws?tenant_id=${f.tenantId}&public_key=${f.publicKey} HTTP/1.1\r\nHost: x\r\nOrigin: ${BENCH_ORIGIN}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 99\r\n\r\n`,
    },
    {
      what: 'upgrade to something else',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n`,
    },
    {
      what: 'pipelined garbage after a request',
      data: `GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\u0000\u0001\u0002GARBAGE\r\n\r\n`,
    },
    { what: 'TLS hello on a plain port', data: Buffer.from('160301020001000200', 'hex') },
    { what: 'nothing but newlines', data: '\r\n\r\n\r\n\r\n' },
  ]
}

/** Sends raw bytes; resolves with the status line's code, or 'closed' when none came. */
function sendRaw(port: number, data: string | Buffer): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port })
    let got = ''
    const finish = () => {
      s.destroy()
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got)
      resolve(m ? Number(m[1]) : 'closed')
    }
    s.setTimeout(3000, finish)
    s.on('data', (d) => {
      got += d.toString('latin1')
      if (/\r\n\r\n/.test(got)) finish()
    })
    s.on('error', finish)
    s.on('close', finish)
    s.write(data)
  })
}

// ---------------------------------------------------------------------------------------------
// WebSocket sessions

type WsPlan = {
  query: string
  origin: string | undefined
  frames: { data: string | Buffer; binary: boolean; what: string }[]
}

function wsArbitrary(w: World): fc.Arbitrary<WsPlan> {
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

async function runWsPlan(
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

// ---------------------------------------------------------------------------------------------

export interface BadInputOptions {
  requests?: number
  wsSessions?: number
  concurrency?: number
  seed?: number
  log?: (line: string) => void
}

export async function runBadInput(opts: BadInputOptions = {}): Promise<BadInputResult> {
  const total = opts.requests ?? 12_500
  const wsSessions = opts.wsSessions ?? 300
  const concurrency = opts.concurrency ?? 16
  const seed = opts.seed ?? Number(process.env.BENCH_SEED ?? 20_260_601)
  const log = opts.log ?? (() => {})
  const dir = mkdtempSync(join(tmpdir(), 'aurion-bad-input-'))
  const dbFile = join(dir, 'aurion.db')
  let server: BenchChild | undefined
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  try {
    const store = { dialect: 'sqlite' as const, file: dbFile }
    const fuzzTenant = await seedStore(store, {
      consoleUser: { email: 'fuzz-admin@fuzz.example', password: 'fuzz-password-123' },
    })
    const victimTenant = await seedStore(store, {
      consoleUser: { email: 'victim-admin@victim.example', password: 'victim-password-123' },
    })
    // Limits raised (not off): requests reach the handlers instead of stopping at a 429.
    server = await forkServer(
      'aurion',
      aurionEnv(dir, {
        LOG_LEVEL: 'error',
        AURION_RATE_LIMIT_MULTIPLIER: '10000',
        // Tokens are minted locally: no LiveKit server is needed to exercise the token routes.
        LIVEKIT_URL: 'wss://livekit.bench.invalid',
        LIVEKIT_API_KEY: 'APIbenchkey',
        LIVEKIT_API_SECRET: 'bench-livekit-secret-0123456789abcdef0123',
      }),
      {
        captureOutput: true,
      },
    )
    const port = server.port
    const base = `http://127.0.0.1:${port}`
    const world = await prepare(base, fuzzTenant, victimTenant)
    const before = snapshot(dbFile, victimTenant.tenantId)

    const doc = (await (await fetch(`${base}/api/v1/openapi.json`)).json()) as Schema
    const ops = operationsOf(doc)
    const raw = rawCases(world.fuzz)
    const httpCount = total - raw.length * 3
    const cases = fc.sample(caseArbitrary(ops, world), { numRuns: httpCount, seed })
    log(
      `  ${ops.length} operations, ${cases.length} generated requests + ${raw.length * 3} raw, seed ${seed}`,
    )

    const byStatus: Record<string, number> = {}
    const findings: Finding[] = []
    const resets: Record<string, number> = {}
    let serverErrors = 0
    let victimAccepted = 0
    const restore = () =>
      api(base, 'PUT', '/api/v1/voice-widget/config', {
        headers: { 'x-api-key': world.fuzz.apiKey },
        body: {
          enabled: true,
          display_title: 'fuzz support',
          launcher_label: 'Chat',
          allowed_origins: [BENCH_ORIGIN],
        },
      })
    const tally = (k: string) => {
      byStatus[k] = (byStatus[k] ?? 0) + 1
    }
    const describe = (c: HttpCase) => {
      const body =
        c.body === undefined
          ? ''
          : Buffer.isBuffer(c.body)
            ? `<${c.body.length} bytes>`
            : c.body.length > 300
              ? `${c.body.slice(0, 300)}… (${c.body.length} chars)`
              : c.body
      return `${c.method} ${c.path.slice(0, 300)} ${JSON.stringify(c.headers).slice(0, 400)} ${body}`
    }
    let next = 0
    let done = 0
    const worker = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        const c = cases[i]!
        try {
          // A kept-alive connection the server closed after the previous request (e.g. a 413)
          // fails at once: such a failure says nothing about this request, so retry it once on
          // a fresh connection.
          const r = await send(port, agent, c).catch((err: NodeJS.ErrnoException) =>
            err.code === 'ECONNRESET' || err.code === 'EPIPE'
              ? send(port, false, c)
              : Promise.reject(err),
          )
          tally(String(r.status))
          if (r.status >= 500) {
            serverErrors++
            if (findings.length < 50)
              findings.push({
                op: c.op,
                what: c.what,
                status: r.status,
                request: describe(c),
                response: r.body,
              })
          } else if (c.victim && r.status < 300) {
            victimAccepted++
            if (findings.length < 50)
              findings.push({
                op: c.op,
                what: `accepted: ${c.what}`,
                status: r.status,
                request: describe(c),
                response: r.body,
              })
          }
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
          // Node refusing to send a request is the client's business; a reset is the server's.
          if (
            code === 'ERR_UNESCAPED_CHARACTERS' ||
            code === 'ERR_INVALID_CHAR' ||
            code === 'ERR_INVALID_HTTP_TOKEN'
          )
            tally('not sent')
          else {
            tally(`error ${code}`)
            const k = `${code} on ${c.op} (${c.what})`
            resets[k] = (resets[k] ?? 0) + 1
            // The server may close a connection after refusing a body (413); anything else counts.
            if (!server!.alive())
              throw new Error(
                `the server died on: ${describe(c)}\n${server!.output().slice(-3000)}`,
              )
          }
        }
        // Fuzzed config updates may disable the fuzz tenant's widget: switch it back on.
        if (++done % 100 === 0) await restore()
        if (done % 2000 === 0) log(`  ${done} requests…`)
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))

    for (let round = 0; round < 3; round++)
      for (const r of raw) {
        const status = await sendRaw(port, r.data)
        tally(`raw ${status}`)
        if (typeof status === 'number' && status >= 500) {
          serverErrors++
          findings.push({ op: 'raw TCP', what: r.what, status, request: r.what, response: '' })
        }
      }

    await restore()
    const wsStats = {
      frames: 0,
      serverErrors: 0,
      closeCodes: {} as Record<string, number>,
      findings,
    }
    // Whatever the seed, a few sessions break the protocol for sure: a frame over the 64 KB
    // limit (1009), a binary frame, a frame that is not JSON.
    const good = `tenant_id=${world.fuzz.tenantId}&public_key=${world.fuzz.publicKey}`
    const fixed: WsPlan[] = [
      {
        data: JSON.stringify({ body: 'y'.repeat(70_000) }),
        binary: false,
        what: 'oversized frame',
      },
      { data: Buffer.from([0, 1, 2, 255]), binary: true, what: 'binary frame' },
      { data: '{"body":', binary: false, what: 'truncated JSON' },
    ].map((frame) => ({ query: good, origin: BENCH_ORIGIN, frames: [frame] }))
    const plans = [
      ...fixed,
      ...fc.sample(wsArbitrary(world), {
        numRuns: Math.max(0, wsSessions - fixed.length),
        seed: seed + 1,
      }),
    ]
    let nextPlan = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = nextPlan++; i < plans.length; i = nextPlan++)
          await runWsPlan(port, plans[i]!, wsStats)
      }),
    )

    const health = await fetch(`${base}/healthz`).then(
      (r) => r.status,
      () => 0,
    )
    const serverAlive = server.alive() && health === 200
    await server.stop()
    const after = snapshot(dbFile, victimTenant.tenantId)
    const changed: string[] = []
    for (const [k, v] of before)
      if (after.get(k) !== v)
        changed.push(
          `${k} changed: ${v.slice(0, 200)} → ${after.get(k)?.slice(0, 200) ?? '(gone)'}`,
        )
    for (const k of after.keys())
      if (!before.has(k)) changed.push(`${k} added: ${after.get(k)!.slice(0, 200)}`)
    const errorLines = server
      .output()
      .split('\n')
      .filter((l) => /unhandled error|"level":50|"level":60/.test(l))
    // ws refusing a client's frame (too big, bad opcode…) is the client's error: counted apart
    // from the server's own errors (it must not be logged at error level either).
    const clientProtocol = (l: string) => /"code":"WS_ERR_/.test(l)
    const loggedErrors = errorLines
      .filter((l) => !clientProtocol(l))
      .slice(0, 20)
      .map((l) => l.slice(0, 3000))
    const loggedClientErrors = errorLines.filter(clientProtocol).length
    const refused = Object.entries(byStatus)
      .filter(([k]) => /^(raw )?4\d\d$/.test(k))
      .reduce((a, [, n]) => a + n, 0)
    return {
      seed,
      refused,
      operations: ops.length,
      requests: cases.length + raw.length * 3,
      byStatus,
      resets,
      serverErrors,
      victimAccepted,
      wsSessions: plans.length,
      wsFrames: wsStats.frames,
      wsServerErrors: wsStats.serverErrors,
      wsCloseCodes: wsStats.closeCodes,
      serverAlive,
      changed,
      loggedErrors,
      loggedClientErrors,
      findings,
    }
  } finally {
    agent.destroy()
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** One line per figure, for the reliability report. */
export function describeBadInput(r: BadInputResult): string {
  const statuses = Object.entries(r.byStatus)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ')
  return [
    `bad input: ${r.requests} HTTP requests over ${r.operations} operations (seed ${r.seed}): ${r.refused} refused with a 4xx, ${r.serverErrors} 5xx, ${r.victimAccepted} malformed victim requests accepted`,
    `  statuses: ${statuses}`,
    `  no answer (connection closed by the server): ${
      Object.entries(r.resets)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([k, n]) => `${n}× ${k}`)
        .join('; ') || 'none'
    }`,
    `  WebSocket: ${r.wsSessions} sessions, ${r.wsFrames} frames, ${r.wsServerErrors} server errors; closes ${JSON.stringify(r.wsCloseCodes)}`,
    `  server ${r.serverAlive ? 'up and healthy' : 'DOWN'}; victim data ${r.changed.length === 0 ? 'unchanged' : `CHANGED (${r.changed.length} rows)`}; ${r.loggedErrors.length} unhandled errors logged (+${r.loggedClientErrors} client WebSocket protocol errors logged at error level)`,
    ...r.changed.slice(0, 10).map((c) => `  changed: ${c}`),
    ...r.findings
      .slice(0, 20)
      .map(
        (f) =>
          `  finding: [${f.status}] ${f.op} (${f.what}): ${f.request.slice(0, 400)} → ${f.response.slice(0, 200)}`,
      ),
    ...r.loggedErrors.slice(0, 5).map((l) => `  logged: ${l.slice(0, 1500)}`),
  ].join('\n')
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runBadInput({
    requests: Number(process.argv[2] ?? 12_500),
    wsSessions: Number(process.argv[3] ?? 300),
    log: (l) => console.log(l),
  })
  console.log(describeBadInput(r))
  process.exitCode =
    r.serverErrors + r.wsServerErrors + r.changed.length + r.loggedErrors.length > 0 ||
    !r.serverAlive
      ? 1
      : 0
}

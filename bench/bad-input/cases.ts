/**
 * HTTP case generation: a malformed request for any documented operation, under the fuzz
 * tenant's credentials or (broken bodies only) the victim's.
 */
import fc from 'fast-check'
import { BENCH_ORIGIN } from '../lib/seed.ts'
import { spoils, victimSafe } from './document.ts'
import {
  brokenJson,
  CONTENT_TYPES,
  mutate,
  mutation,
  nastyString,
  nastyValue,
  ODD_ORIGINS,
  pct,
  valid,
} from './generators.ts'
import { multipartBody } from './multipart.ts'
import type { HttpCase, Operation, World } from './types.ts'

export function caseArbitrary(ops: Operation[], w: World): fc.Arbitrary<HttpCase> {
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

/**
 * The OpenAPI document walk: its operations, and which of them the fuzz and victim tenants may
 * be sent to.
 */
import type { Operation, Schema } from './types.ts'

export function operationsOf(doc: Schema): Operation[] {
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
export function spoils(op: Operation): boolean {
  return /regenerate-key|rotate-identity-secret|\/auth\/logout/.test(op.path)
}

/** Operations the victim's credentials may be used on (with broken bodies only). */
export function victimSafe(op: Operation): boolean {
  if (op.body === undefined) return false
  return !/regenerate-key|rotate-identity-secret/.test(op.path) && op.method !== 'DELETE'
}

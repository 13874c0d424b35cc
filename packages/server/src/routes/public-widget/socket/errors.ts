import { WS_CLOSE, type WsErrorFrame } from '@aurion/contract'
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'
import { isDatabaseUnavailable } from '../../../db/unavailable.ts'
import { ApiError, databaseUnavailable, type ValidationIssue } from '../../../errors.ts'
import { close, send, type WidgetSocket } from './widget-socket.ts'

/**
 * The `error` frame for a failure: an error of the catalogue keeps its code (and a rate limit
 * its `retry_after`), a database outage is `database_unavailable`, anything else
 * `internal_error`.
 */
export function errorFrame(err: unknown): WsErrorFrame {
  if (isDatabaseUnavailable(err)) return errorFrame(databaseUnavailable())
  if (err instanceof ApiError) {
    const retry = err.headers['Retry-After']
    return {
      type: 'error',
      code: err.code,
      message: typeof err.detail === 'string' ? err.detail : describeIssues(err.detail),
      ...(err.code === 'rate_limited' && retry !== undefined ? { retry_after: Number(retry) } : {}),
    }
  }
  return { type: 'error', code: 'internal_error', message: 'Internal error' }
}

/** "body is required", "body: String should have at most 4000 characters", … */
export function describeIssues(issues: ValidationIssue[]): string {
  return issues
    .map((i) => {
      const field = i.loc.slice(1).join('.') || 'frame'
      return i.type === 'missing' ? `${field} is required` : `${field}: ${i.msg}`
    })
    .join('; ')
}

/**
 * The credentials stopped (or never started) working: 1008 with the guard's message. When the
 * check itself could not run (database or rate-limit store down) the widget must retry, not give
 * up: 1013 with an error frame saying why.
 */
export function closeForAuth(s: WidgetSocket, err: unknown): void {
  if (isDatabaseUnavailable(err) || (err instanceof ApiError && err.status === 503)) {
    send(s, errorFrame(err))
    close(s, WS_CLOSE.TRY_AGAIN_LATER, 'Service temporarily unavailable: retry later')
    return
  }
  const reason =
    err instanceof ApiError && typeof err.detail === 'string' ? err.detail : 'Not allowed'
  if (!(err instanceof ApiError)) s.log.error({ err }, 'widget socket authorization failed')
  close(s, WS_CLOSE.POLICY_VIOLATION, reason.slice(0, 120))
}

/**
 * What a socket error means: a client breaking the protocol (frame over the limit, bad opcode…)
 * or dropping the connection is the client's doing (ws has already closed with the right code),
 * logged at debug so nobody can flood the error log with oversized frames; anything else is ours.
 */
export function handleSocketError(error: Error, ws: WebSocket, log: FastifyBaseLogger): void {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  if (code.startsWith('WS_ERR_') || code === 'ECONNRESET' || code === 'EPIPE')
    log.debug({ err: error }, 'websocket closed on a client error')
  else log.error({ err: error }, 'websocket error')
  ws.terminate()
}

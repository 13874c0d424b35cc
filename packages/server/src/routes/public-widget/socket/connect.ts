import { WS_CLOSE } from '@aurion/contract'
import { findThreadByRef } from '../../../conversations/conversation-repo.ts'
import { mayFollowThread } from '../../../conversations/visitor-access.ts'
import { ApiError } from '../../../errors.ts'
import { resolveVisitorIdentity } from '../../../visitors/visitor-auth.ts'
import {
  authorizeWidget,
  limitByKey,
  PUBLIC_LIMITS,
  type WidgetAccess,
} from '../../../widget-auth/public-guard.ts'
import { sendCatchUp } from './catch-up.ts'
import { closeForAuth, errorFrame } from './errors.ts'
import { isThreadRef } from './frame-parser.ts'
import { MAX_SOCKETS_PER_IP } from './registry.ts'
import type { SocketServer } from './socket-server.ts'
import { close, send, type WidgetSocket } from './widget-socket.ts'

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
/** Message ids are ours (`msg_…`); the bound keeps a junk value from reaching the database. */
const MESSAGE_ID_RE = /^[A-Za-z0-9_-]{1,100}$/

/**
 * Checks a new socket's connect query — credentials, connection rate and count per IP, the
 * default sender_email and thread — and closes it (1008, or 1013 to retry later) when one fails.
 * Otherwise the socket joins its tenant and follows the thread it named, if it may, and catches
 * up from `after_message_id` (see `catch-up.ts`). True when the socket is open for frames.
 */
export async function admitSocket(
  { ctx, registry }: SocketServer,
  s: WidgetSocket,
  q: Record<string, string | undefined>,
): Promise<boolean> {
  if (!q.tenant_id || !q.public_key) {
    close(s, WS_CLOSE.POLICY_VIOLATION, 'tenant_id and public_key are required')
    return false
  }
  try {
    await limitByKey(ctx, undefined, PUBLIC_LIMITS.wsConnect, s.ip)
  } catch (err) {
    if (err instanceof ApiError) {
      send(s, errorFrame(err))
      close(s, WS_CLOSE.TRY_AGAIN_LATER, 'Too many connections: retry later')
      return false
    }
    throw err
  }
  let access: WidgetAccess
  try {
    access = await authorizeWidget(ctx, s.creds)
  } catch (err) {
    closeForAuth(s, err)
    return false
  }
  if (registry.countForIp(s.ip) > MAX_SOCKETS_PER_IP) {
    close(s, WS_CLOSE.TRY_AGAIN_LATER, 'Too many open connections from this address')
    return false
  }
  if (
    q.sender_email !== undefined &&
    (q.sender_email.length > 254 || !EMAIL_RE.test(q.sender_email))
  ) {
    close(s, WS_CLOSE.POLICY_VIOLATION, 'sender_email is not a valid email address')
    return false
  }
  if (q.source_thread_id !== undefined && !isThreadRef(q.source_thread_id)) {
    close(s, WS_CLOSE.POLICY_VIOLATION, 'source_thread_id is not a valid thread id')
    return false
  }
  if (q.after_message_id !== undefined && !MESSAGE_ID_RE.test(q.after_message_id)) {
    close(s, WS_CLOSE.POLICY_VIOLATION, 'after_message_id is not a valid message id')
    return false
  }
  if (s.ws.readyState !== s.ws.OPEN) return false
  s.defaults = {
    sourceThreadId: q.source_thread_id,
    senderEmail: q.sender_email,
    emailToken: q.email_token,
  }
  s.currentThread = q.source_thread_id
  registry.joinTenant(s, access.tenant.id)
  if (q.source_thread_id !== undefined) {
    // Follow the thread now so frames from other channels show up before the first send.
    try {
      const identity = resolveVisitorIdentity(ctx, access, {
        emailToken: q.email_token,
        senderEmail: q.sender_email,
      })
      const thread = await findThreadByRef(ctx.db, access.tenant.id, q.source_thread_id)
      if (thread && (await mayFollowThread(ctx.db, access.tenant.id, thread, identity))) {
        registry.follow(s, thread.id)
        s.currentThread = thread.id
        if (q.after_message_id !== undefined) await sendCatchUp(ctx, s, thread, q.after_message_id)
      }
    } catch (err) {
      send(s, errorFrame(err))
    }
  }
  return true
}

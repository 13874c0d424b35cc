import { isObject, parseFrame, sourceIdOf } from './frame-parser.ts'
import { handleMessageFrame } from './message-frame.ts'
import type { SocketServer } from './socket-server.ts'
import { handleTypingFrame } from './typing-frame.ts'
import { send, type WidgetSocket } from './widget-socket.ts'

/** Message frames waiting behind the one being answered; more are refused with `busy`. */
const MAX_PENDING_FRAMES = 8

/** How one type of client frame is handled. */
interface FrameHandler {
  /**
   * Answered at once, before the credentials are checked and outside the socket's queue
   * (keep-alives). Otherwise the frame waits its turn: frames are handled one at a time, in
   * order, once the socket is authorized.
   */
  immediate?: boolean
  handle(server: SocketServer, s: WidgetSocket, frame: unknown): void | Promise<void>
}

/**
 * Client frames by their `type`: a new frame type is one entry here. A frame without a `type`,
 * or with one not listed, is a `message` frame (whose validation reports an unknown type).
 */
const FRAME_HANDLERS: Record<string, FrameHandler> = {
  ping: { immediate: true, handle: (_server, s) => void send(s, { type: 'pong' }) },
  message: { handle: handleMessageFrame },
  // Outside the queue: a typing signal must not wait behind a reply, nor count toward `busy`.
  typing: { immediate: true, handle: handleTypingFrame },
}

/**
 * Handles one frame read off the socket: parses it, answers keep-alives at once and queues the
 * rest behind the socket's earlier frames (at most {@link MAX_PENDING_FRAMES}; more are refused
 * with `busy`). Queued frames wait for `authorized` and are dropped if it resolves false.
 */
export function dispatchFrame(
  server: SocketServer,
  s: WidgetSocket,
  data: unknown,
  isBinary: boolean,
  authorized: Promise<boolean>,
): void {
  const parsed = parseFrame(data, isBinary)
  if (parsed.error) {
    send(s, parsed.error)
    return
  }
  const frame = parsed.frame
  const type = isObject(frame) && typeof frame.type === 'string' ? frame.type : 'message'
  const handler = Object.hasOwn(FRAME_HANDLERS, type)
    ? FRAME_HANDLERS[type]!
    : FRAME_HANDLERS.message!
  if (handler.immediate) {
    void handler.handle(server, s, frame)
    return
  }
  if (s.pending >= MAX_PENDING_FRAMES) {
    send(s, {
      type: 'error',
      code: 'busy',
      message: 'Too many messages waiting for a reply; wait for "done" before sending more',
      ...sourceIdOf(frame),
    })
    return
  }
  s.pending++
  s.queue = s.queue
    .then(async () => {
      if (await authorized) await handler.handle(server, s, frame)
    })
    .catch((err: unknown) => s.log.error({ err }, 'widget socket frame failed'))
    .finally(() => {
      s.pending--
    })
}

import { SourceThreadId, WS_PATH, type WsErrorFrame, WsMessageFrame } from '@aurion/contract'
import {
  createValidatorCompiler,
  LONE_SURROGATE_MSG,
  loneSurrogatePath,
  toValidationIssues,
} from '../../../validation.ts'
import { describeIssues } from './errors.ts'

const compile = createValidatorCompiler()
const validateFrame = compile({
  schema: WsMessageFrame,
  method: 'GET',
  url: WS_PATH,
  httpPart: 'body',
}) as ((data: unknown) => boolean) & { errors?: Parameters<typeof toValidationIssues>[0] | null }
const validateRef = compile({
  schema: SourceThreadId,
  method: 'GET',
  url: WS_PATH,
  httpPart: 'body',
}) as (data: unknown) => boolean

/** A client frame as read off the socket: parsed JSON, or the error frame that answers it. */
export type ParsedFrame = { frame: unknown; error?: undefined } | { error: WsErrorFrame }

/** Reads a client frame: JSON text (not binary), without lone UTF-16 surrogate escapes. */
export function parseFrame(data: unknown, isBinary: boolean): ParsedFrame {
  let frame: unknown
  let text = ''
  try {
    if (isBinary) throw new Error('binary')
    text = rawText(data)
    frame = JSON.parse(text)
  } catch {
    return {
      error: {
        type: 'error',
        code: 'invalid_json',
        message: 'Frames must be JSON text, e.g. {"body": "Hello"}',
      },
    }
  }
  const at = loneSurrogatePath(frame, text)
  if (at) {
    return {
      error: {
        type: 'error',
        code: 'validation_error',
        message: `${at.join('.') || 'frame'}: ${LONE_SURROGATE_MSG}`,
        ...sourceIdOf(frame),
      },
    }
  }
  return { frame }
}

/** A message frame as the contract has it, or the `validation_error` frame saying why not. */
export function checkMessageFrame(
  frame: unknown,
): { message: WsMessageFrame; error?: undefined } | { error: WsErrorFrame } {
  if (!isObject(frame)) {
    return {
      error: {
        type: 'error',
        code: 'validation_error',
        message: 'A frame must be a JSON object such as {"body": "Hello"}',
      },
    }
  }
  if (!validateFrame(frame)) {
    const issues = toValidationIssues(validateFrame.errors ?? [], 'body')
    return {
      error: {
        type: 'error',
        code: 'validation_error',
        message: describeIssues(issues),
        ...sourceIdOf(frame),
      },
    }
  }
  return { message: frame as unknown as WsMessageFrame }
}

/** Is this a well-formed thread reference (`source_thread_id`)? */
export function isThreadRef(value: unknown): boolean {
  return validateRef(value)
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The frame's `source_message_id`, to correlate the answer with it. */
export function sourceIdOf(frame: unknown): { source_message_id?: string } {
  return isObject(frame) && typeof frame.source_message_id === 'string'
    ? { source_message_id: frame.source_message_id }
    : {}
}

function rawText(data: unknown): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]).toString('utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return String(data)
}

import { describe, expect, it } from 'vitest'
import { codeRequest, verifyRequest } from './email-code.ts'
import {
  attachmentRequest,
  messageRequest,
  sessionRequest,
  socketUrl,
  voiceTokenRequest,
} from './endpoints.ts'
import { historyRequest } from './history.ts'
import { backoffDelay } from './socket.ts'
import { uploadRequest } from './upload-file.ts'
import { checkFile, formatSize, MAX_UPLOAD_BYTES } from './uploads.ts'

const t = { apiBase: 'https://support.example.com', tenantId: 'ten-1', publicKey: 'vwk_abc' }
const body = (r: { init: RequestInit }) => JSON.parse(String(r.init.body))

describe('requests (contract: "Widget Chat API", "Voice Token")', () => {
  it('POST /widget/session with tenant_id, public_key, email (and user_hash when given)', () => {
    const r = sessionRequest(t, 'jane@example.com')
    expect(r.url).toBe('https://support.example.com/api/v1/widget/session')
    expect(r.init.method).toBe('POST')
    expect(r.init.credentials).toBe('omit')
    expect(r.init.headers).toEqual({ 'Content-Type': 'application/json' })
    expect(body(r)).toEqual({
      tenant_id: 'ten-1',
      public_key: 'vwk_abc',
      email: 'jane@example.com',
    })
    expect(body(sessionRequest(t, 'jane@example.com', 'ab12'))).toMatchObject({ user_hash: 'ab12' })
  })

  it('POST /widget/session claims the thread of this browser when given', () => {
    expect(body(sessionRequest(t, 'jane@example.com', undefined, 'th-1'))).toEqual({
      tenant_id: 'ten-1',
      public_key: 'vwk_abc',
      email: 'jane@example.com',
      source_thread_id: 'th-1',
    })
  })

  it('POST /widget/session/code and /verify carry the token (and the code)', () => {
    const c = codeRequest(t, 'tok')
    expect(c.url).toBe('https://support.example.com/api/v1/widget/session/code')
    expect(body(c)).toEqual({ tenant_id: 'ten-1', public_key: 'vwk_abc', email_token: 'tok' })
    const v = verifyRequest(t, 'tok', '123456')
    expect(v.url).toBe('https://support.example.com/api/v1/widget/session/verify')
    expect(v.init.credentials).toBe('omit')
    expect(body(v)).toEqual({
      tenant_id: 'ten-1',
      public_key: 'vwk_abc',
      email_token: 'tok',
      code: '123456',
    })
  })

  it('POST /widget/messages carries the message fields as given', () => {
    const m = {
      body: 'Hi',
      source_message_id: 'm-1',
      source_thread_id: 'th-1',
      upload_ids: ['upl_1'],
      metadata: { channel: 'chat' },
    }
    const r = messageRequest(t, m)
    expect(r.url).toBe('https://support.example.com/api/v1/widget/messages')
    expect(body(r)).toEqual({ tenant_id: 'ten-1', public_key: 'vwk_abc', ...m })
  })

  it('GET /widget/history with query parameters, no body', () => {
    const r = historyRequest(t, 'tok.sig', { conversations: 20, messages: 100 })
    const u = new URL(r.url)
    expect(u.pathname).toBe('/api/v1/widget/history')
    expect(Object.fromEntries(u.searchParams)).toEqual({
      tenant_id: 'ten-1',
      public_key: 'vwk_abc',
      email_token: 'tok.sig',
      conversation_limit: '20',
      message_limit: '100',
    })
    expect(r.init.method).toBe('GET')
    expect(r.init.body).toBeUndefined()
  })

  it('POST /voice-widget/embed/token with the chat thread', () => {
    const r = voiceTokenRequest(t, { sourceThreadId: 'th-1', userEmail: 'jane@example.com' })
    expect(r.url).toBe('https://support.example.com/api/v1/voice-widget/embed/token')
    expect(body(r)).toEqual({
      tenant_id: 'ten-1',
      public_key: 'vwk_abc',
      user_email: 'jane@example.com',
      source_thread_id: 'th-1',
    })
    expect(body(voiceTokenRequest(t))).toEqual({ tenant_id: 'ten-1', public_key: 'vwk_abc' })
  })

  it('multipart upload with tenant_id, public_key and file', () => {
    const { url, form } = uploadRequest(t, new Blob(['x'], { type: 'text/plain' }), 'a.txt')
    expect(url).toBe('https://support.example.com/api/v1/widget/uploads')
    expect(form.get('tenant_id')).toBe('ten-1')
    expect(form.get('public_key')).toBe('vwk_abc')
    expect((form.get('file') as File).name).toBe('a.txt')
    // The server reads no file before the credentials: they must precede it in the body.
    expect([...form.keys()]).toEqual(['tenant_id', 'public_key', 'file'])
  })

  it('attachment download: path encoded, the thread and the token as proof of ownership', () => {
    const r = attachmentRequest(t, 'upl/../x', { sourceThreadId: 'th-1', emailToken: 'tk' })
    const u = new URL(r.url)
    expect(u.pathname).toBe('/api/v1/widget/uploads/upl%2F..%2Fx')
    expect(Object.fromEntries(u.searchParams)).toEqual({
      tenant_id: 'ten-1',
      public_key: 'vwk_abc',
      source_thread_id: 'th-1',
      email_token: 'tk',
    })
    expect(r.init).toMatchObject({ method: 'GET', credentials: 'omit' })
    const anonymous = new URL(attachmentRequest(t, 'u1', { sourceThreadId: 'th-2' }).url)
    expect(anonymous.searchParams.has('email_token')).toBe(false)
  })

  it('attachment download proves the visitor with their token and thread', () => {
    const u = new URL(
      attachmentRequest(t, 'upl_1', { emailToken: 'tok', sourceThreadId: 'th-1' }).url,
    )
    expect(Object.fromEntries(u.searchParams)).toEqual({
      tenant_id: 'ten-1',
      public_key: 'vwk_abc',
      email_token: 'tok',
      source_thread_id: 'th-1',
    })
  })

  it('WebSocket URL: ws(s) scheme, credentials and thread in the query', () => {
    const u = new URL(
      socketUrl(t, { sourceThreadId: 'th-1', senderEmail: 'j@x.io', emailToken: 'tk' }),
    )
    expect(u.protocol).toBe('wss:')
    expect(u.pathname).toBe('/api/v1/widget/ws')
    expect(Object.fromEntries(u.searchParams)).toEqual({
      tenant_id: 'ten-1',
      public_key: 'vwk_abc',
      source_thread_id: 'th-1',
      sender_email: 'j@x.io',
      email_token: 'tk',
    })
    expect(socketUrl({ ...t, apiBase: 'http://127.0.0.1:8080' }, { sourceThreadId: 'a' })).toMatch(
      /^ws:\/\/127\.0\.0\.1:8080\//,
    )
  })
})

describe('reconnect backoff', () => {
  it('doubles from 1 s to a 30 s ceiling with ±20 % jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 12].map((a) => backoffDelay(a, () => 0.5))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ])
    expect(backoffDelay(0, () => 0)).toBe(800)
    expect(backoffDelay(0, () => 1)).toBe(1200)
  })
})

describe('upload pre-checks (contract: 10 MB; image/*, application/pdf, text/*)', () => {
  it.each([
    ['image/png', 10, undefined],
    ['application/pdf', MAX_UPLOAD_BYTES, undefined],
    ['text/plain', 1, undefined],
    ['text/csv', MAX_UPLOAD_BYTES + 1, 'tooLarge'],
    ['application/zip', 10, 'badType'],
    ['application/pdfx', 10, 'badType'],
    ['', 10, 'badType'],
    ['image/png', 0, 'badType'],
  ])('%s, %i bytes → %s', (type, size, expected) => {
    expect(checkFile({ type, size })).toBe(expected)
  })

  it('formats sizes', () => {
    expect([512, 48_213, 3.4 * 1024 * 1024].map(formatSize)).toEqual(['512 B', '47 KB', '3.4 MB'])
  })
})

/**
 * A mobile app's side of Aurion, in plain TypeScript: what an iOS, Android or React Native app
 * does to chat with the assistant and to join a voice call in the same conversation. It uses
 * only the public API the widget uses (tenant id + public widget key + the app's allowed
 * Origin); no API key ever ships in an app. See docs/mobile.md.
 *
 *   npx tsx examples/mobile-client.ts --url http://localhost:8080 --tenant <tenant_id> \
 *     --key vwk_… --origin https://app.example.com [--email ada@example.com] "How do I reset my password?"
 *
 * Prints one JSON line: the conversation, the assistant's reply, and (when the server has
 * LiveKit settings) a voice token for a call in the same conversation.
 */
import { pathToFileURL } from 'node:url'
import type { WidgetSessionResponse } from '@aurion/contract'
import WebSocket from 'ws'

export interface MobileClientOptions {
  /** The Aurion server, e.g. `https://support.example.com`. */
  url: string
  tenantId: string
  /** The public widget key (`vwk_…`): public, like the widget snippet's. */
  publicKey: string
  /** An origin in the tenant's `allowed_origins`, registered for the app. */
  origin: string
}

/** One turn: the visitor's message and the assistant's streamed reply, put together. */
export interface ChatTurn {
  conversation_id: string
  thread_id: string
  reply: string
}

export interface VoiceToken {
  token: string
  livekit_url: string
  room_name: string
  conversation_id: string
  expires_in_seconds: number
}

export class AurionMobileClient {
  private emailToken: string | undefined
  /** The conversation's thread: the next message, and the call, continue it. */
  threadId: string | undefined
  conversationId: string | undefined

  constructor(private readonly o: MobileClientOptions) {}

  private async post<T>(path: string, body: Record<string, unknown>): Promise<T> {
    const res = await fetch(`${this.o.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: this.o.origin },
      body: JSON.stringify({ tenant_id: this.o.tenantId, public_key: this.o.publicKey, ...body }),
    })
    const json = (await res.json()) as T & { detail?: unknown }
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json.detail)}`)
    return json
  }

  /**
   * Signs the visitor in by email (optional). With identity verification on, `userHash` is
   * HMAC-SHA256(email, identity secret) computed by the app's own backend, never in the app.
   */
  async signIn(email: string, userHash?: string): Promise<void> {
    const res = await this.post<WidgetSessionResponse>('/api/v1/widget/session', {
      email,
      ...(userHash ? { user_hash: userHash } : {}),
    })
    this.emailToken = res.email_token
  }

  /** Sends a message over the WebSocket and waits for the whole streamed reply (`done`). */
  chat(body: string, timeoutMs = 30_000): Promise<ChatTurn> {
    const q = new URLSearchParams({ tenant_id: this.o.tenantId, public_key: this.o.publicKey })
    if (this.threadId) q.set('source_thread_id', this.threadId)
    if (this.emailToken) q.set('email_token', this.emailToken)
    const wsUrl = `${this.o.url.replace(/^http/, 'ws')}/api/v1/widget/ws?${q}`
    const ws = new WebSocket(wsUrl, { origin: this.o.origin })
    return new Promise<ChatTurn>((resolve, reject) => {
      const chunks: string[] = []
      const timer = setTimeout(() => finish(new Error('no reply in time')), timeoutMs)
      const finish = (err?: Error, turn?: ChatTurn) => {
        clearTimeout(timer)
        ws.close(1000)
        if (err) reject(err)
        else resolve(turn!)
      }
      ws.on('open', () => {
        ws.send(
          JSON.stringify({
            body,
            // Idempotency: a resend after a lost connection is stored once.
            source_message_id: `app-${Date.now()}-${Math.random().toString(36).slice(2)}`,
            ...(this.threadId ? { source_thread_id: this.threadId } : {}),
          }),
        )
      })
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>
        if (typeof frame.conversation_id === 'string') this.conversationId = frame.conversation_id
        if (typeof frame.thread_id === 'string') this.threadId = frame.thread_id
        if (frame.type === 'chunk') chunks[Number(frame.index)] = String(frame.chunk)
        else if (frame.type === 'error') finish(new Error(`${frame.code}: ${frame.message}`))
        else if (frame.type === 'done')
          finish(undefined, {
            conversation_id: this.conversationId ?? '',
            thread_id: this.threadId ?? '',
            reply: chunks.join(''),
          })
      })
      ws.on('close', (code) => {
        if (code !== 1000) finish(new Error(`socket closed with ${code}`))
      })
      ws.on('error', (err) => finish(err))
    })
  }

  /** A LiveKit token for a voice call in the same conversation (join it with a LiveKit SDK). */
  voiceToken(): Promise<VoiceToken> {
    return this.post<VoiceToken>('/api/v1/voice-widget/embed/token', {
      ...(this.conversationId ? { conversation_id: this.conversationId } : {}),
      ...(this.threadId ? { source_thread_id: this.threadId } : {}),
      ...(this.emailToken ? { email_token: this.emailToken } : {}),
    })
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

async function main(): Promise<void> {
  const [url, tenantId, publicKey, origin] = ['url', 'tenant', 'key', 'origin'].map(arg)
  const positional: string[] = []
  for (let i = 2; i < process.argv.length; i++) {
    if (process.argv[i]!.startsWith('--')) i++
    else positional.push(process.argv[i]!)
  }
  const question = positional.at(-1)
  if (!url || !tenantId || !publicKey || !origin || !question) {
    console.error(
      'usage: tsx examples/mobile-client.ts --url URL --tenant ID --key vwk_… --origin ORIGIN [--email E] "question"',
    )
    process.exit(2)
  }
  const client = new AurionMobileClient({ url, tenantId, publicKey, origin })
  const email = arg('email')
  if (email) await client.signIn(email)
  const turn = await client.chat(question)
  let voice: VoiceToken | { error: string }
  try {
    voice = await client.voiceToken()
  } catch (err) {
    voice = { error: (err as Error).message }
  }
  console.log(JSON.stringify({ ...turn, voice }))
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}

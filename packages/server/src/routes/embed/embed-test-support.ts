import { TokenVerifier } from 'livekit-server-sdk'
import { expect } from 'vitest'
import type { Db } from '../../db/schema.ts'
import { newId, nowIso } from '../../ids.ts'

export const LK = {
  LIVEKIT_URL: 'https://lk.example.test',
  LIVEKIT_API_KEY: 'APItestkey',
  LIVEKIT_API_SECRET: 'lk-secret-0123456789abcdef0123456789abcdef',
  AURION_VOICE_AGENT_NAME: 'aurion-test-agent',
}
const verifier = new TokenVerifier(LK.LIVEKIT_API_KEY, LK.LIVEKIT_API_SECRET)

let ipCounter = 0
/** A fresh client address per test, so per-IP buckets never leak between tests. */
export const freshIp = () => `10.1.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`

export async function addContact(db: Db, tenantId: string, email: string): Promise<string> {
  const id = newId('contact')
  await db
    .insertInto('contacts')
    .values({
      id,
      tenant_id: tenantId,
      email,
      name: null,
      created_at: nowIso(),
      updated_at: nowIso(),
    })
    .execute()
  return id
}

export const DENIED = { detail: 'Invalid widget credentials or widget disabled' }
export const BAD_ORIGIN = { detail: 'Origin not allowed' }

export interface Claims {
  sub: string
  exp: number
  nbf: number
  iss: string
  name?: string
  metadata: string
  attributes: Record<string, string>
  video: Record<string, unknown>
  roomConfig: { agents: { agentName: string; metadata: string }[] }
}

export async function verify(token: string): Promise<Claims> {
  return (await verifier.verify(token)) as unknown as Claims
}

/** Checks everything a participant token must (and must not) grant. */
export async function expectValidVoiceToken(body: Record<string, unknown>, tenantId: string) {
  expect(body.token).toBe(body.participant_token)
  expect(body.livekit_url).toBe('wss://lk.example.test')
  expect(body.server_url).toBe(body.livekit_url)
  expect(body.expires_in_seconds).toBe(3600)
  const claims = await verify(body.token as string)
  expect(claims.iss).toBe(LK.LIVEKIT_API_KEY)
  expect(claims.sub).toBe(body.participant_identity)
  // The SDK reads the clock once for nbf and again for exp: they may fall in two seconds.
  expect(claims.exp - claims.nbf).toBeGreaterThanOrEqual(3599)
  expect(claims.exp - claims.nbf).toBeLessThanOrEqual(3600)
  expect(claims.video).toEqual({
    room: body.room_name,
    roomJoin: true,
    canPublish: true,
    canPublishSources: ['microphone'],
    canSubscribe: true,
    canPublishData: true,
  })
  const meta = JSON.parse(claims.metadata)
  expect(meta).toMatchObject({
    tenant_id: tenantId,
    conversation_id: body.conversation_id,
    thread_id: body.thread_id,
    pre_authenticated: body.pre_authenticated,
    channel: 'voice',
  })
  expect(claims.attributes).toEqual({
    tenant_id: tenantId,
    conversation_id: body.conversation_id,
    thread_id: body.thread_id,
  })
  expect(claims.roomConfig.agents).toHaveLength(1)
  expect(claims.roomConfig.agents[0]!.agentName).toBe('aurion-test-agent')
  expect(JSON.parse(claims.roomConfig.agents[0]!.metadata)).toEqual(meta)
  return { claims, meta }
}

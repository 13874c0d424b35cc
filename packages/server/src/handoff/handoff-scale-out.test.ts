import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTestDatabase,
  createTestTenant,
  forEachDialect,
  type TestTenant,
  testConfig,
} from '../../test/helpers.ts'
import { EventStream } from '../../test/inbox-stream.ts'
import { eventually, testRedisUrl } from '../../test/redis-server.ts'
import { createScriptedAgent, ORIGIN } from '../../test/widget-support.ts'
import { listenForTests, openSocket, type TestSocket } from '../../test/ws-client.ts'
import { createAdminSession } from '../admin-users/session-repo.ts'
import { buildApp } from '../app.ts'
import type { DbHandle } from '../db/connect.ts'
import { createRedisBus } from '../realtime/redis-bus.ts'
import { type ReplyMailOutcome, replyMailEvents } from './reply-mail.ts'

const redisUrl = testRedisUrl()

// Two instances on one database and one Redis: the visitor on A, the agent (API and live
// channel) on B.
describe.skipIf(!redisUrl)('hand-off on two instances (Redis bus)', () => {
  forEachDialect('hand-off scale-out', (dialect) => {
    let database: DbHandle
    let a: FastifyInstance
    let b: FastifyInstance
    let tenant: TestTenant
    let token: string
    const sockets: TestSocket[] = []
    const streams: EventStream[] = []

    beforeAll(async () => {
      database = await createTestDatabase(dialect)
      const prefix = `aurion-test-${randomBytes(6).toString('hex')}`
      const instance = async () => {
        const bus = createRedisBus({ url: redisUrl!, channel: `${prefix}:bus` })
        const app = await buildApp(testConfig(), {
          database,
          agent: createScriptedAgent(),
          bus,
        })
        await eventually(async () => bus.ping?.())
        return app
      }
      a = await instance()
      b = await instance()
      tenant = await createTestTenant(database.db, { consoleUser: true })
      token = (
        await createAdminSession(database.db, {
          userId: tenant.consoleUser!.id,
          tenantId: tenant.tenantId,
        })
      ).token
    })
    afterAll(async () => {
      for (const s of streams) s.close()
      for (const s of sockets) s.ws.terminate()
      await a.close()
      await b.close()
      await database.close()
    })

    const httpBase = async (app: FastifyInstance) => {
      await listenForTests(app)
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    }

    it('a visitor on A asks for a person: the console on B sees it live, replies, and A shows the reply (no mail)', async () => {
      const stream = await EventStream.open(`${await httpBase(b)}/api/v1/inbox/events`, token)
      streams.push(stream)
      await stream.find((e) => e.type === 'ready')

      const q = new URLSearchParams({
        tenant_id: tenant.tenantId,
        public_key: tenant.publicKey,
        source_thread_id: 'scale-handoff-1',
      })
      const s = openSocket(`${await listenForTests(a)}/api/v1/widget/ws?${q}`, { origin: ORIGIN })
      sockets.push(s)
      await s.opened
      s.send({ body: 'I want to talk to a person' })
      const frames = await s.until('done')
      const conversationId = String(frames.at(-1)?.conversation_id)

      expect(
        await stream.find((e) => e.type === 'handoff' && e.conversation_id === conversationId),
      ).toMatchObject({ reason: 'visitor_request', handled_by: 'human', assignee: null })

      // The visitor types on A: the console on B sees it.
      s.send({ type: 'typing' })
      await stream.find(
        (e) =>
          e.type === 'typing' &&
          e.conversation_id === conversationId &&
          e.sender_type === 'contact',
      )

      const outcomes = new Map<string, ReplyMailOutcome>()
      const seen = new Promise<void>((resolve) => {
        const on = (e: { messageId: string; outcome: ReplyMailOutcome }) => {
          outcomes.set(e.messageId, e.outcome)
          resolve()
        }
        replyMailEvents.once('outcome', on)
      })
      const reply = await b.inject({
        method: 'POST',
        url: `/api/v1/conversations/${conversationId}/messages`,
        headers: { authorization: `Bearer ${token}` },
        payload: { body: 'Ada here, from instance B.' },
      })
      expect(reply.statusCode).toBe(201)
      const id = reply.json().id as string
      const onA = await s.until('message')
      expect(onA.at(-1)).toMatchObject({
        type: 'message',
        conversation_id: conversationId,
        message: {
          id,
          sender_type: 'agent',
          body: 'Ada here, from instance B.',
          author_name: 'Ada Lovelace',
        },
      })
      // B learns over Redis that A showed it: the reply is not mailed.
      await seen
      expect(outcomes.get(id)).toBe('delivered_live')
      await stream.find((e) => e.type === 'message' && JSON.stringify(e).includes(id))
    })
  })
})

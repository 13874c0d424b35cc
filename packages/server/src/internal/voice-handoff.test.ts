import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildTestApp,
  createTestTenant,
  forEachDialect,
  type TestApp,
  type TestTenant,
} from '../../test/helpers.ts'
import { postWidget } from '../../test/widget-support.ts'
import { HANDOFF_PHRASES } from '../agent/phrases/handoff-replies.ts'

const TOKEN = 'internal-token-0123456789abcdef0123456789abcdef'

/** Asking for a person during a call: the reply stream tells the voice worker to end the call. */
forEachDialect('voice reply stream: end_call on a hand-off', (dialect) => {
  let t: TestApp
  let a: TestTenant
  beforeAll(async () => {
    t = await buildTestApp({ dialect, env: { AURION_INTERNAL_TOKEN: TOKEN } })
    a = await createTestTenant(t.db)
  })
  afterAll(async () => t.close())

  it('a spoken request for a person: connecting, goodbye, end_call; later turns stay silent and end it too', async () => {
    const chat = (
      await postWidget(t.app, '/api/v1/widget/messages', {
        tenant_id: a.tenantId,
        public_key: a.publicKey,
        body: 'Hello',
      })
    ).json() as { conversation_id: string; thread_id: string }
    const say = async (segment: string, text: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/internal/v1/conversations/${chat.conversation_id}/reply`,
        headers: { authorization: `Bearer ${TOKEN}` },
        payload: { tenant_id: a.tenantId, thread_id: chat.thread_id, segment_id: segment, text },
      })
      expect(res.statusCode).toBe(200)
      return res.payload
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .at(-1)!
    }

    const normal = await say('seg-1', 'What are your opening hours?')
    expect(normal.type).toBe('done')
    expect(normal).not.toHaveProperty('end_call')

    const handoff = await say('seg-2', 'I want to talk to a person')
    expect(handoff).toMatchObject({ type: 'done', end_call: true })
    expect(handoff.ai_response).toContain(HANDOFF_PHRASES.en.voiceGoodbye)

    // The call went on anyway: a person has the conversation, the assistant says nothing.
    expect(await say('seg-3', 'Hello?')).toMatchObject({
      type: 'done',
      ai_response: '',
      end_call: true,
    })
    // A retried segment gets the stored reply.
    expect(await say('seg-2', 'I want to talk to a person')).toMatchObject({
      deduplicated: true,
    })
  })
})

import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { turn } from '../../test/agent-support.ts'
import { testConfig } from '../../test/helpers.ts'
import { AgentUnavailableError } from './agent.ts'
import { createAgent } from './index.ts'
import { TIMEOUT_MS, useOpenAiAgentFixture } from './openai-agent-fixture.ts'

describe('OpenAI-compatible agent against a fake upstream on loopback: failures', () => {
  const f = useOpenAiAgentFixture()
  const { makeAgent, run } = f

  describe('failures end in AgentUnavailableError, never a hang', () => {
    it('HTTP 500 every time: retried with backoff, then fails', async () => {
      f.fake.fallback = { type: 'error', status: 500 }
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect((r.error as Error).message).toBe('The language model answered HTTP 500')
      expect(f.fake.requests).toHaveLength(3)
      expect(r.chunks).toEqual([])
      expect(r.ms).toBeLessThan(5000)
    })

    it('HTTP 500 once, then a good stream: the retry answers', async () => {
      f.fake.queue.push({ type: 'error', status: 500 }, { type: 'stream', chunks: ['fine'] })
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.error).toBeUndefined()
      expect(r.chunks).toEqual(['fine'])
      expect(f.fake.requests).toHaveLength(2)
      expect(f.fake.requests[1]!.body).toEqual(f.fake.requests[0]!.body)
    })

    it('HTTP 429 honours a short Retry-After', async () => {
      f.fake.queue.push(
        { type: 'error', status: 429, headers: { 'retry-after-ms': '30' } },
        { type: 'stream', chunks: ['ok'] },
      )
      const r = await run(makeAgent({ backoffMs: 5000 }), [turn('visitor', 'vpn')])
      expect(r.chunks).toEqual(['ok'])
      expect(f.fake.requests).toHaveLength(2)
      const gap = f.fake.requests[1]!.receivedAt - f.fake.requests[0]!.receivedAt
      expect(gap).toBeGreaterThanOrEqual(25)
      // Not the 5 s backoff: the server's shorter Retry-After was used.
      expect(gap).toBeLessThan(3000)
    })

    it('HTTP 429 with a long Retry-After fails at once', async () => {
      f.fake.queue.push({ type: 'error', status: 429, headers: { 'retry-after': '60' } })
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect(f.fake.requests).toHaveLength(1)
    })

    it.each([400, 401, 404, 422])('HTTP %i is not retried', async (status) => {
      f.fake.fallback = { type: 'error', status }
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect((r.error as Error).message).toBe(`The language model answered HTTP ${status}`)
      expect(f.fake.requests).toHaveLength(1)
    })

    it('switches to max_completion_tokens and drops temperature for models that refuse them', async () => {
      f.fake.queue.push(
        {
          type: 'error',
          status: 400,
          message:
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        },
        {
          type: 'error',
          status: 400,
          message:
            "Unsupported value: 'temperature' does not support 0.3 with this model. Only the default (1) value is supported.",
        },
        { type: 'stream', chunks: ['adapted'] },
        { type: 'stream', chunks: ['again'] },
      )
      const agent = makeAgent({ retries: 0 })
      const r = await run(agent, [turn('visitor', 'vpn')])
      expect(r.chunks).toEqual(['adapted'])
      const [first, second, third] = f.fake.requests.map((q) => q.body)
      expect(first).toMatchObject({ max_tokens: 256, temperature: 0.3 })
      expect(second).toMatchObject({ max_completion_tokens: 256, temperature: 0.3 })
      expect(second.max_tokens).toBeUndefined()
      expect(third.temperature).toBeUndefined()
      // Learnt once: the next reply asks the right way at once.
      expect((await run(agent, [turn('visitor', 'vpn')])).chunks).toEqual(['again'])
      expect(f.fake.requests).toHaveLength(4)
      expect(f.fake.requests[3]!.body).toMatchObject({ max_completion_tokens: 256 })
    })

    it('a 400 about something else is not retried in another form', async () => {
      f.fake.queue.push({ type: 'error', status: 400, message: 'messages: too long' })
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect(f.fake.requests).toHaveLength(1)
    })

    it('a wrong API key is a 401 from upstream, not retried', async () => {
      const r = await run(makeAgent({ apiKey: 'sk-wrong' }), [turn('visitor', 'vpn')])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect((r.error as Error).message).toBe('The language model answered HTTP 401')
    })

    it('no answer at all: times out per attempt, retried, then fails', async () => {
      f.fake.fallback = { type: 'hang' }
      const r = await run(makeAgent({ retries: 1, timeoutMs: TIMEOUT_MS }), [
        turn('visitor', 'vpn'),
      ])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect((r.error as Error).message).toBe(
        `The language model did not respond within ${TIMEOUT_MS} ms`,
      )
      expect(f.fake.requests).toHaveLength(2)
      expect(r.ms).toBeGreaterThanOrEqual(2 * TIMEOUT_MS - 20)
      expect(r.ms).toBeLessThan(2 * TIMEOUT_MS + 4000)
    })

    it('a stream that stalls after some text: fails after the idle timeout, no retry', async () => {
      f.fake.queue.push({ type: 'stall', chunks: ['Partial ', 'answer'] })
      const r = await run(makeAgent({ timeoutMs: TIMEOUT_MS }), [turn('visitor', 'vpn')])
      expect(r.chunks).toEqual(['Partial ', 'answer'])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect((r.error as Error).message).toMatch(/did not respond within/)
      expect(f.fake.requests).toHaveLength(1)
      expect(r.ms).toBeLessThan(TIMEOUT_MS + 4000)
    })

    it('a malformed event mid-stream fails at once', async () => {
      f.fake.queue.push({ type: 'malformed', chunks: ['Hello '] })
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.chunks).toEqual(['Hello '])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect((r.error as Error).message).toBe('The language model sent a malformed stream event')
      expect(f.fake.requests).toHaveLength(1)
      expect(r.ms).toBeLessThan(5000)
    })

    it('a malformed first event fails without retrying', async () => {
      f.fake.fallback = { type: 'malformed', chunks: [] }
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect(f.fake.requests).toHaveLength(1)
    })

    it('a connection cut mid-stream fails at once, without a retry', async () => {
      f.fake.queue.push({ type: 'cut', chunks: ['Hello ', 'there '] })
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.chunks).toEqual(['Hello ', 'there '])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect(f.fake.requests).toHaveLength(1)
      expect(r.ms).toBeLessThan(5000)
    })

    it('a connection cut before the first token is retried', async () => {
      f.fake.queue.push({ type: 'cut', chunks: [] }, { type: 'stream', chunks: ['recovered'] })
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.error).toBeUndefined()
      expect(r.chunks).toEqual(['recovered'])
      expect(f.fake.requests).toHaveLength(2)
    })

    it('a stream that ends without finishing is an error, not a short answer', async () => {
      f.fake.queue.push({ type: 'truncated', chunks: ['Half an'] })
      const r = await run(makeAgent(), [turn('visitor', 'vpn')])
      expect(r.chunks).toEqual(['Half an'])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect((r.error as Error).message).toBe(
        'The connection to the language model ended before the reply was complete',
      )
    })

    it('an unreachable server fails after the retries', async () => {
      const port = await closedPort()
      const r = await run(makeAgent({ baseUrl: `http://127.0.0.1:${port}/v1` }), [
        turn('visitor', 'vpn'),
      ])
      expect(r.error).toBeInstanceOf(AgentUnavailableError)
      expect((r.error as Error).message).toBe('The language model could not be reached')
      expect(r.ms).toBeLessThan(5000)
    })
  })

  describe('check()', () => {
    it('ok when the model is offered; cached for a few seconds', async () => {
      const agent = makeAgent()
      expect(await agent.check()).toEqual({ ok: true, reason: null })
      expect(await agent.check()).toEqual({ ok: true, reason: null })
      expect(f.fake.modelListCalls).toBe(1)
    })

    it('reports a model the server does not offer', async () => {
      expect(await makeAgent({ model: 'gpt-9' }).check()).toEqual({
        ok: false,
        reason: `model "gpt-9" is not offered by ${f.fake.baseUrl}`,
      })
    })

    it('reports a rejected key', async () => {
      expect(await makeAgent({ apiKey: 'sk-wrong' }).check()).toEqual({
        ok: false,
        reason: `${f.fake.baseUrl} rejected the API key (HTTP 401)`,
      })
    })

    it('reports an unreachable server', async () => {
      const port = await closedPort()
      const result = await makeAgent({ baseUrl: `http://127.0.0.1:${port}/v1` }).check()
      expect(result.ok).toBe(false)
      expect(result.reason).toMatch(new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}/v1`))
    })
  })

  it('createAgent picks it with AURION_AGENT=openai and the configured settings', async () => {
    f.fake.queue.push({ type: 'stream', chunks: ['configured'] })
    const config = testConfig({
      AURION_AGENT: 'openai',
      AURION_LLM_BASE_URL: f.fake.baseUrl,
      AURION_LLM_API_KEY: 'sk-test',
      AURION_LLM_MODEL: 'other',
      AURION_LLM_TEMPERATURE: '0.7',
      AURION_LLM_MAX_TOKENS: '99',
    })
    const agent = createAgent(config, f.database.db)
    expect(agent.kind).toBe('openai')
    const r = await run(agent, [turn('visitor', 'vpn')])
    expect(r.chunks).toEqual(['configured'])
    expect(f.fake.requests[0]!.body).toMatchObject({
      model: 'other',
      temperature: 0.7,
      max_tokens: 99,
    })
    expect(await agent.check()).toEqual({ ok: true, reason: null })
  })
})

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

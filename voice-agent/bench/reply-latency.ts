// Latency of the worker's "LLM" step: POST /internal/v1/conversations/:id/reply over HTTP to the
// real server (in process, SQLite, built-in knowledge agent), as the worker calls it in a call.
// Run: cd voice-agent && npm run bench
import { InternalClient } from '../src/internal-client.ts'
import { INTERNAL_TOKEN, startAurionServer } from '../test/aurion-server.ts'

const WARMUP = 20
const RUNS = 200
const QUESTIONS = [
  'How do I reset my password?',
  'And what about on a Mac?',
  'How do I connect to the VPN?',
  "What if that doesn't work?",
]

const server = await startAurionServer()
const client = new InternalClient(server.url, INTERNAL_TOKEN)
const firstChunk: number[] = []
const complete: number[] = []
let target = await server.newConversation()
for (let i = 0; i < WARMUP + RUNS; i++) {
  if (i % QUESTIONS.length === 0) target = await server.newConversation()
  const started = performance.now()
  let first = 0
  for await (const ev of client.streamReply(target, {
    segmentId: `bench-${i}`,
    text: QUESTIONS[i % QUESTIONS.length]!,
  })) {
    if (ev.type === 'chunk' && first === 0) first = performance.now() - started
    if (ev.type === 'error') throw new Error(ev.message)
  }
  if (i >= WARMUP) {
    firstChunk.push(first)
    complete.push(performance.now() - started)
  }
}
await server.close()

const pct = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!
const fmt = (values: number[]) =>
  `p50 ${pct(values, 0.5).toFixed(1)} ms, p95 ${pct(values, 0.95).toFixed(1)} ms`
console.log(`reply over the internal API, ${RUNS} turns (store transcript, agent, store reply):`)
console.log(`  first chunk: ${fmt(firstChunk)}`)
console.log(`  complete:    ${fmt(complete)}`)

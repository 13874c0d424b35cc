/**
 * Time to first chunk through the LLM agent vs. a direct `openai` SDK stream, both over the same
 * fake OpenAI-compatible upstream on loopback, interleaved in one run. The difference is what the
 * agent adds (knowledge retrieval with its revision check, prompt building, stream handling).
 * Goal: ≤ 1 ms added at the median, ≤ 5 ms at p99.
 *
 *   npx tsx bench/llm-ttfc.ts            (ITERATIONS=… to change the sample size)
 */
import { pathToFileURL } from 'node:url'
import { createTestDatabase, provisionTenant } from '@aurion/server/test-support'
import OpenAI from 'openai'
import type { AgentTurn } from '../packages/server/src/agent/agent.ts'
import { createOpenAiAgent } from '../packages/server/src/agent/openai-agent.ts'
import { createKnowledgeBase } from '../packages/server/src/knowledge/knowledge-base.ts'
import { startFakeOpenAi } from '../packages/server/test/fake-openai.ts'

export interface BenchResult {
  name: string
  value: number
  unit: string
  baseline?: number
  ratio?: number
  goal?: string
}

const MODEL = 'bench-model'

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[i]!
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits

/** Runs the benchmark and returns its figures (the bench runner prints and stores them). */
export async function run(
  opts: { iterations?: number; warmup?: number } = {},
): Promise<BenchResult[]> {
  const iterations = opts.iterations ?? 400
  const warmup = opts.warmup ?? 50
  const fake = await startFakeOpenAi({
    models: [MODEL],
    fallback: { type: 'stream', chunks: ['To reset your password', ', open the IT portal', '.'] },
  })
  const database = await createTestDatabase('sqlite')
  try {
    const { tenant } = await provisionTenant(database.db, {
      name: 'Bench',
      config: {},
      articles: true,
    })

    const agent = createOpenAiAgent({
      knowledge: createKnowledgeBase(database.db),
      baseUrl: fake.baseUrl,
      apiKey: 'sk-bench',
      model: MODEL,
      temperature: 0.2,
      maxTokens: 256,
      timeoutMs: 10_000,
    })
    const client = new OpenAI({
      baseURL: fake.baseUrl,
      apiKey: 'sk-bench',
      maxRetries: 0,
      logLevel: 'off',
    })
    const history: AgentTurn[] = [
      {
        role: 'visitor',
        text: 'How do I reset my password?',
        channel: 'chat',
        createdAt: new Date().toISOString(),
      },
    ]

    // Both paths read their stream to the end (so connections are reused alike) and record the
    // time of the first text chunk.
    async function viaAgent(): Promise<number> {
      const t0 = performance.now()
      let first = Number.NaN
      for await (const _ of agent.reply({ tenantId: tenant.id, conversationId: 'c', history })) {
        if (Number.isNaN(first)) first = performance.now() - t0
      }
      return first
    }
    // The direct path sends the very prompt the agent builds, so the difference is the agent's
    // own work, not the size of a grounded prompt.
    await viaAgent()
    const messages = fake.requests[0]!.body.messages
    async function direct(): Promise<number> {
      const t0 = performance.now()
      let first = Number.NaN
      const stream = await client.chat.completions.create({
        model: MODEL,
        stream: true,
        temperature: 0.2,
        max_tokens: 256,
        messages,
      })
      for await (const chunk of stream) {
        if (Number.isNaN(first) && chunk.choices[0]?.delta?.content) first = performance.now() - t0
      }
      return first
    }

    for (let i = 0; i < warmup; i++) {
      await viaAgent()
      await direct()
    }
    const agentMs: number[] = []
    const directMs: number[] = []
    for (let i = 0; i < iterations; i++) {
      // Alternate the order so neither path always runs on a freshly idle loop.
      if (i % 2 === 0) {
        agentMs.push(await viaAgent())
        directMs.push(await direct())
      } else {
        directMs.push(await direct())
        agentMs.push(await viaAgent())
      }
    }
    // CPU time per reply (this process runs the fake upstream too, alike for both paths): what
    // the agent adds in work, which a loaded machine does not blur the way it blurs latency.
    const cpuPerReply = async (fn: () => Promise<number>, n: number) => {
      const before = process.cpuUsage()
      for (let i = 0; i < n; i++) await fn()
      const used = process.cpuUsage(before)
      return (used.user + used.system) / 1000 / n
    }
    const cpuRuns = Math.max(50, Math.floor(iterations / 2))
    const agentCpu = await cpuPerReply(viaAgent, cpuRuns)
    const directCpu = await cpuPerReply(direct, cpuRuns)

    agentMs.sort((a, b) => a - b)
    directMs.sort((a, b) => a - b)
    const a50 = percentile(agentMs, 50)
    const d50 = percentile(directMs, 50)
    const a99 = percentile(agentMs, 99)
    const d99 = percentile(directMs, 99)
    return [
      {
        name: 'llm agent ttfc (median)',
        value: round(a50),
        unit: 'ms',
        baseline: round(d50),
        ratio: round(a50 / d50, 2),
      },
      {
        name: 'llm agent ttfc (p99)',
        value: round(a99),
        unit: 'ms',
        baseline: round(d99),
        ratio: round(a99 / d99, 2),
      },
      {
        name: 'llm agent added ttfc (median)',
        value: round(a50 - d50),
        unit: 'ms',
        goal: '<= 1 ms',
      },
      { name: 'llm agent added ttfc (p99)', value: round(a99 - d99), unit: 'ms', goal: '<= 5 ms' },
      {
        name: 'llm agent cpu per reply',
        value: round(agentCpu),
        unit: 'ms',
        baseline: round(directCpu),
        ratio: round(agentCpu / directCpu, 2),
      },
    ]
  } finally {
    await database.close()
    await fake.close()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const iterations = Number(process.env.ITERATIONS ?? 400)
  const results = await run({ iterations })
  console.log(
    `LLM agent time to first chunk, ${iterations} requests per path over a loopback fake upstream`,
  )
  console.table(
    results.map((r) => ({
      metric: r.name,
      value: `${r.value} ${r.unit}`,
      'direct SDK': r.baseline !== undefined ? `${r.baseline} ${r.unit}` : '',
      ratio: r.ratio ?? '',
      goal: r.goal ?? '',
    })),
  )
}

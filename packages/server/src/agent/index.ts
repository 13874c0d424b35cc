import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'
import { semanticSearchFor } from '../knowledge/embeddings/semantic-search.ts'
import { knowledgeBaseFor } from '../knowledge/knowledge-base.ts'
import type { Agent } from './agent.ts'
import { createBuiltinAgent } from './builtin-agent.ts'
import { createOpenAiAgent } from './openai-agent.ts'

export type { Agent, AgentReply, AgentRequest, AgentSource, AgentTurn } from './agent.ts'
export { AgentUnavailableError } from './agent.ts'

/** The agent the configuration asks for (`AURION_AGENT`): built-in (default) or an LLM. */
export function createAgent(config: Config, db: Db): Agent {
  const knowledge = knowledgeBaseFor(db)
  const semantic = semanticSearchFor(db, config)
  switch (config.agent.kind) {
    case 'builtin':
      return createBuiltinAgent({ knowledge, semantic })
    case 'openai':
      return createOpenAiAgent({
        knowledge,
        semantic,
        baseUrl: config.agent.llmBaseUrl,
        apiKey: config.agent.llmApiKey,
        // loadConfig refuses AURION_AGENT=openai without a model.
        model: config.agent.llmModel ?? '',
        temperature: config.agent.temperature,
        maxTokens: config.agent.maxTokens,
        timeoutMs: config.agent.timeoutMs,
        vision: config.agent.vision,
      })
  }
}

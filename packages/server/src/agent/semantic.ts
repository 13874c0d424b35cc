import type { SemanticScores, SemanticSearch } from '../knowledge/embeddings/semantic-search.ts'
import { redactPii } from '../privacy/redact.ts'
import type { AgentRequest } from './agent.ts'

/**
 * The question's similarity to the tenant's articles for hybrid search, or undefined (lexical
 * alone). With `redact_pii` the embeddings model, a third party too, sees the question redacted.
 */
export function semanticScoresFor(
  semantic: SemanticSearch | undefined,
  request: Pick<AgentRequest, 'tenantId' | 'redactPii'>,
  question: string,
): Promise<SemanticScores | undefined> {
  if (!semantic || question.trim() === '') return Promise.resolve(undefined)
  return semantic.scores(request.tenantId, request.redactPii ? redactPii(question) : question)
}

import type { AgentTurn } from '../agent/agent.ts'
import type { Db } from '../db/schema.ts'
import { replyExtrasOf } from './answer-extras.ts'
import { listConversationTurns, type TurnRow } from './message-repo.ts'

const HISTORY_TURNS = 50

/**
 * The conversation up to and including the message `uptoSeq` as agent turns (chat and voice,
 * every thread), oldest first: the last `limit` of them.
 */
export async function loadConversationHistory(
  db: Db,
  tenantId: string,
  conversationId: string,
  uptoSeq: number,
  limit = HISTORY_TURNS,
): Promise<AgentTurn[]> {
  return (await listConversationTurns(db, tenantId, conversationId, uptoSeq, limit)).map(toTurn)
}

/** A stored message as the agent sees it. */
export function toTurn(m: TurnRow): AgentTurn {
  const turn: AgentTurn = {
    role: m.sender_type === 'contact' ? 'visitor' : m.sender_type === 'ai' ? 'assistant' : 'agent',
    text: m.body,
    channel: m.channel === 'voice' || m.channel === 'phone' ? 'voice' : 'chat',
    createdAt: m.created_at,
  }
  const cited = replyExtrasOf(m).sources
  if (cited) turn.sources = cited.map((s) => s.title)
  return turn
}

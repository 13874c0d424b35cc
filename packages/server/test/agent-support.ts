import { expect } from 'vitest'
import type { AgentTurn } from '../src/agent/agent.ts'

/** A turn of a conversation's history, written now. */
export const turn = (
  role: AgentTurn['role'],
  text: string,
  channel: AgentTurn['channel'] = 'chat',
): AgentTurn => ({ role, text, channel, createdAt: new Date().toISOString() })

/**
 * Reads an agent's reply, aborting `controller` as the first chunk arrives; expects the reply to
 * end with an AbortError and returns the chunks it gave.
 */
export async function readUntilAborted(
  reply: AsyncIterable<string>,
  controller: AbortController,
): Promise<string[]> {
  const chunks: string[] = []
  await expect(async () => {
    for await (const c of reply) {
      chunks.push(c)
      controller.abort()
    }
  }).rejects.toMatchObject({ name: 'AbortError' })
  return chunks
}

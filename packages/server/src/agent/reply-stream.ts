import type { AgentReply, AgentSource } from './agent.ts'

/**
 * An {@link AgentReply} over a generator. `sources` is observed here so a caller that never
 * awaits it does not cause an unhandled rejection; failures surface through iteration.
 */
export function createReply(
  sources: Promise<AgentSource[]>,
  generate: () => AsyncGenerator<string, void, undefined>,
  followUps?: Promise<string[]>,
): AgentReply {
  sources.catch(() => {})
  followUps?.catch(() => {})
  let iterated = false
  return {
    sources,
    ...(followUps ? { followUps } : {}),
    [Symbol.asyncIterator]() {
      if (iterated) throw new Error('An agent reply can be iterated only once')
      iterated = true
      return generate()
    },
  }
}

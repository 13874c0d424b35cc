import type { Config } from '../config.ts'
import type { Db } from '../db/schema.ts'
import type { Agent } from './agent.ts'

/** The agent the configuration asks for (`AURION_AGENT`). */
export function createAgent(_config: Config, _db: Db): Agent {
  return {
    kind: 'none',
    reply() {
      throw new Error('no agent yet')
    },
    async check() {
      return { ok: false, reason: 'no agent configured' }
    },
  }
}

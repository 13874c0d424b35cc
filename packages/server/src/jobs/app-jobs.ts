import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.ts'
import type { DbHandle } from '../db/connect.ts'
import {
  EMBED_PASSAGES_JOB,
  embedPassagesJob,
  queueEmbeddingWork,
} from '../knowledge/embeddings/embed-job.ts'
import { createEmbeddingsClient } from '../knowledge/embeddings/embeddings-client.ts'
import { queueDueSyncs } from '../knowledge/sources/source-service.ts'
import { SYNC_SOURCE_JOB, syncSourceJob } from '../knowledge/sources/sync-source.ts'
import { createJobRunner, type JobRunner } from './job-runner.ts'

/**
 * The server's job runner and what it runs: knowledge source syncs (and the periodic re-syncs
 * that fall due) and, with embeddings configured, passage embeddings of tenants whose articles
 * changed. Every instance runs one; the job table keeps them from running a job twice.
 */
export function createAppJobRunner(
  config: Config,
  database: DbHandle,
  log: FastifyBaseLogger,
): JobRunner {
  const embeddings = config.embeddings
    ? createEmbeddingsClient(config.embeddings, { allowPrivate: config.fetchAllowPrivate })
    : undefined
  return createJobRunner({
    db: database.db,
    dialect: database.dialect,
    log,
    handlers: {
      [SYNC_SOURCE_JOB]: syncSourceJob({
        db: database.db,
        allowPrivate: config.fetchAllowPrivate,
        delayMs: config.crawlDelayMs,
      }),
      ...(embeddings
        ? { [EMBED_PASSAGES_JOB]: embedPassagesJob({ db: database.db, client: embeddings, log }) }
        : {}),
    },
    onPoll: async () => {
      await queueDueSyncs(database.db)
      if (embeddings) await queueEmbeddingWork(database.db, embeddings.model)
    },
  })
}

import { buildApp } from './app.ts'
import { createBackends } from './backends.ts'
import type { Config } from './config.ts'
import { connectDb } from './db/connect.ts'
import { migrateToLatest } from './db/migrate.ts'

/** Connects, migrates, listens; closes gracefully on SIGTERM/SIGINT. */
export async function startServer(config: Config): Promise<void> {
  const database = await connectDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  await migrateToLatest(database)
  // REDIS_URL → limits and realtime events shared by every instance; else in-process.
  const backends = createBackends(config)
  const app = await buildApp(config, {
    database,
    limiter: backends.limiter,
    bus: backends.bus,
  }).catch(async (err: unknown) => {
    await backends.close()
    throw err
  })
  await app.listen({ port: config.port, host: config.host })
  const stop = async () => {
    await app.close()
    await database.close()
  }
  process.once('SIGTERM', () => void stop())
  process.once('SIGINT', () => void stop())
}

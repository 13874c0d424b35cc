/**
 * Bench child: the Aurion server exactly as `aurion serve` starts it (`startServer`: migrations,
 * backends from the environment, every route), configured by the environment it is forked with.
 * With BENCH_STANDBY=1 it loads every module, starts and stops a throwaway server on an
 * in-memory database (so the code a start runs is compiled and warm), says `ready`, and starts
 * only on `go`: the crash run keeps a few waiting so a restart after SIGKILL takes what starting
 * a loaded process takes (open the database, migrate, build the routes, listen), not loading
 * TypeScript.
 */
import { loadConfig } from '../../packages/server/src/config.ts'
import { startServer } from '../../packages/server/src/main.ts'
import { serveIpc } from './ipc.ts'

const start = async () => {
  const server = await startServer(loadConfig(process.env), { print: () => {} })
  serveIpc(server.port, () => server.stop())
}

if (process.env.BENCH_STANDBY === '1') {
  const warm = await startServer(
    loadConfig({ ...process.env, DATABASE_URL: 'sqlite::memory:', PORT: '0' }),
    { print: () => {} },
  )
  await warm.stop()
  const orphaned = () => process.exit(0)
  process.on('disconnect', orphaned)
  process.once('message', (m: { type?: string }) => {
    if (m.type !== 'go') return
    process.off('disconnect', orphaned)
    start().catch((err: unknown) => {
      process.stderr.write(`bench server failed to start: ${String(err)}\n`)
      process.exit(1)
    })
  })
  process.send?.({ type: 'ready' })
} else {
  await start()
}

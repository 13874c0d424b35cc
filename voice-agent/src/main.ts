import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { fileURLToPath } from 'node:url'
import { AgentServer, initializeLogger, log, ServerOptions, version } from '@livekit/agents'
import { loadVoiceConfig, VoiceConfigError } from './config.ts'
import { startHeartbeat } from './heartbeat.ts'
import type { HeartbeatInput } from './internal-client.ts'
import { InternalClient } from './internal-client.ts'

const USAGE =
  'usage: voice-agent <start|dev>\n  start  production mode (JSON logs)\n  dev    development mode (pretty logs)'

async function main(argv: string[]): Promise<number> {
  const command = argv[0]
  if (command !== 'start' && command !== 'dev') {
    console.error(USAGE)
    return 2
  }
  let config: ReturnType<typeof loadVoiceConfig>
  try {
    config = loadVoiceConfig(process.env)
  } catch (err) {
    if (err instanceof VoiceConfigError) {
      console.error(err.message)
      return 1
    }
    throw err
  }
  const production = command === 'start'
  initializeLogger({ pretty: !production, level: config.logLevel })
  const logger = log().child({ component: 'aurion-voice-agent' })

  const server = new AgentServer(
    new ServerOptions({
      agent: fileURLToPath(new URL('./job.ts', import.meta.url)),
      agentName: config.agentName,
      wsURL: config.livekit.url,
      apiKey: config.livekit.apiKey,
      apiSecret: config.livekit.apiSecret,
      port: config.httpPort,
      logLevel: config.logLevel,
      production,
    }),
  )

  const instanceId = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`
  let status: HeartbeatInput['status'] = 'connecting'
  const client = new InternalClient(config.internalUrl, config.internalToken)
  const heartbeat = startHeartbeat({
    client,
    intervalMs: config.heartbeatIntervalMs,
    logger,
    state: () => ({
      worker_id: instanceId,
      agent_name: config.agentName,
      status,
      active_jobs: server.activeJobs.length,
      version,
      ...(server.id !== 'unregistered' ? { livekit_worker_id: server.id } : {}),
    }),
  })
  server.event.on('worker_registered', (workerId: string) => {
    status = 'registered'
    logger.info({ worker_id: workerId, agent_name: config.agentName }, 'registered with LiveKit')
    void heartbeat.beat()
  })

  let stopping = false
  const stop = async (signal: string, code: number) => {
    if (stopping) process.exit(code)
    stopping = true
    logger.info({ signal }, 'draining: finishing active calls before exit')
    status = 'draining'
    await heartbeat.beat()
    try {
      await server.drain()
    } catch (err) {
      logger.error({ err }, 'drain failed')
    }
    await server.close()
    await heartbeat.stop('stopped')
    process.exit(code)
  }
  process.once('SIGINT', () => void stop('SIGINT', 130))
  process.once('SIGTERM', () => void stop('SIGTERM', 143))

  logger.info(
    {
      livekit_url: config.livekit.url,
      agent_name: config.agentName,
      stt: config.stt.provider,
      tts: config.tts.provider,
      server: config.internalUrl,
    },
    'starting the Aurion voice agent',
  )
  try {
    await server.run()
  } catch (err) {
    logger.fatal({ err }, 'worker stopped')
    await heartbeat.stop('stopped')
    return 1
  }
  return 0
}

// Job processes import job.ts, never this file: only the CLI process runs main().
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
}

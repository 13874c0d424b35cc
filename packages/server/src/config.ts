import { randomBytes } from 'node:crypto'
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'
import { ensurePrivateDir, tightenPrivateFile } from './db/private-files.ts'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
export type AgentKind = 'builtin' | 'openai'

/** Validated server configuration. Built once by {@link loadConfig}, frozen, passed to `buildApp`. */
export interface Config {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  /** `undefined` → SQLite file `aurion.db` in {@link dataDir}. */
  readonly databaseUrl: string | undefined
  /**
   * SQLite: consecutive transactions share one commit (`AURION_SQLITE_GROUP_COMMIT`, default
   * true; see docs/adr/0001-sqlite-group-commit.md). Off, each transaction commits alone.
   */
  readonly sqliteGroupCommit: boolean
  /**
   * SQLite: where statement journals and temporary tables live (`AURION_SQLITE_TEMP_STORE`:
   * `memory`, the default, or `file`; see db/sqlite/connect.ts).
   */
  readonly sqliteTempStore: 'memory' | 'file'
  readonly redisUrl: string | undefined
  /** Prefix of every Redis key and channel (`AURION_REDIS_PREFIX`, default `aurion:`). */
  readonly redisKeyPrefix: string
  /** How long a tenant lookup may be served from memory (`AURION_TENANT_CACHE_TTL_MS`; 0 = off). */
  readonly tenantCacheTtlMs: number
  /** Base URL of this server as seen by browsers, without a trailing slash. */
  readonly publicUrl: string
  /** HMAC secret for email tokens and other server-signed values. */
  readonly secret: string
  readonly livekit: {
    readonly url: string | undefined
    readonly apiKey: string | undefined
    readonly apiSecret: string | undefined
    /** Agent name used in the token's RoomAgentDispatch. */
    readonly agentName: string
    /**
     * Lifetime of issued participant tokens (`AURION_VOICE_TOKEN_TTL_SECONDS`, default 3600 as the
     * contract states). A token only admits a join; removal on key regeneration revokes it early.
     */
    readonly tokenTtlSeconds: number
  }
  readonly helpCenterDomain: string | undefined
  /** Fastify `trustProxy` value: false, true, a hop count, or a list of addresses/CIDRs. */
  readonly trustProxy: boolean | number | string[]
  readonly logLevel: LogLevel
  readonly agent: {
    readonly kind: AgentKind
    readonly llmBaseUrl: string | undefined
    readonly llmApiKey: string | undefined
    readonly llmModel: string | undefined
    readonly temperature: number
    readonly maxTokens: number
    readonly timeoutMs: number
    /** The model takes images (`AURION_LLM_VISION`): image attachments are passed to it. */
    readonly vision: boolean
  }
  /** Shared secret for the internal API used by the voice agent worker. */
  readonly internalApiToken: string | undefined
  /** Create the demo tenant on an empty database (`npm start`). */
  readonly demo: boolean
  /** How long a graceful shutdown waits for in-flight requests before closing their connections. */
  readonly shutdownTimeoutMs: number
  /**
   * Every rate limit is multiplied by this (`AURION_RATE_LIMIT_MULTIPLIER`, default 1): for load
   * tests from one address, or sites whose visitors share a few NAT addresses.
   */
  readonly rateLimitMultiplier: number
  /**
   * Bearer token `/metrics` answers to (`AURION_METRICS_TOKEN`, at least 32 characters);
   * undefined: no token is asked for.
   */
  readonly metricsToken: string | undefined
  /**
   * `AURION_METRICS_PORT`: `/metrics` is served on this port of {@link host} only, never on the
   * main one (0: a free port). Undefined: on the main port.
   */
  readonly metricsPort: number | undefined
  /**
   * Outgoing mail (`AURION_SMTP_URL`, `AURION_MAIL_FROM`, set together): verification codes and
   * other notices. Unset → this server sends no mail.
   */
  readonly mail: {
    readonly smtpUrl: string | undefined
    readonly from: string | undefined
  }
  /** Bytes of attachments one tenant may store (`AURION_UPLOAD_QUOTA_MB`, default 1024 MB). */
  readonly uploadQuotaBytes: number
  /**
   * Outbound requests to tenant-chosen URLs (crawls, webhooks) may reach private, loopback and
   * link-local addresses (`AURION_FETCH_ALLOW_PRIVATE`, default false: refused).
   */
  readonly fetchAllowPrivate: boolean
  /** Pause between two requests of one crawl worker (`AURION_CRAWL_DELAY_MS`, default 250). */
  readonly crawlDelayMs: number
  /**
   * Hybrid search (docs/knowledge-and-agents.md): an OpenAI-compatible embeddings model
   * (`AURION_EMBEDDINGS_MODEL` switches it on). Undefined: lexical search alone.
   */
  readonly embeddings: EmbeddingsConfig | undefined
  readonly webhooks: {
    /**
     * `AURION_WEBHOOK_ALLOW_PRIVATE`: endpoints may be on loopback, private or link-local
     * addresses and use plain http (development, tests, on-premises help desks). Default false.
     */
    readonly allowPrivate: boolean
    /** `AURION_WEBHOOK_RETRY_BASE_MS`: first retry delay (default 5 s); the schedule scales with it. */
    readonly retryBaseMs: number
    /** `AURION_WEBHOOK_POLL_MS`: how often each instance looks for due deliveries (default 1 s). */
    readonly pollMs: number
    /**
     * `AURION_WEBHOOK_TIMEOUT_MS`: limit of one delivery attempt (default 10 s). A delivery a
     * worker took is another's again after three times this (the worker died mid-attempt).
     */
    readonly timeoutMs: number
    /** `AURION_WEBHOOK_SEND_THREAD`: attempts made in a thread (default true; webhooks/sender.ts). */
    readonly sendThread: boolean
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
]

type Env = Record<string, string | undefined>

/**
 * Validates every variable once and reports all problems together.
 * Reads (and on first start writes) `AURION_SECRET` from the data dir when it is unset.
 * @throws ConfigError listing every problem found.
 */
export function loadConfig(env: Env = process.env, opts: { cwd?: string } = {}): Config {
  const problems: string[] = []
  const cwd = opts.cwd ?? process.cwd()
  const val = (name: string): string | undefined => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? undefined : v.trim()
  }

  const num = (name: string, def: number, min: number, max: number, integer = false): number => {
    const raw = val(name)
    if (raw === undefined) return def
    const n = Number(raw)
    if (!(integer ? Number.isInteger(n) : Number.isFinite(n)) || n < min || n > max) {
      const what = integer ? 'an integer' : 'a number'
      problems.push(`${name} must be ${what} from ${min} to ${max} (got "${raw}")`)
      return def
    }
    return n
  }
  const int = (name: string, def: number, min: number, max: number) =>
    num(name, def, min, max, true)
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = val(name)
    if (raw === undefined) return undefined
    try {
      const u = new URL(raw)
      if (!protocols.includes(u.protocol)) {
        problems.push(`${name} must use ${protocols.join(' or ')} (got "${raw}")`)
        return undefined
      }
      return raw
    } catch {
      problems.push(`${name} is not a valid URL (got "${raw}")`)
      return undefined
    }
  }
  const bool = (name: string, def: boolean): boolean => {
    const raw = val(name)
    if (raw === undefined) return def
    if (/^(1|true|yes|on)$/i.test(raw)) return true
    if (/^(0|false|no|off)$/i.test(raw)) return false
    problems.push(`${name} must be true or false (got "${raw}")`)
    return def
  }
  /** One of `options`, any case; `def` when unset. */
  const choice = <T extends string>(name: string, options: readonly T[], def: T): T => {
    const raw = (val(name) ?? def).toLowerCase()
    if ((options as readonly string[]).includes(raw)) return raw as T
    const listed = options.length === 2 ? options.join(' or ') : `one of ${options.join(', ')}`
    problems.push(`${name} must be ${listed} (got "${raw}")`)
    return def
  }

  const port = int('PORT', 8080, 0, 65535)
  const host = val('HOST') ?? '127.0.0.1'
  const dataDirRaw = val('AURION_DATA_DIR') ?? './data'
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw)
  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:', 'sqlite:', 'file:'])
  const sqliteGroupCommit = bool('AURION_SQLITE_GROUP_COMMIT', true)
  const sqliteTempStore = choice('AURION_SQLITE_TEMP_STORE', ['memory', 'file'] as const, 'memory')
  const redisUrl = url('REDIS_URL', ['redis:', 'rediss:'])
  const redisKeyPrefix = val('AURION_REDIS_PREFIX') ?? 'aurion:'
  const tenantCacheTtlMs = int('AURION_TENANT_CACHE_TTL_MS', 10_000, 0, 300_000)
  if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(redisKeyPrefix))
    problems.push(
      `AURION_REDIS_PREFIX must be 1-64 letters, digits or ":_.-" (got "${redisKeyPrefix}")`,
    )
  const publicUrlRaw = url('AURION_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`
  const publicUrl = publicUrlRaw.replace(/\/+$/, '')
  {
    // It is pasted into every embed snippet: a query, fragment or credentials there would break
    // the loader URL or leak into customers' pages.
    const u = new URL(publicUrl)
    if (u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '')
      problems.push(
        `AURION_PUBLIC_URL must be a base URL without query, fragment or credentials (got "${publicUrlRaw}")`,
      )
  }

  const livekitUrl = url('LIVEKIT_URL', ['ws:', 'wss:', 'http:', 'https:'])
  const livekitApiKey = val('LIVEKIT_API_KEY')
  const livekitApiSecret = val('LIVEKIT_API_SECRET')
  const lkSet = [livekitUrl, livekitApiKey, livekitApiSecret].filter((v) => v !== undefined).length
  if (lkSet !== 0 && lkSet !== 3) {
    problems.push('LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set together')
  }

  const helpCenterDomain = val('AURION_HELP_CENTER_DOMAIN')?.toLowerCase()
  if (
    helpCenterDomain !== undefined &&
    !/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(helpCenterDomain)
  ) {
    problems.push(
      `AURION_HELP_CENTER_DOMAIN must be a domain name such as help.example.com (got "${helpCenterDomain}")`,
    )
  }

  let trustProxy: boolean | number | string[] = false
  const tp = val('AURION_TRUST_PROXY')
  if (tp !== undefined) {
    if (/^(true|false)$/i.test(tp)) trustProxy = tp.toLowerCase() === 'true'
    else if (/^\d+$/.test(tp)) trustProxy = Number(tp)
    else {
      const list = tp
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
      const bad = list.filter(
        (s) =>
          !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s) &&
          !['loopback', 'linklocal', 'uniquelocal'].includes(s),
      )
      if (bad.length > 0)
        problems.push(
          `AURION_TRUST_PROXY has invalid entries: ${bad.join(', ')} (use addresses, CIDRs, a hop count, true or false)`,
        )
      trustProxy = list
    }
  }

  const logLevel: LogLevel = choice('LOG_LEVEL', LOG_LEVELS, 'info')
  const agentKind: AgentKind = choice('AURION_AGENT', ['builtin', 'openai'] as const, 'builtin')
  const llmBaseUrl = url('AURION_LLM_BASE_URL', ['http:', 'https:'])
  const llmApiKey = val('AURION_LLM_API_KEY')
  const llmModel = val('AURION_LLM_MODEL')
  if (agentKind === 'openai' && llmModel === undefined)
    problems.push('AURION_LLM_MODEL is required when AURION_AGENT=openai')
  const temperature = num('AURION_LLM_TEMPERATURE', 0.2, 0, 2)
  const maxTokens = int('AURION_LLM_MAX_TOKENS', 512, 1, 32_768)
  const timeoutMs = int('AURION_LLM_TIMEOUT_MS', 30_000, 100, 600_000)
  const vision = bool('AURION_LLM_VISION', false)

  const internalApiToken = val('AURION_INTERNAL_TOKEN')
  if (internalApiToken !== undefined && internalApiToken.length < 32)
    problems.push('AURION_INTERNAL_TOKEN must be at least 32 characters')

  let secret = val('AURION_SECRET')
  if (secret !== undefined && secret.length < 32)
    problems.push('AURION_SECRET must be at least 32 characters')

  const demo = bool('AURION_DEMO', false)
  const shutdownTimeoutMs = int('AURION_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000)
  const rateLimitMultiplier = num('AURION_RATE_LIMIT_MULTIPLIER', 1, 0.01, 1_000_000)
  const metricsToken = val('AURION_METRICS_TOKEN')
  if (metricsToken !== undefined && metricsToken.length < 32)
    problems.push('AURION_METRICS_TOKEN must be at least 32 characters')
  const metricsPort =
    val('AURION_METRICS_PORT') === undefined ? undefined : int('AURION_METRICS_PORT', 0, 0, 65535)
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port)
    problems.push('AURION_METRICS_PORT must differ from PORT')
  const uploadQuotaMb = int('AURION_UPLOAD_QUOTA_MB', 1024, 1, 1_048_576)
  const voiceTokenTtlSeconds = int('AURION_VOICE_TOKEN_TTL_SECONDS', 3600, 60, 3600)
  const fetchAllowPrivate = bool('AURION_FETCH_ALLOW_PRIVATE', false)
  const crawlDelayMs = int('AURION_CRAWL_DELAY_MS', 250, 0, 60_000)
  const embeddingsModel = val('AURION_EMBEDDINGS_MODEL')
  const embeddingsUrl = url('AURION_EMBEDDINGS_URL', ['http:', 'https:'])
  if (embeddingsUrl !== undefined && embeddingsModel === undefined)
    problems.push('AURION_EMBEDDINGS_URL needs AURION_EMBEDDINGS_MODEL')
  // Without a URL of its own, the model is asked at the language model's endpoint, with its key.
  const embeddings: EmbeddingsConfig | undefined =
    embeddingsModel === undefined
      ? undefined
      : Object.freeze({
          baseUrl: (embeddingsUrl ?? llmBaseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, ''),
          apiKey:
            embeddingsUrl !== undefined
              ? val('AURION_EMBEDDINGS_API_KEY')
              : (val('AURION_EMBEDDINGS_API_KEY') ?? llmApiKey),
          model: embeddingsModel,
          batchSize: int('AURION_EMBEDDINGS_BATCH', 64, 1, 2048),
          timeoutMs: int('AURION_EMBEDDINGS_TIMEOUT_MS', 5000, 100, 120_000),
          minSimilarity: num('AURION_EMBEDDINGS_MIN_SIMILARITY', 0.5, 0, 1),
        })
  const webhookAllowPrivate = bool('AURION_WEBHOOK_ALLOW_PRIVATE', false)
  const webhookRetryBaseMs = int('AURION_WEBHOOK_RETRY_BASE_MS', 5000, 1, 3_600_000)
  const webhookPollMs = int('AURION_WEBHOOK_POLL_MS', 1000, 10, 60_000)
  const webhookTimeoutMs = int('AURION_WEBHOOK_TIMEOUT_MS', 10_000, 100, 10_000)
  const webhookSendThread = bool('AURION_WEBHOOK_SEND_THREAD', true)

  const smtpUrl = url('AURION_SMTP_URL', ['smtp:', 'smtps:'])
  const mailFrom = val('AURION_MAIL_FROM')
  if (
    (smtpUrl === undefined) !== (mailFrom === undefined) &&
    problems.every((p) => !p.startsWith('AURION_SMTP_URL'))
  )
    problems.push('AURION_SMTP_URL and AURION_MAIL_FROM must be set together')
  if (mailFrom !== undefined && (mailFrom.length > 320 || /[\r\n]/.test(mailFrom)))
    problems.push('AURION_MAIL_FROM must be one address such as "Support <help@example.com>"')

  if (problems.length > 0) throw new ConfigError(problems)

  if (secret === undefined) {
    try {
      secret = readOrCreateSecret(dataDir)
    } catch (err) {
      throw new ConfigError([
        `AURION_DATA_DIR "${dataDir}" is not usable to keep the generated AURION_SECRET (${(err as Error).message}); make it writable or set AURION_SECRET`,
      ])
    }
  }

  return Object.freeze({
    port,
    host,
    dataDir,
    databaseUrl,
    sqliteGroupCommit,
    sqliteTempStore,
    redisUrl,
    redisKeyPrefix,
    tenantCacheTtlMs,
    publicUrl,
    secret,
    livekit: Object.freeze({
      url: livekitUrl,
      apiKey: livekitApiKey,
      apiSecret: livekitApiSecret,
      agentName: val('AURION_VOICE_AGENT_NAME') ?? 'aurion-voice-agent',
      tokenTtlSeconds: voiceTokenTtlSeconds,
    }),
    helpCenterDomain,
    trustProxy,
    logLevel,
    agent: Object.freeze({
      kind: agentKind,
      llmBaseUrl,
      llmApiKey,
      llmModel,
      temperature,
      maxTokens,
      timeoutMs,
      vision,
    }),
    internalApiToken,
    demo,
    shutdownTimeoutMs,
    rateLimitMultiplier,
    metricsToken,
    metricsPort,
    mail: Object.freeze({ smtpUrl, from: mailFrom }),
    uploadQuotaBytes: uploadQuotaMb * 1024 * 1024,
    fetchAllowPrivate,
    crawlDelayMs,
    embeddings,
    webhooks: Object.freeze({
      allowPrivate: webhookAllowPrivate,
      retryBaseMs: webhookRetryBaseMs,
      pollMs: webhookPollMs,
      timeoutMs: webhookTimeoutMs,
      sendThread: webhookSendThread,
    }),
  })
}

/** An OpenAI-compatible embeddings endpoint (`POST {baseUrl}/embeddings`). */
export interface EmbeddingsConfig {
  /** `AURION_EMBEDDINGS_URL`, else `AURION_LLM_BASE_URL`, else OpenAI's; no trailing slash. */
  readonly baseUrl: string
  /** `AURION_EMBEDDINGS_API_KEY` (with the LLM's endpoint, `AURION_LLM_API_KEY` when unset). */
  readonly apiKey: string | undefined
  /** `AURION_EMBEDDINGS_MODEL`. */
  readonly model: string
  /** Passages per request (`AURION_EMBEDDINGS_BATCH`, default 64). */
  readonly batchSize: number
  /** One request's limit (`AURION_EMBEDDINGS_TIMEOUT_MS`, default 5000). */
  readonly timeoutMs: number
  /**
   * Cosine similarity from which a passage alone makes an article a confident match
   * (`AURION_EMBEDDINGS_MIN_SIMILARITY`, default 0.5; depends on the model).
   */
  readonly minSimilarity: number
}

/** The secret survives restarts: generated once, kept as `secret.key` (mode 0600) in the data dir. */
function readOrCreateSecret(dataDir: string): string {
  const file = join(dataDir, 'secret.key')
  const read = () => {
    const s = readFileSync(file, 'utf8').trim()
    if (s.length < 32)
      throw new Error(`${file} holds no usable secret: delete it to generate a new one`)
    return s
  }
  if (existsSync(file)) {
    tightenPrivateFile(file)
    return read()
  }
  ensurePrivateDir(dataDir)
  const s = randomBytes(32).toString('hex')
  // Written aside, then linked into place: link() is atomic and refuses to replace, so a second
  // process (the CLI beside a starting server) never reads a half-written file nor overwrites it.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(tmp, `${s}\n`, { mode: 0o600 })
  try {
    linkSync(tmp, file)
    return s
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return read()
    throw err
  } finally {
    rmSync(tmp, { force: true })
  }
}

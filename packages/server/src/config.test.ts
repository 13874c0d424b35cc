import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aurion-config-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const load = (env: Record<string, string> = {}) => loadConfig({ AURION_DATA_DIR: dir, ...env })
const problemsOf = (env: Record<string, string>): string[] => {
  try {
    load(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('has working defaults for a fresh machine', () => {
    const c = load()
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: dir,
      databaseUrl: undefined,
      redisUrl: undefined,
      publicUrl: 'http://localhost:8080',
      helpCenterDomain: undefined,
      trustProxy: false,
      logLevel: 'info',
      demo: false,
      shutdownTimeoutMs: 10_000,
      livekit: { url: undefined, apiKey: undefined, apiSecret: undefined },
      agent: { kind: 'builtin' },
    })
    expect(Object.isFrozen(c)).toBe(true)
    expect(Object.isFrozen(c.livekit)).toBe(true)
  })

  it('generates AURION_SECRET once, keeps it (mode 0600) and reuses it', () => {
    const first = load().secret
    expect(first).toMatch(/^[0-9a-f]{64}$/)
    const file = join(dir, 'secret.key')
    expect(readFileSync(file, 'utf8').trim()).toBe(first)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(load().secret).toBe(first)
  })

  it('uses AURION_SECRET when set and writes nothing', () => {
    const secret = 's'.repeat(40)
    expect(load({ AURION_SECRET: secret }).secret).toBe(secret)
    expect(() => statSync(join(dir, 'secret.key'))).toThrow()
  })

  it('refuses a corrupted secret file instead of using it', () => {
    writeFileSync(join(dir, 'secret.key'), 'short\n')
    expect(() => load()).toThrow(/secret\.key holds no usable secret/)
  })

  it('reports an unusable data dir as a configuration problem', () => {
    const file = join(dir, 'not-a-dir')
    writeFileSync(file, 'x')
    expect(() => loadConfig({ AURION_DATA_DIR: join(file, 'data') })).toThrow(ConfigError)
    expect(() => loadConfig({ AURION_DATA_DIR: join(file, 'data') })).toThrow(/AURION_DATA_DIR/)
  })

  it('derives the public URL from PORT and strips a trailing slash from AURION_PUBLIC_URL', () => {
    expect(load({ PORT: '9000' }).publicUrl).toBe('http://localhost:9000')
    expect(load({ AURION_PUBLIC_URL: 'https://help.example.com/' }).publicUrl).toBe(
      'https://help.example.com',
    )
    expect(load({ AURION_PUBLIC_URL: 'https://example.com/aurion/' }).publicUrl).toBe(
      'https://example.com/aurion',
    )
  })

  it('resolves a relative data dir against the working directory', () => {
    expect(loadConfig({ AURION_SECRET: 'x'.repeat(32) }, { cwd: dir }).dataDir).toBe(
      join(dir, 'data'),
    )
    expect(
      loadConfig({ AURION_DATA_DIR: 'var/db', AURION_SECRET: 'x'.repeat(32) }, { cwd: dir })
        .dataDir,
    ).toBe(join(dir, 'var/db'))
  })

  it('treats blank variables as unset', () => {
    expect(load({ PORT: '  ', DATABASE_URL: '', LOG_LEVEL: '' })).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
      logLevel: 'info',
    })
  })

  it.each([
    ['postgres://u@db:5432/aurion', 'postgres://u@db:5432/aurion'],
    ['postgresql://db/aurion', 'postgresql://db/aurion'],
    ['sqlite:/var/lib/aurion.db', 'sqlite:/var/lib/aurion.db'],
  ])('accepts DATABASE_URL %s', (raw, want) => {
    expect(load({ DATABASE_URL: raw }).databaseUrl).toBe(want)
  })

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
    ['loopback', ['loopback']],
  ])('parses AURION_TRUST_PROXY=%s', (raw, want) => {
    expect(load({ AURION_TRUST_PROXY: raw }).trustProxy).toEqual(want)
  })

  it('reads the metrics settings', () => {
    expect(load()).toMatchObject({ metricsToken: undefined, metricsPort: undefined })
    const token = 'm'.repeat(32)
    expect(
      load({ AURION_METRICS_TOKEN: token, AURION_METRICS_PORT: '9464', PORT: '8080' }),
    ).toMatchObject({ metricsToken: token, metricsPort: 9464 })
    expect(problemsOf({ AURION_METRICS_PORT: '8080', PORT: '8080' })).toEqual([
      'AURION_METRICS_PORT must differ from PORT',
    ])
  })

  it('reads LiveKit, Help Center, log level, agent and demo settings', () => {
    const c = load({
      LIVEKIT_URL: 'wss://lk.example.com',
      LIVEKIT_API_KEY: 'key',
      LIVEKIT_API_SECRET: 'secret',
      AURION_HELP_CENTER_DOMAIN: 'Help.Example.com',
      LOG_LEVEL: 'WARN',
      AURION_AGENT: 'openai',
      AURION_LLM_MODEL: 'gpt-4o-mini',
      AURION_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
      AURION_DEMO: 'yes',
      AURION_SHUTDOWN_TIMEOUT_MS: '2500',
    })
    expect(c.livekit).toMatchObject({
      url: 'wss://lk.example.com',
      apiKey: 'key',
      apiSecret: 'secret',
    })
    expect(c.helpCenterDomain).toBe('help.example.com')
    expect(c.logLevel).toBe('warn')
    expect(c.agent).toMatchObject({ kind: 'openai', llmModel: 'gpt-4o-mini' })
    expect(c.demo).toBe(true)
    expect(c.shutdownTimeoutMs).toBe(2500)
  })

  it('reports every problem together', () => {
    const env = {
      PORT: '70000',
      DATABASE_URL: 'mysql://db/aurion',
      REDIS_URL: 'not a url',
      AURION_PUBLIC_URL: 'ftp://example.com',
      AURION_SECRET: 'short',
      LIVEKIT_URL: 'wss://lk.example.com',
      AURION_HELP_CENTER_DOMAIN: 'not_a_domain',
      AURION_TRUST_PROXY: 'everyone',
      LOG_LEVEL: 'loud',
      AURION_AGENT: 'magic',
      AURION_LLM_TEMPERATURE: '7',
      AURION_INTERNAL_TOKEN: 'tiny',
      AURION_DEMO: 'maybe',
      AURION_SHUTDOWN_TIMEOUT_MS: '-1',
      AURION_METRICS_TOKEN: 'short',
      AURION_METRICS_PORT: '99999',
    }
    const problems = problemsOf(env)
    for (const name of [
      'PORT',
      'DATABASE_URL',
      'REDIS_URL',
      'AURION_PUBLIC_URL',
      'AURION_SECRET',
      'LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET',
      'AURION_HELP_CENTER_DOMAIN',
      'AURION_TRUST_PROXY',
      'LOG_LEVEL',
      'AURION_AGENT',
      'AURION_LLM_TEMPERATURE',
      'AURION_INTERNAL_TOKEN',
      'AURION_DEMO',
      'AURION_SHUTDOWN_TIMEOUT_MS',
      'AURION_METRICS_TOKEN',
      'AURION_METRICS_PORT',
    ]) {
      expect(
        problems.some((p) => p.startsWith(name)),
        `${name} in ${JSON.stringify(problems)}`,
      ).toBe(true)
    }
    expect(problems).toHaveLength(16)
    // Nothing was written for a configuration that is refused.
    expect(() => statSync(join(dir, 'secret.key'))).toThrow()
    try {
      load(env)
    } catch (err) {
      expect((err as Error).message).toMatch(/^Invalid configuration:\n {2}- PORT/)
    }
  })

  it.each([
    ['AURION_PUBLIC_URL', 'https://example.com/?a=1', /without query/],
    ['AURION_PUBLIC_URL', 'https://user:pw@example.com', /credentials/],
    ['AURION_LLM_MODEL', '', /AURION_LLM_MODEL is required/, { AURION_AGENT: 'openai' }],
    ['PORT', '8080.5', /PORT must be an integer/],
    ['PORT', 'abc', /PORT must be an integer/],
  ] as [string, string, RegExp, Record<string, string>?][])(
    'refuses %s=%j',
    (name, value, why, extra = {}) => {
      const problems = problemsOf({ [name]: value, ...extra })
      expect(problems.join('\n')).toMatch(why)
    },
  )
})

describe('docs/configuration.md', () => {
  it('has a row in its environment table for every variable config.ts reads', () => {
    const here = dirname(fileURLToPath(import.meta.url))
    const source = readFileSync(join(here, 'config.ts'), 'utf8')
    const doc = readFileSync(join(here, '../../../docs/configuration.md'), 'utf8')
    const names = new Set(
      [...source.matchAll(/\b(?:val|int|num|url|bool|choice)\(\s*'([A-Z][A-Z0-9_]+)'/g)].map(
        (m) => m[1]!,
      ),
    )
    expect(names.size).toBeGreaterThan(15)
    // The table between the env-table markers, not the prose around it.
    const table = /<!-- env-table\b[^>]*-->\n([\s\S]*?)<!-- \/env-table -->/.exec(doc)?.[1]
    expect(table, 'docs/configuration.md: no table between the env-table markers').toBeDefined()
    const documented = new Set([...table!.matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]!))
    const missing = [...names].filter((n) => !documented.has(n))
    expect(missing, 'add these to the table in docs/configuration.md').toEqual([])
    const unknown = [...documented].filter((n) => !names.has(n))
    expect(unknown, 'rows of docs/configuration.md that config.ts does not read').toEqual([])
  })
})

describe('AURION_SQLITE_TEMP_STORE', () => {
  it('defaults to memory and reads file', () => {
    expect(load().sqliteTempStore).toBe('memory')
    expect(load({ AURION_SQLITE_TEMP_STORE: 'file' }).sqliteTempStore).toBe('file')
    expect(load({ AURION_SQLITE_TEMP_STORE: 'FILE' }).sqliteTempStore).toBe('file')
    expect(load({ AURION_SQLITE_TEMP_STORE: 'memory' }).sqliteTempStore).toBe('memory')
  })

  it('refuses anything else', () => {
    expect(problemsOf({ AURION_SQLITE_TEMP_STORE: 'disk' })).toEqual([
      'AURION_SQLITE_TEMP_STORE must be memory or file (got "disk")',
    ])
  })
})

describe('AURION_SQLITE_GROUP_COMMIT', () => {
  it('defaults to on and reads a switch', () => {
    expect(load().sqliteGroupCommit).toBe(true)
    expect(load({ AURION_SQLITE_GROUP_COMMIT: 'false' }).sqliteGroupCommit).toBe(false)
    expect(load({ AURION_SQLITE_GROUP_COMMIT: 'off' }).sqliteGroupCommit).toBe(false)
    expect(load({ AURION_SQLITE_GROUP_COMMIT: 'true' }).sqliteGroupCommit).toBe(true)
  })

  it('refuses anything but a boolean', () => {
    expect(problemsOf({ AURION_SQLITE_GROUP_COMMIT: 'sometimes' })).toEqual([
      'AURION_SQLITE_GROUP_COMMIT must be true or false (got "sometimes")',
    ])
  })
})

describe('AURION_UPLOAD_QUOTA_MB and AURION_VOICE_TOKEN_TTL_SECONDS', () => {
  it('default to 1024 MB and 3600 s (the contract’s value) and read a value', () => {
    expect(load().uploadQuotaBytes).toBe(1024 * 1024 * 1024)
    expect(load({ AURION_UPLOAD_QUOTA_MB: '5' }).uploadQuotaBytes).toBe(5 * 1024 * 1024)
    expect(load().livekit.tokenTtlSeconds).toBe(3600)
    expect(load({ AURION_VOICE_TOKEN_TTL_SECONDS: '120' }).livekit.tokenTtlSeconds).toBe(120)
  })

  it.each([
    ['AURION_UPLOAD_QUOTA_MB', '0'],
    ['AURION_UPLOAD_QUOTA_MB', '1.5'],
    ['AURION_VOICE_TOKEN_TTL_SECONDS', '30'],
    ['AURION_VOICE_TOKEN_TTL_SECONDS', '7200'],
  ])('refuses %s=%s', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([
      expect.stringMatching(new RegExp(`^${name} must be an integer from`)),
    ])
  })
})

describe('AURION_RATE_LIMIT_MULTIPLIER', () => {
  it('defaults to 1 and reads a factor', () => {
    expect(load().rateLimitMultiplier).toBe(1)
    expect(load({ AURION_RATE_LIMIT_MULTIPLIER: '1000' }).rateLimitMultiplier).toBe(1000)
    expect(load({ AURION_RATE_LIMIT_MULTIPLIER: '0.5' }).rateLimitMultiplier).toBe(0.5)
  })

  it.each(['0', '-2', 'lots', '1e9'])('refuses %s', (value) => {
    expect(problemsOf({ AURION_RATE_LIMIT_MULTIPLIER: value })).toEqual([
      expect.stringMatching(/^AURION_RATE_LIMIT_MULTIPLIER must be a number from 0.01 to 1000000/),
    ])
  })
})

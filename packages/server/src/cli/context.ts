import type { Readable, Writable } from 'node:stream'
import type { Command } from 'commander'
import { type Config, loadConfig } from '../config.ts'
import { connectDb, connectOptionsOf, type DbHandle } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'

/** Exit codes of `aurion`: 0 done, 1 the operation failed, 2 invalid usage or configuration. */
export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

/** Standard streams and environment of one CLI run (the process's, or a test's). */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown }
  stdout: Writable
  stderr: Writable
  env: Record<string, string | undefined>
}

/** A failure to report as `error: <message>` with an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILED,
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** Invalid arguments: exit code 2. */
export const usageError = (message: string) => new CliError(message, EXIT_USAGE)

/** What every command group gets: streams, the configuration (loaded once, on first use), a database. */
export interface CliContext {
  io: CliIo
  config(): Config
  /**
   * Opens the configured database, applies pending migrations (unless `migrate: false`), runs
   * `fn`, closes it. SQLite waits for a running server's writes (WAL, busy timeout).
   */
  withDatabase<T>(fn: (database: DbHandle) => Promise<T>, opts?: { migrate?: boolean }): Promise<T>
  /** Writes a line to stdout. */
  print(text: string): void
  /** Sets the exit code the run ends with (a command's action otherwise ends with 0). */
  setExitCode(code: number): void
}

/** Adds one command (or group of subcommands) to the `aurion` program. */
export type CommandGroup = (program: Command, ctx: CliContext) => void

export function createCliContext(io: CliIo, onExitCode: (code: number) => void): CliContext {
  let config: Config | undefined
  const ctx: CliContext = {
    io,
    config() {
      config ??= loadConfig(io.env)
      return config
    },
    async withDatabase(fn, opts = {}) {
      const c = ctx.config()
      const database = await connectDb(connectOptionsOf(c))
      try {
        if (opts.migrate !== false) await migrateToLatest(database)
        return await fn(database)
      } finally {
        await database.close()
      }
    },
    print(text) {
      io.stdout.write(`${text}\n`)
    },
    setExitCode: onExitCode,
  }
  return ctx
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** A `--tenant` value: a UUID, lower-cased. */
export function parseTenantId(raw: string): string {
  const id = raw.trim()
  if (!UUID_RE.test(id)) throw usageError(`--tenant must be a tenant id (a UUID), got "${raw}"`)
  return id.toLowerCase()
}

/** Repeatable option collector: `--origin a --origin b` → `['a','b']`. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** Left-aligned text columns, for human output. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

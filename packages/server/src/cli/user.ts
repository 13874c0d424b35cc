import type { Readable, Writable } from 'node:stream'
import { TEAM_ROLES } from '@aurion/contract'
import { Command, CommanderError } from 'commander'
import { checkNewPassword } from '../admin-users/password.ts'
import { disableTotp } from '../admin-users/two-factor-repo.ts'
import {
  checkEmail,
  createAdminUser,
  findAdminUserByEmail,
  normalizeEmail,
  setAdminUserPassword,
} from '../admin-users/user-repo.ts'
import { recordAudit } from '../audit/audit.ts'
import type { Config } from '../config.ts'
import { connectDb, connectOptionsOf, type DbHandle } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { isTeamRole } from '../team/roles.ts'
import { findTenantById } from '../tenants/tenant-repo.ts'

/** Terminal input: a TTY gets a no-echo prompt, anything else must come with --password-stdin. */
export interface CliInput extends Readable {
  isTTY?: boolean
  setRawMode?(mode: boolean): unknown
}

export interface UserCliIo {
  config: Config
  stdin: CliInput
  stdout: Writable
  stderr: Writable
  /** An open database (tests); otherwise the configured one is opened and closed. */
  database?: DbHandle
}

class UsageError extends Error {}

/**
 * `aurion user create|list|set-password …`: console users. Passwords are read from a no-echo
 * prompt, or from standard input with `--password-stdin`; never from an argument (it would land
 * in shell history and `ps`). Returns the exit code: 0 done, 1 refused, 2 usage.
 */
export async function runUserCli(argv: string[], io: UserCliIo): Promise<number> {
  let code = 0
  const out = (s: string) => io.stdout.write(s)
  const fail = (s: string, c = 1) => {
    io.stderr.write(`error: ${s}\n`)
    code = c
  }

  const withDb = async <T>(fn: (db: DbHandle) => Promise<T>): Promise<T> => {
    if (io.database) return fn(io.database)
    const database = await connectDb(connectOptionsOf(io.config))
    try {
      await migrateToLatest(database)
      return await fn(database)
    } finally {
      await database.close()
    }
  }

  const program = new Command('aurion user')
    .description('Admin console users')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out(s),
      writeErr: (s) => io.stderr.write(s),
    })

  program
    .command('create')
    .description('Create a console user of a tenant (asks for the password)')
    .requiredOption('--tenant <id>', 'tenant id (UUID)')
    .requiredOption('--email <email>', 'sign-in email')
    .option('--name <name>', 'display name')
    .option('--role <role>', `role: ${TEAM_ROLES.join(', ')}`, 'owner')
    .option('--password-stdin', 'read the password from standard input instead of a prompt')
    .option('--json', 'print the result as JSON')
    .action(
      async (opts: {
        tenant: string
        email: string
        name?: string
        role: string
        passwordStdin?: boolean
        json?: boolean
      }) => {
        const role = opts.role.trim().toLowerCase()
        if (!isTeamRole(role))
          return fail(`unknown role ${JSON.stringify(opts.role)}: use ${TEAM_ROLES.join(', ')}`, 2)
        const emailProblem = checkEmail(opts.email)
        if (emailProblem) return fail(emailProblem, 2)
        if (opts.name !== undefined && opts.name.length > 200)
          return fail('name must be at most 200 characters', 2)
        await withDb(async ({ db }) => {
          const tenant = await findTenantById(db, opts.tenant.trim().toLowerCase())
          if (!tenant) return fail(`no tenant with id ${opts.tenant}`)
          if (await findAdminUserByEmail(db, opts.email))
            return fail(`a console user with email ${normalizeEmail(opts.email)} already exists`)
          const password = await readNewPassword(io, opts.passwordStdin === true)
          const user = await createAdminUser(db, {
            tenantId: tenant.id,
            email: opts.email,
            name: opts.name ?? null,
            password,
            role,
          })
          const result = {
            user_id: user.id,
            tenant_id: user.tenant_id,
            email: user.email,
            name: user.name,
            role: user.role,
            console_url: `${io.config.publicUrl}/admin`,
          }
          if (opts.json) out(`${JSON.stringify(result)}\n`)
          else
            out(
              `Created console user ${user.email} (${user.role}) for tenant ${tenant.name} (${tenant.id}).\nSign in at ${result.console_url}\n`,
            )
        })
      },
    )

  program
    .command('list')
    .description("List a tenant's console users")
    .requiredOption('--tenant <id>', 'tenant id (UUID)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { tenant: string; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const tenant = await findTenantById(db, opts.tenant.trim().toLowerCase())
        if (!tenant) return fail(`no tenant with id ${opts.tenant}`)
        const users = await db
          .selectFrom('admin_users')
          .select(['id', 'email', 'name', 'role', 'created_at'])
          .where('tenant_id', '=', tenant.id)
          .orderBy('email')
          .execute()
        if (opts.json)
          out(`${JSON.stringify(users.map(({ id, ...u }) => ({ user_id: id, ...u })))}\n`)
        else if (users.length === 0) out('No console users.\n')
        else for (const u of users) out(`${u.email}\t${u.role}\t${u.name ?? ''}\t${u.created_at}\n`)
      })
    })

  program
    .command('set-password')
    .description("Set a console user's password and sign them out everywhere")
    .requiredOption('--email <email>', 'sign-in email')
    .option('--password-stdin', 'read the password from standard input instead of a prompt')
    .action(async (opts: { email: string; passwordStdin?: boolean }) => {
      await withDb(async ({ db }) => {
        const user = await findAdminUserByEmail(db, opts.email)
        if (!user) return fail(`no console user with email ${normalizeEmail(opts.email)}`)
        const password = await readNewPassword(io, opts.passwordStdin === true)
        await setAdminUserPassword(db, user.id, password)
        out(`Password changed for ${user.email}; their sessions were signed out.\n`)
      })
    })

  program
    .command('reset-two-factor')
    .description("Turn off a console user's two-factor sign-in (a lost phone and recovery codes)")
    .requiredOption('--email <email>', 'sign-in email')
    .action(async (opts: { email: string }) => {
      await withDb(async ({ db }) => {
        const user = await findAdminUserByEmail(db, opts.email)
        if (!user) return fail(`no console user with email ${normalizeEmail(opts.email)}`)
        await disableTotp(db, user.id)
        await recordAudit(db, {
          tenantId: user.tenant_id,
          actor: { type: 'system', id: null },
          action: 'console.two_factor_disabled',
          target: user.id,
          details: { with: 'cli' },
        })
        out(`Two-factor sign-in is off for ${user.email}; they sign in with their password.\n`)
      })
    })

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not failures.
      return err.exitCode === 0 ? 0 : 2
    }
    if (err instanceof UsageError) {
      io.stderr.write(`error: ${err.message}\n`)
      return 2
    }
    throw err
  }
  return code
}

async function readNewPassword(io: UserCliIo, fromStdin: boolean): Promise<string> {
  let password: string
  if (fromStdin) {
    // One trailing newline belongs to `echo`, not to the password.
    password = (await readAll(io.stdin)).replace(/\r?\n$/, '')
  } else {
    if (!io.stdin.isTTY || !io.stdin.setRawMode)
      throw new UsageError('no terminal to ask for the password: pipe it in with --password-stdin')
    password = await promptHidden(io, 'Password: ')
    const again = await promptHidden(io, 'Repeat password: ')
    if (again !== password) throw new UsageError('the passwords do not match')
  }
  const problem = checkNewPassword(password)
  if (problem) throw new UsageError(problem)
  return password
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += b.length
    if (size > 64 * 1024) throw new UsageError('standard input is too long for a password')
    chunks.push(b)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Reads one line from a raw-mode terminal without echoing it. Ctrl-C aborts. */
function promptHidden(io: UserCliIo, question: string): Promise<string> {
  const { stdin, stderr } = io
  stderr.write(question)
  return new Promise((resolve, reject) => {
    let value = ''
    const done = (err?: Error) => {
      stdin.removeListener('data', onData)
      stdin.setRawMode?.(false)
      stdin.pause()
      stderr.write('\n')
      if (err) reject(err)
      else resolve(value)
    }
    const onData = (chunk: Buffer | string) => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done()
        if (ch === '\u0003') return done(new UsageError('cancelled'))
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('')
        else if (ch >= ' ') value += ch
      }
    }
    stdin.setRawMode?.(true)
    stdin.setEncoding('utf8')
    stdin.on('data', onData)
    stdin.resume()
  })
}

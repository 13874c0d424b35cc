import { PassThrough, Readable, Writable } from 'node:stream'
import { afterEach, beforeEach, expect, it } from 'vitest'
import {
  createTestDatabase,
  createTestTenant,
  forEachDialect,
  testConfig,
} from '../../test/helpers.ts'
import { verifyPassword } from '../admin-users/password.ts'
import { createAdminSession } from '../admin-users/session-repo.ts'
import { findAdminUserByEmail } from '../admin-users/user-repo.ts'
import type { DbHandle } from '../db/connect.ts'
import { type CliInput, runUserCli } from './user.ts'

function sink() {
  let text = ''
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk)
      cb()
    },
  })
  return { stream, text: () => text }
}

/** A fake terminal: input arrives only after raw mode is switched on, like a real TTY. */
function fakeTty(keys: string[]) {
  const tty = new PassThrough() as PassThrough & CliInput
  const modes: boolean[] = []
  tty.isTTY = true
  tty.setRawMode = (mode: boolean) => {
    modes.push(mode)
    if (mode) setImmediate(() => tty.write(keys.shift() ?? ''))
    return tty
  }
  return { tty, modes }
}

forEachDialect('aurion user', (dialect) => {
  let database: DbHandle
  let tenantId: string
  const config = testConfig({ AURION_PUBLIC_URL: 'https://aurion.example.com' })

  beforeEach(async () => {
    database = await createTestDatabase(dialect)
    tenantId = (await createTestTenant(database.db, { name: 'Acme' })).tenantId
  })
  afterEach(async () => {
    await database.close()
  })

  const run = async (argv: string[], stdin: CliInput = Readable.from([])) => {
    const out = sink()
    const err = sink()
    const code = await runUserCli(argv, {
      config,
      database,
      stdin,
      stdout: out.stream,
      stderr: err.stream,
    })
    return { code, out: out.text(), err: err.text() }
  }

  it('create --password-stdin stores a scrypt hash that verifies, and prints JSON', async () => {
    const res = await run(
      [
        'create',
        '--tenant',
        tenantId,
        '--email',
        'Ops@Acme.test',
        '--name',
        'Ops',
        '--password-stdin',
        '--json',
      ],
      Readable.from(['a very good password\n']),
    )
    expect(res.err).toBe('')
    expect(res.code).toBe(0)
    const printed = JSON.parse(res.out)
    expect(printed).toEqual({
      user_id: expect.stringMatching(/^usr_/),
      tenant_id: tenantId,
      email: 'ops@acme.test',
      name: 'Ops',
      role: 'owner',
      console_url: 'https://aurion.example.com/admin',
    })
    const user = await findAdminUserByEmail(database.db, 'ops@acme.test')
    expect(user?.password_hash).toMatch(/^scrypt\$/)
    expect(user?.password_hash).not.toContain('very good')
    // The trailing newline of `echo` is not part of the password.
    expect(await verifyPassword('a very good password', user!.password_hash)).toBe(true)
  })

  it('create prompts twice without echo on a terminal (backspace edits)', async () => {
    const { tty, modes } = fakeTty(['secret passwordX\u007f\r', 'secret password\r'])
    const res = await run(['create', '--tenant', tenantId, '--email', 'tty@acme.test'], tty)
    expect(res.code).toBe(0)
    expect(res.err).toBe('Password: \nRepeat password: \n')
    expect(res.err).not.toContain('secret')
    expect(res.out).toContain('Created console user tty@acme.test (owner) for tenant Acme')
    expect(res.out).toContain('Sign in at https://aurion.example.com/admin')
    expect(modes).toEqual([true, false, true, false])
    const user = await findAdminUserByEmail(database.db, 'tty@acme.test')
    expect(await verifyPassword('secret password', user!.password_hash)).toBe(true)
  })

  it('refuses mismatched prompts (exit 2, nothing created)', async () => {
    const { tty } = fakeTty(['first password!\r', 'second password!\r'])
    const res = await run(['create', '--tenant', tenantId, '--email', 'tty@acme.test'], tty)
    expect(res.code).toBe(2)
    expect(res.err).toContain('error: the passwords do not match')
    expect(await findAdminUserByEmail(database.db, 'tty@acme.test')).toBeUndefined()
  })

  it('without a terminal and without --password-stdin it says how to pass the password', async () => {
    const res = await run(['create', '--tenant', tenantId, '--email', 'x@acme.test'])
    expect(res.code).toBe(2)
    expect(res.err).toContain('--password-stdin')
  })

  it.each([
    ['a short password', ['--email', 'x@acme.test'], 'short\n', 2, 'at least 10 characters'],
    [
      'an invalid email',
      ['--email', 'not-an-email'],
      'long enough password\n',
      2,
      'Email must be an address',
    ],
    [
      'an unknown tenant',
      ['--email', 'x@acme.test', '--tenant', '00000000-0000-0000-0000-000000000000'],
      'long enough password\n',
      1,
      'no tenant with id',
    ],
  ])('refuses %s', async (_name, args, stdin, code, msg) => {
    const argv = ['create', '--tenant', tenantId, ...args, '--password-stdin']
    const res = await run(argv, Readable.from([stdin]))
    expect(res.code).toBe(code)
    expect(res.err).toContain(msg)
    expect(await database.db.selectFrom('admin_users').selectAll().execute()).toHaveLength(0)
  })

  it('refuses a second user with the same email (any case)', async () => {
    const argv = (email: string) => [
      'create',
      '--tenant',
      tenantId,
      '--email',
      email,
      '--password-stdin',
    ]
    expect((await run(argv('dup@acme.test'), Readable.from(['long enough password']))).code).toBe(0)
    const res = await run(argv('DUP@acme.test'), Readable.from(['long enough password']))
    expect(res.code).toBe(1)
    expect(res.err).toContain('already exists')
  })

  it.each([
    ['agent', 'agent'],
    ['admin', 'admin'],
    ['owner', 'owner'],
    [' Agent ', 'agent'],
  ])('create --role %j makes a console user with role %s', async (given, role) => {
    const res = await run(
      [
        'create',
        '--tenant',
        tenantId,
        '--email',
        'sam@acme.test',
        '--role',
        given,
        '--password-stdin',
        '--json',
      ],
      Readable.from(['long enough password']),
    )
    expect(res.err).toBe('')
    expect(res.code).toBe(0)
    expect(JSON.parse(res.out).role).toBe(role)
    expect((await findAdminUserByEmail(database.db, 'sam@acme.test'))?.role).toBe(role)
    const listed = await run(['list', '--tenant', tenantId])
    expect(listed.out).toContain(`sam@acme.test\t${role}\t`)
  })

  it.each(['superuser', '', 'owners'])(
    'refuses --role %j (exit 2, nothing created)',
    async (role) => {
      const res = await run(
        [
          'create',
          '--tenant',
          tenantId,
          '--email',
          'sam@acme.test',
          '--role',
          role,
          '--password-stdin',
        ],
        Readable.from(['long enough password']),
      )
      expect(res.code).toBe(2)
      expect(res.err).toContain('unknown role')
      expect(res.err).toContain('owner, admin, agent')
      expect(await database.db.selectFrom('admin_users').selectAll().execute()).toHaveLength(0)
    },
  )

  it('a missing required option is a usage error (exit 2)', async () => {
    const res = await run(['create', '--email', 'x@acme.test'])
    expect(res.code).toBe(2)
    expect(res.err).toContain('--tenant')
  })

  it('list shows the tenant users; set-password changes it and signs them out', async () => {
    await run(
      ['create', '--tenant', tenantId, '--email', 'a@acme.test', '--password-stdin'],
      Readable.from(['first password!']),
    )
    const listed = await run(['list', '--tenant', tenantId, '--json'])
    expect(JSON.parse(listed.out)).toEqual([
      {
        user_id: expect.any(String),
        email: 'a@acme.test',
        name: null,
        role: 'owner',
        created_at: expect.any(String),
      },
    ])
    const user = (await findAdminUserByEmail(database.db, 'a@acme.test'))!
    const { row } = await createAdminSession(database.db, { userId: user.id, tenantId })
    const res = await run(
      ['set-password', '--email', 'a@acme.test', '--password-stdin'],
      Readable.from(['second password!']),
    )
    expect(res.code).toBe(0)
    const after = (await findAdminUserByEmail(database.db, 'a@acme.test'))!
    expect(await verifyPassword('second password!', after.password_hash)).toBe(true)
    expect(await verifyPassword('first password!', after.password_hash)).toBe(false)
    const session = await database.db
      .selectFrom('admin_sessions')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow()
    expect(session.revoked_at).not.toBeNull()
  })

  it("reset-two-factor turns off a user's two-factor sign-in and records it", async () => {
    await run(
      ['create', '--tenant', tenantId, '--email', 'b@acme.test', '--password-stdin'],
      Readable.from(['a password here!']),
    )
    const user = (await findAdminUserByEmail(database.db, 'b@acme.test'))!
    await database.db
      .updateTable('admin_users')
      .set({ totp_secret: 'v1.x.y.z', totp_enabled_at: new Date().toISOString() })
      .where('id', '=', user.id)
      .execute()
    const res = await run(['reset-two-factor', '--email', 'B@acme.test'])
    expect(res.code).toBe(0)
    expect(res.out).toContain('Two-factor sign-in is off for b@acme.test')
    const after = (await findAdminUserByEmail(database.db, 'b@acme.test'))!
    expect([after.totp_secret, after.totp_enabled_at]).toEqual([null, null])
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_type', 'target'])
      .where('tenant_id', '=', tenantId)
      .where('action', '=', 'console.two_factor_disabled')
      .execute()
    expect(audit).toEqual([
      { action: 'console.two_factor_disabled', actor_type: 'system', target: user.id },
    ])
    expect((await run(['reset-two-factor', '--email', 'nobody@acme.test'])).code).not.toBe(0)
  })
})

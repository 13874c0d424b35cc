/**
 * `npm run reliability`: the crash-safety runs (SIGKILL under concurrent writers, on SQLite and
 * PostgreSQL, 100 SIGKILLs each by default) and the bad-input run, with their counts. Exits 1 on
 * any lost or duplicated message, hand-off or webhook event, failed integrity check, 5xx,
 * changed victim row or unhealthy server.
 *
 *   npm run reliability                 (-- --kills=N --requests=N --quick)
 */
import { connect } from 'node:net'
import { loadavg } from 'node:os'
import { describeBadInput, runBadInput } from './bad-input.ts'
import { crashPassed, DEFAULT_KILLS, describeCrash, runCrashSafety } from './crash-safety.ts'

function portOpen(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ host: '127.0.0.1', port })
    s.setTimeout(1000, () => {
      s.destroy()
      r(false)
    })
    s.once('connect', () => {
      s.destroy()
      r(true)
    })
    s.once('error', () => r(false))
  })
}

async function main() {
  const args = process.argv.slice(2)
  const quick = args.includes('--quick')
  const num = (name: string, def: number) => {
    const a = args.find((x) => x.startsWith(`--${name}=`))
    return a ? Number(a.split('=')[1]) : def
  }
  const kills = num('kills', quick ? 10 : DEFAULT_KILLS)
  const requests = num('requests', quick ? 3000 : 12_500)
  let failed = false

  const crash = async (dialect: 'sqlite' | 'postgres', pgUrl?: string) => {
    const r = await runCrashSafety({
      dialect,
      kills,
      ...(pgUrl ? { pgUrl } : {}),
      log: (l) => console.log(l),
    })
    console.log(describeCrash(r))
    if (!crashPassed(r)) failed = true
  }
  const t0 = performance.now()
  await crash('sqlite')
  const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  if (process.env.TEST_DATABASE_URL !== undefined || (await portOpen(5432)))
    await crash('postgres', pgUrl)
  else
    console.warn(
      '! no PostgreSQL on 127.0.0.1:5432 and TEST_DATABASE_URL unset: PostgreSQL crash run skipped',
    )

  const b = await runBadInput({
    requests,
    wsSessions: quick ? 100 : 300,
    log: (l) => console.log(l),
  })
  console.log(describeBadInput(b))
  if (
    b.serverErrors +
      b.wsServerErrors +
      b.changed.length +
      b.loggedErrors.length +
      b.loggedClientErrors +
      b.victimAccepted >
      0 ||
    !b.serverAlive
  )
    failed = true

  const load = loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')
  console.log(
    `\nreliability runtime ${((performance.now() - t0) / 60_000).toFixed(1)} min (load average at the end ${load})`,
  )
  console.log(
    failed
      ? '\nRELIABILITY: FAILED'
      : '\nRELIABILITY: ok (nothing lost, nothing duplicated, no 5xx)',
  )
  process.exitCode = failed ? 1 : 0
}

await main()

/**
 * `npm run reliability`: the crash-safety runs (SIGKILL under concurrent writers, on SQLite and
 * PostgreSQL) and the bad-input run, with their counts. Exits 1 on any lost or duplicated
 * message, failed integrity check, 5xx, changed victim row or unhealthy server.
 *
 *   npm run reliability                 (-- --kills=N --requests=N --quick)
 */
import { connect } from 'node:net'
import { describeBadInput, runBadInput } from './bad-input.ts'
import { type CrashResult, runCrashSafety } from './crash-safety.ts'

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

/** One line of counts for a crash run. */
export function describeCrash(r: CrashResult): string {
  const errors = Object.entries(r.serverErrors)
    .map(([k, n]) => `${k}×${n}`)
    .join(' ')
  return `crash safety [${r.dialect}]: ${r.kills} SIGKILLs, acknowledged ${r.acknowledged}, stored ${r.stored}, lost ${r.lost}, lost replies ${r.lostReplies}, duplicated ${r.duplicated}, integrity ${r.integrity}; ${r.retries} attempts retried${errors ? `, 5xx seen while restarting: ${errors}` : ''}; restart median ${r.restartMs.toFixed(0)} ms`
}

async function main() {
  const args = process.argv.slice(2)
  const quick = args.includes('--quick')
  const num = (name: string, def: number) => {
    const a = args.find((x) => x.startsWith(`--${name}=`))
    return a ? Number(a.split('=')[1]) : def
  }
  const kills = num('kills', quick ? 3 : 8)
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
    if (
      r.lost + r.lostReplies + r.duplicated > 0 ||
      r.stored !== r.acknowledged ||
      !r.integrity.startsWith('ok')
    )
      failed = true
  }
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

  console.log(
    failed
      ? '\nRELIABILITY: FAILED'
      : '\nRELIABILITY: ok (nothing lost, nothing duplicated, no 5xx)',
  )
  process.exitCode = failed ? 1 : 0
}

await main()

#!/usr/bin/env -S node --min-semi-space-size=16 --no-allocation-site-pretenuring
// A young generation of at least 16 MB: with V8's default start (1 MB, grown on demand) a
// busy server can settle on a small one, where the objects of requests in flight outlive
// scavenges, are promoted and collected only by full GCs, and every request costs up to twice
// the CPU (bench/http.ts). And no allocation-site pretenuring: when a scavenge happens to meet
// many requests in flight (start-up, a burst), V8 can decide that what a request allocates lives
// long and allocate it in the old generation from then on, where it dies and waits for full GCs:
// the same bimodal cost, in about one start in three. The flags belong on the command line
// (`npm start`, the shebang); set this late they apply from the next GC, which still helps.
import { setFlagsFromString } from 'node:v8'
// The server runs from TypeScript source through tsx: no build step, no stale output.
import { register } from 'tsx/esm/api'

for (const flag of ['--min-semi-space-size=16', '--no-allocation-site-pretenuring']) {
  const name = flag.replace(/^--(no-)?/, '').replace(/=.*$/, '')
  if (!process.execArgv.some((a) => a.replace(/^--(no-)?/, '').startsWith(name))) {
    setFlagsFromString(flag)
  }
}

register()
const { runCli } = await import('../src/cli.ts')
const code = await runCli(process.argv.slice(2))
// A finished command exits even if a library left a timer or socket behind, after its output
// has been handed to the OS.
await new Promise((resolve) => process.stdout.write('', resolve))
await new Promise((resolve) => process.stderr.write('', resolve))
process.exit(code)

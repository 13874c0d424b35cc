#!/usr/bin/env -S node --min-semi-space-size=16 --no-allocation-site-pretenuring
import { setFlagsFromString } from 'node:v8'
// The server runs from TypeScript source through tsx: no build step, no stale output.
import { register } from 'tsx/esm/api'
import { missingV8Flags } from './v8-flags.js'

// Started some other way than the shebang or `npm start`: set this late, the flags still apply
// from the next GC on.
for (const flag of missingV8Flags()) setFlagsFromString(flag)

register()
const { runCli } = await import('../src/cli.ts')
const code = await runCli(process.argv.slice(2))
// A finished command exits even if a library left a timer or socket behind, after its output
// has been handed to the OS.
await new Promise((resolve) => process.stdout.write('', resolve))
await new Promise((resolve) => process.stderr.write('', resolve))
process.exit(code)

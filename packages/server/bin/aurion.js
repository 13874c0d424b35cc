#!/usr/bin/env node
// The server runs from TypeScript source through tsx: no build step, no stale output.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../src/cli.ts')
const code = await runCli(process.argv.slice(2))
// A finished command exits even if a library left a timer or socket behind, after its output
// has been handed to the OS.
await new Promise((resolve) => process.stdout.write('', resolve))
await new Promise((resolve) => process.stderr.write('', resolve))
process.exit(code)

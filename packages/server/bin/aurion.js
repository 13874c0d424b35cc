#!/usr/bin/env node
// The server runs from TypeScript source through tsx: no build step, no stale output.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../src/cli.ts')
process.exitCode = await runCli(process.argv.slice(2))

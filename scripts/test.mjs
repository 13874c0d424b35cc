#!/usr/bin/env node
// `npm test`: prepares what it can (PostgreSQL env, Debian chromium when root), says loudly what it
// must skip and why, and refuses to skip anything under CI=true. Then runs Vitest.
import { execFileSync } from 'node:child_process'
import net from 'node:net'
import { ensureChromium } from './chromium.mjs'

const ci = process.env.CI === 'true'
const skipped = []
const env = { ...process.env }

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port })
    s.setTimeout(1000)
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
    s.once('timeout', () => {
      s.destroy()
      resolve(false)
    })
  })
}

if (!env.TEST_DATABASE_URL && (await portOpen(5432)))
  env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'
if (!env.TEST_DATABASE_URL)
  skipped.push('PostgreSQL suites: no server on 127.0.0.1:5432 and TEST_DATABASE_URL unset')
if (!env.TEST_REDIS_URL && (await portOpen(6379))) env.TEST_REDIS_URL = 'redis://127.0.0.1:6379'
if (!env.TEST_REDIS_URL)
  skipped.push('Redis suites: no server on 127.0.0.1:6379 and TEST_REDIS_URL unset')

const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium'
if (ensureChromium(chromium, 'aurion test')) env.CHROMIUM_PATH = chromium
else
  skipped.push(
    `browser suites: no Chromium at ${chromium} (install Debian's chromium, or run as root)`,
  )

if (skipped.length > 0) {
  const banner = `\n${'!'.repeat(78)}\n  SKIPPING:\n${skipped.map((s) => `   - ${s}`).join('\n')}\n${'!'.repeat(78)}\n`
  if (ci) {
    console.error(`${banner}  CI=true: nothing may be skipped. Failing.`)
    process.exit(1)
  }
  console.warn(banner)
}

try {
  execFileSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit', env })
} catch (err) {
  process.exit(typeof err.status === 'number' ? err.status : 1)
}

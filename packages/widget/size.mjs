#!/usr/bin/env node
// Gzip sizes of the built widget, checked against its budgets. `node size.mjs [distDir]` prints a
// table; `import { widgetSizes } from '…/packages/widget/size.mjs'` gives the numbers (bench).
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib'

const root = dirname(fileURLToPath(import.meta.url))

/**
 * Budgets in gzip bytes (1 KB = 1024 bytes): what a first visit may cost a customer's page (the
 * loader and the idle chunk on every page view; the chat chunk once, downloaded when the page is
 * idle and evaluated on the visitor's first sign of interest).
 */
export const BUDGETS = { loader: 4 * 1024, idle: 2 * 1024, chat: 25 * 1024 }

/**
 * Sizes of every file of a build (default `packages/widget/dist`): `{ files, loader, idle,
 * chat, voice, speech }`, each `{ file, raw, gzip, brotli }`, gzip at level 9 (what the server sends).
 */
export function widgetSizes(distDir = join(root, 'dist')) {
  const dir = resolve(distDir)
  const manifest = JSON.parse(readFileSync(join(dir, 'widget-manifest.json'), 'utf8'))
  const files = manifest.files.map((file) => {
    const body = readFileSync(join(dir, file))
    return {
      file,
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      brotli: brotliCompressSync(body, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 11 },
      }).length,
    }
  })
  const pick = (name) => files.find((f) => f.file === name)
  return {
    files,
    loader: pick(manifest.loader),
    idle: pick(manifest.idle),
    chat: pick(manifest.chat),
    voice: pick(manifest.voice),
    speech: pick(manifest.speech),
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = widgetSizes(process.argv[2])
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`
  console.log('file                                raw        gzip      brotli')
  for (const f of sizes.files) {
    console.log(
      `${f.file.padEnd(32)} ${kb(f.raw).padStart(9)} ${kb(f.gzip).padStart(10)} ${kb(f.brotli).padStart(10)}`,
    )
  }
  let failed = false
  for (const [name, budget] of Object.entries(BUDGETS)) {
    const { gzip } = sizes[name]
    const ok = gzip <= budget
    failed ||= !ok
    console.log(`${ok ? 'ok  ' : 'OVER'} ${name}: ${gzip} B gzip (budget ${budget} B)`)
  }
  process.exitCode = failed ? 1 : 0
}

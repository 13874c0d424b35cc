#!/usr/bin/env node
// Builds the widget in two Vite passes:
//   1. the lazy chunks (ES modules, content-hashed): idle (the launcher's work once the page is
//      idle, and the code it shares with the chat chunk) and chat (Preact) → voice
//      (livekit-client) and speech (Web Speech API), which the chat chunk imports on demand;
//   2. the loader `aurion.js` (classic IIFE script, stable URL) with the idle and chat chunks'
//      hashed names baked in, so a new release is picked up as soon as the loader's short cache
//      expires.
// `--fake-livekit <module>` swaps `livekit-client` for a test double (browser tests only; the
// production build never uses it). `--out <dir>` picks the output directory; `--if-stale` skips
// the build when that directory already holds one of exactly these sources.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

const root = dirname(fileURLToPath(import.meta.url))

// Always a production build, also when started from a test run (vitest sets NODE_ENV=test, and
// Vite would then emit development JSX with source paths in it).
process.env.NODE_ENV = 'production'

/** Files whose content decides the build output (the stamp written into `dist/.build-stamp`). */
export function widgetInputs() {
  const files = []
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name)
      if (statSync(p).isDirectory()) walk(p)
      else if (!/\.test\.tsx?$/.test(name)) files.push(p)
    }
  }
  walk(join(root, 'src'))
  files.push(join(root, 'build.mjs'), join(root, 'package.json'))
  return files.sort()
}

/** Hash of every input plus the build options: equal stamps mean an up-to-date build. */
export function inputStamp(options = {}) {
  const h = createHash('sha256')
  h.update(JSON.stringify({ fakeLiveKit: options.fakeLiveKit ?? null }))
  for (const f of widgetInputs()) {
    h.update(relative(root, f))
    h.update(readFileSync(f))
  }
  if (options.fakeLiveKit) h.update(readFileSync(options.fakeLiveKit))
  return h.digest('hex')
}

/** Browsers the widget supports: their syntax is left as is (no helpers for class fields etc.). */
const TARGETS = ['chrome93', 'edge93', 'firefox92', 'safari15']

/**
 * Vite wraps dynamic imports in a CSS/module preload helper meant for HTML apps. The widget's
 * chunks have no CSS files and `modulePreload` is off, so the helper would only add bytes.
 */
const noPreloadHelper = {
  name: 'aurion-no-preload-helper',
  enforce: 'pre',
  load(id) {
    if (id === '\0vite/preload-helper.js') return 'export const __vitePreload = (load) => load()'
    return undefined
  },
}

/** `livekit` → `voice`, `CallUi` → `call-ui`: short, lower-case chunk names. */
const chunkName = (name) =>
  name === 'livekit' ? 'voice' : name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()

const common = (fakeLiveKit) => ({
  configFile: false,
  mode: 'production',
  plugins: [noPreloadHelper],
  root,
  logLevel: 'warn',
  // Chunks are imported relative to their own URL, wherever the server mounts them.
  base: './',
  esbuild: { jsx: 'automatic', jsxDev: false, jsxImportSource: 'preact', legalComments: 'none' },
  resolve: fakeLiveKit ? { alias: { 'livekit-client': resolve(fakeLiveKit) } } : {},
  define: { 'process.env.NODE_ENV': '"production"' },
})

/** Whether `outDir` holds a build of exactly the current sources (and options). */
export function isCurrent(options = {}) {
  const outDir = resolve(options.outDir ?? join(root, 'dist'))
  const fakeLiveKit = options.fakeLiveKit ? resolve(options.fakeLiveKit) : undefined
  try {
    return (
      readFileSync(join(outDir, '.build-stamp'), 'utf8') === inputStamp({ fakeLiveKit }) &&
      statSync(join(outDir, 'widget-manifest.json')).isFile()
    )
  } catch {
    return false
  }
}

/**
 * Builds loader and chunks into `outDir` and writes `widget-manifest.json`:
 * `{ loader, idle, chat, voice, speech, files }` (file names relative to `outDir`).
 */
export async function buildWidget(options = {}) {
  const outDir = resolve(options.outDir ?? join(root, 'dist'))
  const fakeLiveKit = options.fakeLiveKit ? resolve(options.fakeLiveKit) : undefined

  const chunks = await build({
    ...common(fakeLiveKit),
    build: {
      outDir,
      emptyOutDir: true,
      target: TARGETS,
      minify: 'esbuild',
      sourcemap: false,
      modulePreload: false,
      cssCodeSplit: false,
      reportCompressedSize: false,
      // livekit-client is big by nature; it only ever loads when a call starts.
      chunkSizeWarningLimit: 1024,
      rollupOptions: {
        input: { chat: join(root, 'src/app/main.tsx'), idle: join(root, 'src/idle/index.ts') },
        // Lazy chunks import shared code from the chat chunk itself: no facade entry file.
        preserveEntrySignatures: 'allow-extension',
        output: {
          format: 'es',
          // What the idle and chat chunks share lives in the idle chunk (already loaded when the
          // chat chunk is), not in a third file.
          manualChunks: (id) =>
            id.startsWith(join(root, 'src/idle/')) || id.startsWith(join(root, 'src/shared/'))
              ? 'idle'
              : undefined,
          entryFileNames: '[name]-[hash].js',
          chunkFileNames: (c) => `${chunkName(c.name)}-[hash].js`,
        },
      },
    },
  })
  const output = (Array.isArray(chunks) ? chunks : [chunks]).flatMap((r) => r.output ?? [])
  const jsFiles = output.filter((o) => o.type === 'chunk').map((o) => o.fileName)
  const find = (prefix) => {
    const f = jsFiles.find((n) => n.startsWith(`${prefix}-`))
    if (!f) throw new Error(`widget build: no ${prefix} chunk in ${jsFiles.join(', ')}`)
    return f
  }
  const manifest = {
    loader: 'aurion.js',
    idle: find('idle'),
    chat: find('chat'),
    voice: find('voice'),
    speech: find('speech'),
  }

  await build({
    ...common(fakeLiveKit),
    define: {
      ...common().define,
      __AURION_CHAT__: JSON.stringify(manifest.chat),
      __AURION_IDLE__: JSON.stringify(manifest.idle),
    },
    build: {
      outDir,
      emptyOutDir: false,
      target: TARGETS,
      minify: 'esbuild',
      sourcemap: false,
      reportCompressedSize: false,
      lib: {
        entry: join(root, 'src/loader/index.ts'),
        formats: ['iife'],
        name: 'AurionLoader',
        fileName: () => 'aurion.js',
      },
    },
  })

  manifest.files = readdirSync(outDir)
    .filter((f) => f.endsWith('.js'))
    .sort()
  writeFileSync(join(outDir, 'widget-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  writeFileSync(join(outDir, '.build-stamp'), inputStamp({ fakeLiveKit }))
  return { outDir, manifest }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name)
    return i > 0 ? process.argv[i + 1] : undefined
  }
  const started = Date.now()
  const options = { outDir: arg('--out'), fakeLiveKit: arg('--fake-livekit') }
  if (process.argv.includes('--if-stale') && isCurrent(options)) process.exit(0)
  const { outDir, manifest } = await buildWidget(options)
  console.log(
    `widget built in ${Date.now() - started} ms → ${relative(process.cwd(), outDir) || '.'}: ${manifest.files.join(', ')}`,
  )
}

import { mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SERVER = join(ROOT, 'packages/server')

/**
 * The bench server (`bench/servers/aurion.ts`) built into one ES module by esbuild: the same
 * TypeScript transform tsx applies, done once per run instead of once per process, so each of a
 * crash run's hundred incarnations loads in about half the CPU time. Workspace sources are
 * bundled, every npm package stays an import. Written under packages/server/node_modules (so
 * the server's own dependencies resolve from it; never committed); `remove` deletes it.
 */
export async function bundleBenchServer(): Promise<{ file: string; remove(): void }> {
  const file = join(
    SERVER,
    'node_modules/.cache/aurion-crash',
    `server-${process.pid}-${Date.now()}.mjs`,
  )
  mkdirSync(dirname(file), { recursive: true })
  await build({
    entryPoints: [join(ROOT, 'bench/servers/aurion.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: file,
    packages: 'external',
    logLevel: 'warning',
    plugins: [
      {
        name: 'workspace-sources',
        setup(b) {
          // The contract package is TypeScript source: bundled like the server's own files.
          b.onResolve({ filter: /^@aurion\/contract$/ }, () => ({
            path: join(ROOT, 'packages/contract/src/index.ts'),
          }))
        },
      },
    ],
  })
  return { file, remove: () => rmSync(file, { force: true }) }
}

// The console's build stamp: a hash of every input. `vite build` writes it to dist/.build-stamp;
// the browser tests rebuild when it differs (a missing or stale dist), and only then.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))
const contractSrc = join(root, '..', 'contract', 'src')

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else if (!/\.test\.tsx?$/.test(name)) out.push(p)
  }
  return out
}

/** Hex SHA-256 over the console's sources, pages, build config and the contract it imports. */
export function inputStamp() {
  const files = [
    ...walk(join(root, 'src'), []),
    ...walk(contractSrc, []),
    ...['index.html', 'preview.html', 'vite.config.ts', 'build-stamp.mjs', 'package.json'].map(
      (f) => join(root, f),
    ),
  ].sort()
  const h = createHash('sha256')
  for (const f of files) {
    h.update(relative(root, f))
    h.update(readFileSync(f))
  }
  return h.digest('hex')
}

/** Whether `dist` holds a build of the current sources. */
export function isBuildCurrent(distDir = join(root, 'dist')) {
  const stamp = join(distDir, '.build-stamp')
  return (
    existsSync(join(distDir, 'index.html')) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === inputStamp()
  )
}

// `node build-stamp.mjs --build-if-stale`: runs the console's build unless dist is current.
if (
  process.argv[1] === fileURLToPath(import.meta.url) &&
  process.argv.includes('--build-if-stale')
) {
  if (!isBuildCurrent()) {
    const { execFileSync } = await import('node:child_process')
    execFileSync('npx', ['vite', 'build'], { cwd: root, stdio: 'inherit' })
  }
}

import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/**
 * Installs Debian's chromium when `path` is missing and this process may (root, apt-get), for
 * `npm test` and `npm run bench` on a fresh machine. Says so on stderr, prefixed with `who`.
 * @param {string} path where the browser is expected (e.g. /usr/bin/chromium)
 * @param {string} who
 * @returns {boolean} whether it is there now
 */
export function ensureChromium(path, who) {
  if (!existsSync(path) && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error(`[${who}] installing Debian chromium…`)
    spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'] })
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  }
  return existsSync(path)
}

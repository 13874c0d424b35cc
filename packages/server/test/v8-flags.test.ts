import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { missingV8Flags, V8_FLAGS } from '../bin/v8-flags.js'

const root = new URL('../../../', import.meta.url)
const read = (path: string) => readFileSync(new URL(path, root), 'utf8')

describe('the V8 flags of the server', () => {
  it('are on every command line that starts it: the shebang, npm start, the systemd unit file', () => {
    const flags = V8_FLAGS.join(' ')
    expect(read('packages/server/bin/aurion.js').split('\n')[0]).toBe(
      `#!/usr/bin/env -S node ${flags}`,
    )
    const start = JSON.parse(read('package.json')).scripts.start as string
    expect(start).toContain(`node ${flags} packages/server/bin/aurion.js serve --demo`)
    const execStart = read('deploy/systemd/aurion@.service')
      .split('\n')
      .filter((line) => line.startsWith('ExecStart='))
    expect(execStart).toEqual([
      `ExecStart=/usr/bin/node ${flags} packages/server/bin/aurion.js serve`,
    ])
  })

  it('are set late only where the command line left them out, either way', () => {
    expect(missingV8Flags([])).toEqual(V8_FLAGS)
    expect(missingV8Flags([...V8_FLAGS])).toEqual([])
    // An operator's own choice wins: another size, pretenuring turned back on.
    expect(missingV8Flags(['--min-semi-space-size=64', '--allocation-site-pretenuring'])).toEqual(
      [],
    )
    // A flag that merely starts the same does not count.
    expect(missingV8Flags(['--min-semi-space-size-x=1', '--import', 'tsx'])).toEqual(V8_FLAGS)
  })
})

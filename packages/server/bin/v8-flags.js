/**
 * The V8 flags the server runs with. Also spelled out where no module can be read: the shebang
 * of `aurion.js`, `npm start` and `deploy/systemd/aurion@.service` (a test checks all three).
 *
 * - A young generation of at least 16 MB: with V8's default start (1 MB, grown on demand) a busy
 *   server can settle on a small one, where the objects of requests in flight outlive
 *   scavenges, are promoted and collected only by full GCs, and every request costs up to twice
 *   the CPU (bench/http.ts).
 * - No allocation-site pretenuring: when a scavenge happens to meet many requests in flight
 *   (start-up, a burst), V8 can decide that what a request allocates lives long and allocate it
 *   in the old generation from then on, where it dies and waits for full GCs: the same bimodal
 *   cost, in about one start in three.
 */
export const V8_FLAGS = ['--min-semi-space-size=16', '--no-allocation-site-pretenuring']

/** `--no-foo` and `--foo=1` both name `foo`. */
const flagName = (flag) => flag.replace(/^--(no-)?/, '').replace(/=.*$/, '')

/** The flags of {@link V8_FLAGS} that `execArgv` does not set either way. */
export function missingV8Flags(execArgv = process.execArgv) {
  const given = new Set(execArgv.map(flagName))
  return V8_FLAGS.filter((flag) => !given.has(flagName(flag)))
}

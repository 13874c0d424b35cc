import type { GaReadinessCheck, GaReadinessResponse } from '@aurion/contract'

/** How the console shows a readiness check: a pass with `details.warning` is worth a look. */
export type CheckState = 'passed' | 'warning' | 'failed'

/** Where the voice set-up guide lives on this server (`docs/voice.md`, rendered). */
export const VOICE_GUIDE = '/docs/voice'

export function checkState(check: GaReadinessCheck): CheckState {
  if (!check.passed) return 'failed'
  return check.details.warning === true ? 'warning' : 'passed'
}

/** Checks that pass with a warning. */
export function warningCount(r: GaReadinessResponse): number {
  return Object.values(r.checks).filter((c) => checkState(c) === 'warning').length
}

/** The guide a check links to: the server's own page (a path on this origin), else the default. */
export function guideHref(check: GaReadinessCheck): string {
  const g = check.details.guide
  return typeof g === 'string' && /^\/docs\/[a-z][a-z0-9-]*$/.test(g) ? g : VOICE_GUIDE
}

import type { GaReadinessResponse } from '@aurion/contract'
import { describe, expect, it } from 'vitest'
import { checkState, guideHref, VOICE_GUIDE, warningCount } from './readiness.ts'

const check = (passed: boolean, details: Record<string, unknown> = {}) => ({
  passed,
  reason: null,
  details,
})

describe('readiness checks in the console', () => {
  it('tells a pass, a pass with a warning and a failure apart', () => {
    expect(checkState(check(true))).toBe('passed')
    expect(checkState(check(true, { warning: true }))).toBe('warning')
    expect(checkState(check(true, { warning: 'yes' }))).toBe('passed')
    expect(checkState(check(false, { warning: true }))).toBe('failed')
  })

  it('counts warnings (browser-speech voice) apart from failures', () => {
    const r: GaReadinessResponse = {
      ready: true,
      failed_checks: [],
      checks: {
        widget_enabled: check(true),
        voice_configured: check(true, { voice: 'browser_speech', warning: true }),
      },
    }
    expect(warningCount(r)).toBe(1)
  })

  it('links only to a guide page of this server', () => {
    expect(guideHref(check(true, { guide: '/docs/voice' }))).toBe('/docs/voice')
    expect(guideHref(check(true))).toBe(VOICE_GUIDE)
    for (const guide of [
      'https://evil.example/x',
      '//evil.example',
      '/docs/../admin',
      'javascript:1',
    ])
      expect(guideHref(check(true, { guide }))).toBe(VOICE_GUIDE)
  })
})

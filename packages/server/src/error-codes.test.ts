import { ERROR_CODES, WS_ERROR_CODES } from '@aurion/contract'
import { describe, expect, it } from 'vitest'
import * as catalogue from './errors.ts'

/** Every error the catalogue can build, one per factory (arguments are placeholders). */
function catalogueCodes(): string[] {
  const codes = new Set<string>()
  for (const [name, value] of Object.entries(catalogue)) {
    if (typeof value !== 'function' || name === 'ApiError') continue
    const built = (value as (...args: unknown[]) => unknown)('x', 1, 'x')
    expect(built, name).toBeInstanceOf(catalogue.ApiError)
    codes.add((built as catalogue.ApiError).code)
  }
  return [...codes].sort()
}

describe('error codes in the contract', () => {
  it('lists exactly the codes of the server catalogue, no stale ones', () => {
    expect([...ERROR_CODES].sort()).toEqual(catalogueCodes())
  })

  it('lets a WebSocket error frame carry any catalogue code, invalid_json, busy and internal_error', () => {
    expect([...WS_ERROR_CODES].sort()).toEqual(
      [...catalogueCodes(), 'invalid_json', 'busy', 'internal_error'].sort(),
    )
  })
})

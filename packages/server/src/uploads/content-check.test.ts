import { describe, expect, it } from 'vitest'
import { ApiError } from '../errors.ts'
import { assertAcceptedType, assertContentMatches, normalizeContentType } from './content-check.ts'
import { FIXTURES } from './test-fixtures.ts'

async function status(type: string, bytes: Buffer): Promise<number | 'ok'> {
  try {
    await assertContentMatches(type, bytes)
    return 'ok'
  } catch (err) {
    if (err instanceof ApiError) return err.status
    throw err
  }
}

describe('normalizeContentType', () => {
  it.each([
    ['Image/PNG', 'image/png'],
    ['text/plain; charset=UTF-8', 'text/plain'],
    ['image/jpg', 'image/jpeg'],
    ['  application/x-pdf ', 'application/pdf'],
    [undefined, ''],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeContentType(raw)).toBe(expected)
  })
})

describe('assertAcceptedType', () => {
  it.each([
    'application/zip',
    'application/octet-stream',
    'application/x-msdownload',
    'video/mp4',
    'image/x-made-up',
    '',
  ])('refuses %j with 415', (type) => {
    expect(() => assertAcceptedType(type)).toThrow(
      expect.objectContaining({ status: 415 }) as unknown as Error,
    )
  })

  it.each(['image/png', 'image/svg+xml', 'application/pdf', 'text/plain', 'text/html', 'text/csv'])(
    'accepts %j',
    (type) => {
      expect(() => assertAcceptedType(type)).not.toThrow()
    },
  )
})

describe('assertContentMatches', () => {
  it('accepts files whose bytes match their type', async () => {
    expect(await status('image/png', FIXTURES.png)).toBe('ok')
    expect(await status('image/jpeg', FIXTURES.jpeg)).toBe('ok')
    expect(await status('image/gif', FIXTURES.gif)).toBe('ok')
    expect(await status('application/pdf', FIXTURES.pdf)).toBe('ok')
    expect(await status('text/plain', Buffer.from('héllo ✓\n'))).toBe('ok')
    expect(await status('text/html', FIXTURES.html)).toBe('ok')
    expect(await status('image/svg+xml', FIXTURES.svgWithScript)).toBe('ok')
  })

  it('refuses mismatched magic numbers with 415', async () => {
    expect(await status('image/jpeg', FIXTURES.png)).toBe(415)
    expect(await status('image/png', FIXTURES.exe)).toBe(415)
    expect(await status('application/pdf', FIXTURES.zip)).toBe(415)
    expect(await status('image/png', Buffer.from('not an image at all'))).toBe(415)
  })

  it('refuses text with NUL bytes or invalid UTF-8 with 415', async () => {
    expect(await status('text/plain', FIXTURES.exe)).toBe(415)
    expect(await status('text/plain', Buffer.from([0x68, 0x00, 0x69]))).toBe(415)
    expect(await status('text/plain', Buffer.from([0x68, 0xc3, 0x28]))).toBe(415)
    expect(await status('text/csv', Buffer.from([0xff, 0xfe, 0x41]))).toBe(415)
  })

  it('refuses an "SVG" that is not one', async () => {
    expect(await status('image/svg+xml', Buffer.from('just some text'))).toBe(415)
  })
})

import { describe, expect, it } from 'vitest'
import { contentDisposition, MAX_FILE_NAME_LENGTH, sanitizeFileName } from './file-name.ts'

describe('sanitizeFileName', () => {
  it.each([
    ['screenshot.png', 'screenshot.png'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\jane\\report.pdf', 'report.pdf'],
    ['in\u0000voice\u0007.txt', 'invoice.txt'],
    // RIGHT-TO-LEFT OVERRIDE would display "exe.png" as "gnp.exe".
    ['photo\u202Egnp.exe', 'photognp.exe'],
    ['zero\u200Bwidth\uFEFF.txt', 'zerowidth.txt'],
    ['a<b>c:d"e|f?g*h.txt', 'a_b_c_d_e_f_g_h.txt'],
    ['  spaced \t\n name .txt  ', 'spaced name .txt'],
    ['...hidden', 'hidden'],
    ['trailing. . .', 'trailing'],
    ['résumé ✓.pdf', 'résumé ✓.pdf'],
    ['e\u0301.txt', 'é.txt'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeFileName(raw, 'text/plain')).toBe(expected)
  })

  it('falls back to a name with an extension for the type', () => {
    expect(sanitizeFileName('', 'image/png')).toBe('upload.png')
    expect(sanitizeFileName(undefined, 'application/pdf')).toBe('upload.pdf')
    expect(sanitizeFileName('../..', 'image/gif')).toBe('upload.gif')
    expect(sanitizeFileName('\u202E', 'image/x-icon')).toBe('upload')
  })

  it('bounds the length and keeps the extension', () => {
    const name = sanitizeFileName(`${'a'.repeat(400)}.pdf`, 'application/pdf')
    expect([...name]).toHaveLength(MAX_FILE_NAME_LENGTH)
    expect(name.endsWith('.pdf')).toBe(true)
    const emoji = sanitizeFileName(`${'😀'.repeat(300)}.txt`, 'text/plain')
    expect([...emoji]).toHaveLength(MAX_FILE_NAME_LENGTH)
    expect(emoji.endsWith('😀.txt')).toBe(true)
  })
})

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name as RFC 5987 filename*', () => {
    expect(contentDisposition('attachment', 'résumé ✓.pdf')).toBe(
      `attachment; filename="r_sum_ _.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E2%9C%93.pdf`,
    )
  })

  it('never lets quotes, backslashes or header syntax escape the parameter', () => {
    const h = contentDisposition('inline', `a"b\\c'd(e)*f%g;h.png`)
    expect(h).toBe(
      `inline; filename="a_b_c'd(e)*f_g;h.png"; filename*=UTF-8''a%22b%5Cc%27d%28e%29%2Af%25g%3Bh.png`,
    )
    expect(decodeURIComponent(h.split("UTF-8''")[1]!)).toBe(`a"b\\c'd(e)*f%g;h.png`)
  })
})

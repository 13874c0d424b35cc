import { seededRandom } from '../seeded-random.ts'
import type { PiiKind } from './redact.ts'

/** A generated sentence and the personal data in it (start/end of each value). */
export interface LabelledText {
  text: string
  spans: { kind: PiiKind; start: number; end: number }[]
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz'
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!
const digitsOf = (r: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(r() * 10)).join('')
const word = (r: () => number, n: number) =>
  Array.from({ length: n }, () => pick(r, [...LOWER])).join('')

function luhnDigit(body: string): number {
  let sum = 0
  for (let k = 0; k < body.length; k++) {
    let d = Number(body[body.length - 1 - k])
    if (k % 2 === 0) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return (10 - (sum % 10)) % 10
}

function card(r: () => number, valid: boolean): string {
  const len = pick(r, [15, 16, 16, 16, 19])
  const prefix = pick(r, ['4', '51', '52', '37', '6011'])
  const body = prefix + digitsOf(r, len - prefix.length - 1)
  let check = luhnDigit(body)
  if (!valid) check = (check + 1 + Math.floor(r() * 8)) % 10
  const n = body + String(check)
  const sep = pick(r, ['', ' ', '-'])
  return sep === '' ? n : (n.match(/.{1,4}/g) ?? [n]).join(sep)
}

function mod97(s: string): number {
  let m = 0
  for (const ch of s) {
    const v = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch
    for (const d of v) m = (m * 10 + Number(d)) % 97
  }
  return m
}

function iban(r: () => number, valid: boolean): string {
  const [country, len] = pick(r, [
    ['DE', 22],
    ['FR', 27],
    ['GB', 22],
    ['NL', 18],
    ['ES', 24],
  ] as const)
  const bban =
    country === 'GB' || country === 'NL'
      ? word(r, 4).toUpperCase() + digitsOf(r, len - 8)
      : digitsOf(r, len - 4)
  let check = 98 - mod97(`${bban + country}00`)
  if (!valid) check = ((check + 7) % 97) + 2
  const raw = `${country}${String(check).padStart(2, '0')}${bban}`
  return r() < 0.5 ? raw : (raw.match(/.{1,4}/g) ?? [raw]).join(' ')
}

function phone(r: () => number): string {
  return pick(r, [
    () => `+49 ${digitsOf(r, 3)} ${digitsOf(r, 7)}`,
    () => `+1 (${digitsOf(r, 3)}) ${digitsOf(r, 3)}-${digitsOf(r, 4)}`,
    () => `(${digitsOf(r, 3)}) ${digitsOf(r, 3)}-${digitsOf(r, 4)}`,
    () => `0${digitsOf(r, 3)} ${digitsOf(r, 6)}`,
    () => `+44${digitsOf(r, 10)}`,
    () => `0${digitsOf(r, 9)}`,
    () => `${digitsOf(r, 3)}.${digitsOf(r, 3)}.${digitsOf(r, 4)}`,
  ])()
}

function email(r: () => number): string {
  const local = pick(r, [
    () => word(r, 5),
    () => `${word(r, 4)}.${word(r, 6)}`,
    () => `${word(r, 3)}+${word(r, 4)}`,
    () => `${word(r, 5)}_${digitsOf(r, 2)}`,
  ])()
  return `${local}@${word(r, 6)}.${pick(r, ['com', 'de', 'co.uk', 'io', 'org'])}`
}

/** Text that holds no personal data but looks like it could. */
function decoy(r: () => number): string {
  return pick(r, [
    () => `order ORD-${digitsOf(r, 8)}`,
    () => `on 2026-${digitsOf(r, 1)}1-1${digitsOf(r, 1)}`,
    () => `costs ${digitsOf(r, 3)}.${digitsOf(r, 2)} EUR`,
    () => `version v${digitsOf(r, 1)}.${digitsOf(r, 2)}.${digitsOf(r, 1)}`,
    () => `at 1${digitsOf(r, 1)}:${digitsOf(r, 1)}5`,
    () => `ticket #${digitsOf(r, 6)}`,
    () => `card ${card(r, false)}`,
    () => `IBAN-like ${iban(r, false)}`,
    () => `write to ${word(r, 5)} at ${word(r, 6)} dot com`,
    () => `the @${word(r, 6)} handle`,
    () => `ref ${digitsOf(r, 8)}`,
  ])()
}

const FILLER = [
  'Hi, I need help with my account.',
  'Thanks!',
  'My details are',
  'please call back',
  'it still fails',
  'see below',
]

/** `count` sentences mixing personal data with look-alikes, labelled. */
export function generateCorpus(count: number, seed = 24): LabelledText[] {
  const r = seededRandom(seed)
  const out: LabelledText[] = []
  for (let k = 0; k < count; k++) {
    let text = pick(r, FILLER)
    const spans: LabelledText['spans'] = []
    const parts = 1 + Math.floor(r() * 3)
    for (let p = 0; p < parts; p++) {
      text += pick(r, [', ', ': ', ' and ', '; ', ' or '])
      const choice = r()
      let value: string
      let kind: PiiKind | undefined
      if (choice < 0.16) [value, kind] = [email(r), 'email']
      else if (choice < 0.32) [value, kind] = [card(r, true), 'card']
      else if (choice < 0.48) [value, kind] = [iban(r, true), 'iban']
      else if (choice < 0.64) [value, kind] = [phone(r), 'phone']
      else value = decoy(r)
      if (kind) spans.push({ kind, start: text.length, end: text.length + value.length })
      text += value
    }
    text += pick(r, ['.', '', ' thanks', '!'])
    out.push({ text, spans })
  }
  return out
}

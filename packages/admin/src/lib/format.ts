const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
]

/** "3 minutes ago", "yesterday", "just now". */
export function relativeTime(iso: string, now = Date.now()): string {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return ''
  const sec = Math.round((t - now) / 1000)
  if (Math.abs(sec) < 45) return 'just now'
  for (const [unit, size] of UNITS) {
    if (Math.abs(sec) >= size || unit === 'minute') return rtf.format(Math.round(sec / size), unit)
  }
  return ''
}

const dtf = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })

/** "Jan 5, 2026, 2:03 PM": shown in tooltips beside relative times. */
export function absoluteTime(iso: string): string {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? '' : dtf.format(t)
}

/** "48 KB", "1.2 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** Joins class names, skipping falsy ones. */
export function cx(...names: (string | false | null | undefined)[]): string {
  return names.filter(Boolean).join(' ')
}

/** A wait in words, rounded up: "45 seconds", "1 minute", "15 minutes". */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds))
  if (s < 60) return s === 1 ? '1 second' : `${s} seconds`
  const m = Math.ceil(s / 60)
  return m === 1 ? '1 minute' : `${m} minutes`
}

/** The host (and port) of a URL, for short labels; the text itself when it is not a URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
    if (formatters.size > 200) formatters.clear()
    formatters.set(timeZone, f)
  }
  return f
}

/**
 * The wall-clock date and time of instant `t` (ms) in `timeZone` (an IANA name; an unknown one
 * throws a RangeError). Formatters are kept per time zone: building one is the costly part.
 */
export function wallClock(t: number, timeZone: string) {
  const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 }
  for (const p of formatter(timeZone).formatToParts(new Date(t))) {
    if (p.type in out) out[p.type as keyof typeof out] = Number(p.value)
  }
  return out
}

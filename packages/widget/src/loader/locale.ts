const RTL = /^(?:ar|arc|ckb|dv|fa|he|ps|sd|ug|ur|yi)(?:-|$)/i
const LOCALE = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/i

/** The visitor's locale: `AurionSettings.locale`, else the browser's, else English. */
export function resolveLocale(preferred: unknown, nav: Navigator = navigator): string {
  for (const l of [preferred, nav.language, ...(nav.languages ?? [])]) {
    if (typeof l === 'string' && LOCALE.test(l)) return l
  }
  return 'en'
}

export function isRtl(locale: string): boolean {
  return RTL.test(locale)
}

/** Same rule as the contract's `translate()`: exact locale, then its language, then the base. */
export function translate(
  base: string | null,
  map: Record<string, string> | undefined,
  locale: string,
): string | null {
  const l = locale.toLowerCase()
  let lang: string | undefined
  for (const [k, v] of Object.entries(map ?? {})) {
    const key = k.toLowerCase()
    if (key === l) return v
    if (key === l.split('-')[0]) lang = v
  }
  return lang ?? base
}

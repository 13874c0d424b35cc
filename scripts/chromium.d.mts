/** See chromium.mjs. */
export function ensureChromium(path: string, who: string): boolean

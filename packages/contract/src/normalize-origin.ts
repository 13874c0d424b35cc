/**
 * Normalizes an origin to `scheme://host[:port]` (lower-case, default port dropped, IDN in
 * punycode). Returns an error message instead when it is not a full http(s) origin.
 */
export function normalizeOrigin(input: string): { origin: string } | { error: string } {
  const raw = input.trim()
  if (raw === '') return { error: 'Origin must not be empty' }
  if (raw.includes('*')) {
    return { error: 'Wildcards are not allowed; list each origin (scheme://host[:port])' }
  }
  // The URL parser silently drops tabs/newlines and reads "\\" as "/": refuse both instead of
  // storing something other than what the admin typed.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\s\u0000-\u001f\u007f\\]/.test(raw)) {
    return { error: 'Origin must not contain spaces, control characters or backslashes' }
  }
  if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(raw)) {
    return {
      error:
        'Origin must be a full origin with a scheme, e.g. https://example.com (not a bare domain)',
    }
  }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { error: 'Origin is not a valid URL' }
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { error: 'Origin must use http or https' }
  }
  if (url.username !== '' || url.password !== '' || raw.includes('@')) {
    return { error: 'Origin must not contain user info' }
  }
  if (url.search !== '' || raw.includes('?')) {
    return { error: 'Origin must not contain a query string' }
  }
  if (url.hash !== '' || raw.includes('#')) return { error: 'Origin must not contain a fragment' }
  const afterHost = raw.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, '')
  if (afterHost !== '' && afterHost !== '/') {
    return { error: 'Origin must not contain a path (use scheme://host[:port])' }
  }
  if (url.hostname === '') return { error: 'Origin must have a host' }
  return { origin: url.origin.toLowerCase() }
}

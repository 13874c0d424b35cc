/** The URLs of a sitemap (`<urlset>`) or of a sitemap index (`<sitemapindex>`: more sitemaps). */
export interface ParsedSitemap {
  kind: 'urlset' | 'index'
  urls: string[]
}

// `[^<]*` between fixed tags: linear on any input (no backtracking between two open runs).
const LOC = /<loc>([^<]*)<\/loc>/gi
const CDATA_LOC = /<loc>\s*<!\[CDATA\[([^\]]*)\]\]>\s*<\/loc>/gi

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&apos;': "'",
}

/** Reads a sitemap's `<loc>` entries (XML entities decoded); at most `limit` of them. */
export function parseSitemap(xml: string, limit = 50_000): ParsedSitemap {
  const kind = /<sitemapindex[\s>]/i.test(xml) ? 'index' : 'urlset'
  const urls: string[] = []
  for (const re of [LOC, CDATA_LOC]) {
    re.lastIndex = 0
    for (const m of xml.matchAll(re)) {
      const loc = m[1]!.trim().replace(/&(?:amp|lt|gt|quot|apos);/g, (e) => ENTITIES[e]!)
      if (loc !== '') urls.push(loc)
      if (urls.length >= limit) break
    }
  }
  return { kind, urls }
}

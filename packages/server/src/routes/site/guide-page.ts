import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Marked, type Tokens } from 'marked'

/** The repository's `docs/` folder: the operator guides this server shows at `/docs/<name>`. */
export const DOCS_DIR = fileURLToPath(new URL('../../../../../docs/', import.meta.url))

/** A guide's name: a plain file name (no dots, no slashes), so a request names only `docs/*.md`. */
export const GUIDE_NAME = /^[a-z][a-z0-9-]{0,47}$/

/** What a guide page may load: its own nonce'd style sheet, nothing else (no scripts at all). */
export function guideCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

// Links between guides (`configuration.md#tls`) become links between their pages.
const marked = new Marked({
  gfm: true,
  walkTokens(token) {
    if (token.type !== 'link') return
    const link = token as Tokens.Link
    const m = /^(?:\.\/)?([a-z][a-z0-9-]*)\.md(#[\w-]*)?$/.exec(link.href)
    if (m) link.href = `${m[1]}${m[2] ?? ''}`
  },
})

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.65 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1e293b;background:#fff}
nav{padding:14px 24px;border-bottom:1px solid #e2e8f0;font-size:14px}
nav a{margin-right:18px}
main{max-width:820px;margin:0 auto;padding:32px 24px 64px}
h1{font-size:32px;line-height:1.2;margin:0 0 16px}
h2{margin-top:36px;font-size:22px}
h3{margin-top:28px;font-size:18px}
a{color:#2563eb}
code{padding:1px 5px;border-radius:5px;background:#f1f5f9;font-size:.9em;overflow-wrap:anywhere}
pre{padding:14px;overflow:auto;border-radius:10px;background:#0f172a;color:#e2e8f0;font-size:13px;line-height:1.5}
pre code{padding:0;background:none}
table{border-collapse:collapse;display:block;overflow:auto}
th,td{padding:6px 12px;border:1px solid #e2e8f0;text-align:left;vertical-align:top}
@media (prefers-color-scheme:dark){body{color:#e2e8f0;background:#0b1120}nav{border-color:#1f2937}a{color:#93c5fd}code{background:#1e293b}th,td{border-color:#1f2937}}
`

/**
 * `docs/<name>.md` as an HTML page, or `undefined` when there is no such guide. The guides are
 * this repository's own files (trusted text), rendered with `marked`.
 */
export async function renderGuide(
  name: string,
  nonce: string,
  dir: string = DOCS_DIR,
): Promise<string | undefined> {
  if (!GUIDE_NAME.test(name)) return undefined
  let source: string
  try {
    source = await readFile(join(dir, `${name}.md`), 'utf8')
  } catch {
    return undefined
  }
  const title = /^#\s+(.+)$/m.exec(source)?.[1]?.trim() ?? name
  const body = await marked.parse(source)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(title)} · Aurion</title>
<style nonce="${nonce}">${CSS}</style>
</head>
<body>
<nav><a href="/admin">Console</a><a href="/docs">API reference</a><a href="/demo">Demo</a></nav>
<main>
${body}
</main>
</body>
</html>`
}

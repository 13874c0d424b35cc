import { randomBytes } from 'node:crypto'
import { buildEmbedSnippet } from '@aurion/contract'
import type { FastifyInstance } from 'fastify'
import type { RouteContext } from '../../app-deps.ts'
import { DEMO_TENANT_NAME } from '../../demo/demo-tenant.ts'
import { findTenantByName } from '../../tenants/tenant-repo.ts'

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

/**
 * The demo page's policy: its own inline script and style by nonce, the widget from the API
 * origin, no inline styles otherwise (the widget needs none: docs/embedding.md, Content Security Policy).
 */
export function demoCsp(nonce: string, apiOrigin: string): string {
  const ws = apiOrigin.replace(/^http/, 'ws')
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' ${apiOrigin}`,
    `style-src 'self' 'nonce-${nonce}'`,
    `connect-src 'self' ${apiOrigin} ${ws}`,
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.6 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#1e293b;background:#f8fafc}
a{color:#2563eb}
header{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:12px;padding:18px 40px;background:#fff;border-bottom:1px solid #e2e8f0}
.logo{display:flex;align-items:center;gap:10px;font-weight:700;font-size:18px;color:#0f172a}
.logo i{width:30px;height:30px;border-radius:9px;background:linear-gradient(135deg,#2563eb,#7c3aed)}
nav{display:flex;gap:28px;font-size:15px;color:#475569}
.hero{padding:72px 40px 48px;background:linear-gradient(180deg,#eef2ff,#f8fafc)}
.hero h1{max-width:720px;margin:0 0 14px;font-size:44px;line-height:1.1;letter-spacing:-.02em;color:#0f172a}
.hero p{max-width:640px;margin:0;font-size:19px;color:#475569}
main{display:grid;grid-template-columns:minmax(0,1fr) 400px;gap:32px;padding:40px;max-width:1240px}
.cards{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:18px;align-content:start}
.card{padding:22px;border:1px solid #e2e8f0;border-radius:16px;background:#fff}
.card h3{margin:0 0 6px;font-size:17px}
.card p{margin:0;color:#64748b;font-size:15px}
aside{min-width:0;padding:24px;border:1px solid #e2e8f0;border-radius:16px;background:#fff;align-self:start}
aside h2{margin:0 0 6px;font-size:18px}
aside p{margin:0 0 14px;color:#64748b;font-size:14px}
.btns{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:18px}
button{max-width:100%;padding:9px 14px;border:1px solid #cbd5e1;border-radius:10px;background:#fff;color:#1e293b;font:inherit;font-size:14px;text-align:start;overflow-wrap:anywhere;cursor:pointer}
button:hover{border-color:#2563eb;color:#1d4ed8}
code{overflow-wrap:anywhere}
pre{margin:0;padding:14px;overflow:auto;border-radius:12px;background:#0f172a;color:#e2e8f0;font-size:12px;line-height:1.5;white-space:pre-wrap;overflow-wrap:anywhere}
@media (max-width:900px){main{grid-template-columns:minmax(0,1fr)}.cards{grid-template-columns:minmax(0,1fr)}nav{display:none}.hero h1{font-size:32px}header,.hero,main{padding-left:20px;padding-right:20px}.hero{padding-top:40px;padding-bottom:32px}.hero p{font-size:17px}}
@media (prefers-color-scheme:dark){body{color:#e2e8f0;background:#0b1120}header,.card,aside{background:#111827;border-color:#1f2937}.logo{color:#f8fafc}nav,.hero p,.card p,aside p{color:#94a3b8}.hero{background:linear-gradient(180deg,#1e1b4b,#0b1120)}.hero h1{color:#f8fafc}a{color:#93c5fd}button{background:#111827;border-color:#334155;color:#e2e8f0}button:hover{color:#93c5fd;border-color:#93c5fd}}
`

/** `GET /demo`: a sample site (an IT help portal) that pastes the demo tenant's snippet, as is. */
export async function demoPageRoute(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.get('/demo', { schema: { hide: true } }, async (_request, reply) => {
    reply
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer')
    const tenant = await findTenantByName(ctx.db, DEMO_TENANT_NAME)
    if (!tenant) {
      return reply
        .status(404)
        .send(
          '<!doctype html><meta charset="utf-8"><title>No demo tenant</title><p>There is no demo tenant on this server. Start it with <code>npm start</code> on an empty data directory to create one.</p>',
        )
    }
    const apiOrigin = new URL(ctx.config.publicUrl).origin
    const snippet = buildEmbedSnippet({
      tenantId: tenant.id,
      publicKey: tenant.public_widget_key,
      apiBaseUrl: ctx.config.publicUrl,
    })
    const nonce = randomBytes(16).toString('base64')
    reply.header('Content-Security-Policy', demoCsp(nonce, apiOrigin))
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Northwind IT Help Desk (Aurion demo)</title>
<style nonce="${nonce}">${CSS}</style>
${snippet.replace('<script>', `<script nonce="${nonce}">`)}
</head>
<body>
<header><span class="logo"><i></i>Northwind IT Help Desk</span><nav><span>Services</span><span>System status</span><span>My requests</span><span>Help articles</span></nav></header>
<section class="hero">
  <h1>How can IT help you today?</h1>
  <p>A sample site: the help portal Northwind's IT team runs for its staff. It embeds the Aurion widget with the snippet shown on this page, and the assistant in the corner is the real thing, answering from the demo tenant's help-desk articles.</p>
</section>
<main>
  <section class="cards">
    <div class="card"><h3>Passwords &amp; sign-in</h3><p>Reset a forgotten password, unlock your account, set up multi-factor authentication.</p></div>
    <div class="card"><h3>VPN &amp; Wi-Fi</h3><p>Work from home over the VPN, join the office Wi-Fi, fix connection drops.</p></div>
    <div class="card"><h3>Email, phone &amp; calls</h3><p>Work email on your phone, microphone and camera in video calls.</p></div>
    <div class="card"><h3>Printers</h3><p>Add a printer, clear a stuck queue, fix printing problems.</p></div>
    <div class="card"><h3>Your computer</h3><p>Speed up a slow computer, request new software.</p></div>
    <div class="card"><h3>Security &amp; access</h3><p>Report a phishing email, get access to a shared folder or team site.</p></div>
  </section>
  <aside>
    <h2>Try the JavaScript API</h2>
    <p>The page drives the widget through <code>window.Aurion</code>.</p>
    <div class="btns">
      <button type="button" data-call="open">Aurion.open()</button>
      <button type="button" data-call="ask">sendMessage('How do I connect to the VPN?')</button>
      <button type="button" data-call="de">setLocale('de')</button>
      <button type="button" data-call="hide">hide()</button>
      <button type="button" data-call="show">show()</button>
    </div>
    <h2>The snippet on this page</h2>
    <p>Copied from Configuration › Voice Widget, unchanged.</p>
    <pre>${esc(snippet)}</pre>
  </aside>
</main>
<script nonce="${nonce}">
  document.querySelector('.btns').addEventListener('click', function (e) {
    var call = e.target && e.target.getAttribute('data-call')
    var A = window.Aurion
    if (!call || !A) return
    if (call === 'ask') A.sendMessage('How do I connect to the VPN?').then(function () { A.open() })
    else if (call === 'de') A.setLocale('de')
    else A[call]()
  })
</script>
</body>
</html>`
  })
}

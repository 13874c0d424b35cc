/** The Help Center's style sheet (served as `/hc-assets/help-center.css`, cached for a day). */
export const HELP_CENTER_CSS = `
*{box-sizing:border-box}
:root{--accent:#2563eb;--bg:#fff;--soft:#f6f8fb;--text:#0f172a;--muted:#5b6576;--line:#e5e9f0;--card:#fff;--hero:linear-gradient(180deg,color-mix(in srgb,var(--accent) 14%,#fff),#fff);color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0b1020;--soft:#111830;--text:#e8ecf4;--muted:#9aa5b8;--line:#1f2a44;--card:#121a30;--hero:linear-gradient(180deg,color-mix(in srgb,var(--accent) 28%,#0b1020),#0b1020)}}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font:16px/1.65 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:var(--text);background:var(--bg)}
a{color:var(--accent)}
@media (prefers-color-scheme:dark){a{color:color-mix(in srgb,var(--accent) 55%,#fff)}}
.skip{position:absolute;left:-999px}.skip:focus{left:12px;top:12px;z-index:9;padding:8px 12px;background:var(--card);border-radius:8px}
.top{display:flex;align-items:center;gap:12px;max-width:1120px;margin:0 auto;padding:18px 24px}
.brand{display:flex;align-items:center;gap:10px;color:var(--text);font-weight:700;font-size:18px;text-decoration:none}
.brand img{height:32px;width:auto;max-width:140px;object-fit:contain}
.brand .mark{display:grid;place-items:center;width:32px;height:32px;border-radius:9px;background:var(--accent);color:#fff;font-size:16px}
.hero{padding:56px 24px 64px;background:var(--hero);text-align:center}
.hero h1{margin:0 0 10px;font-size:clamp(28px,4vw,42px);line-height:1.15;letter-spacing:-.02em}
.hero p{margin:0 auto 26px;max-width:620px;color:var(--muted);font-size:18px}
.search{display:flex;max-width:640px;margin:0 auto;background:var(--card);border:1px solid var(--line);border-radius:14px;box-shadow:0 10px 30px rgba(15,23,42,.08);overflow:hidden}
.search:focus-within{border-color:var(--accent);box-shadow:0 0 0 4px color-mix(in srgb,var(--accent) 22%,transparent)}
.search input{flex:1;min-width:0;padding:16px 18px;border:0;background:transparent;color:var(--text);font:inherit;font-size:17px;outline:none}
.search button{margin:6px;padding:0 20px;border:0;border-radius:10px;background:var(--accent);color:#fff;font:inherit;font-weight:600;cursor:pointer}
.bar .search{max-width:none;box-shadow:none}.bar .search input{padding:10px 14px;font-size:15px}
.bar{flex:1;max-width:420px;margin-left:auto}
main{max-width:1120px;margin:0 auto;padding:40px 24px 72px}
.cats{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:20px}
.cat{padding:22px 24px;background:var(--card);border:1px solid var(--line);border-radius:16px}
.cat h2{margin:0 0 4px;font-size:19px}
.cat .count{margin:0 0 12px;color:var(--muted);font-size:14px}
.cat ul,.results,.related ul{margin:0;padding:0;list-style:none}
.cat li{padding:7px 0;border-top:1px solid var(--line)}
.cat li:first-child{border-top:0}
.cat a,.related a{text-decoration:none;font-weight:500}
.cat a:hover,.related a:hover,.results a:hover{text-decoration:underline}
.crumbs{margin:0 0 14px;color:var(--muted);font-size:14px}.crumbs a{color:var(--muted)}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 260px;gap:48px;align-items:start}
article h1{margin:0 0 8px;font-size:clamp(26px,3.4vw,36px);line-height:1.2;letter-spacing:-.01em}
.meta{margin:0 0 28px;color:var(--muted);font-size:14px}
.body h2{margin:36px 0 10px;font-size:22px;scroll-margin-top:16px}
.body h3{margin:26px 0 8px;font-size:18px;scroll-margin-top:16px}
.body img{max-width:100%;height:auto;border-radius:10px}
.body code{padding:1px 6px;border-radius:6px;background:var(--soft);font-size:.9em}
.body pre{padding:14px;overflow:auto;border-radius:12px;background:var(--soft)}
.body pre code{padding:0}
.body table{border-collapse:collapse;display:block;overflow:auto}
.body th,.body td{padding:6px 12px;border:1px solid var(--line)}
.body li{margin:4px 0}
.body blockquote{margin:16px 0;padding:4px 16px;border-left:4px solid var(--accent);background:var(--soft);border-radius:0 10px 10px 0}
aside{position:sticky;top:20px}
.toc{padding:18px 20px;border:1px solid var(--line);border-radius:14px;background:var(--card)}
.toc h2,.related h2{margin:0 0 10px;font-size:13px;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
.toc ol{margin:0;padding:0;list-style:none;font-size:14px}.toc li{padding:4px 0}.toc .d3{padding-left:14px}
.toc a{color:var(--text);text-decoration:none}.toc a:hover{color:var(--accent)}
.feedback{display:flex;flex-wrap:wrap;align-items:center;gap:12px;margin:40px 0 0;padding:20px 22px;border:1px solid var(--line);border-radius:14px;background:var(--soft)}
.feedback p{margin:0;font-weight:600}
.feedback form{display:flex;gap:8px;margin:0}
.feedback button{padding:8px 18px;border:1px solid var(--line);border-radius:999px;background:var(--card);color:var(--text);font:inherit;cursor:pointer}
.feedback button:hover{border-color:var(--accent);color:var(--accent)}
.thanks{color:var(--muted)}
.related{margin-top:40px}.related li{padding:8px 0;border-top:1px solid var(--line)}
.results li{padding:18px 0;border-top:1px solid var(--line)}
.results a{font-size:18px;font-weight:600;text-decoration:none}
.results p{margin:4px 0 0;color:var(--muted)}
.tag{display:inline-block;margin-left:8px;padding:1px 8px;border-radius:999px;background:var(--soft);color:var(--muted);font-size:12px;font-weight:500;vertical-align:middle}
.empty{padding:40px 0;color:var(--muted);text-align:center}
footer{padding:28px 24px;border-top:1px solid var(--line);color:var(--muted);font-size:14px;text-align:center}
:focus-visible{outline:3px solid color-mix(in srgb,var(--accent) 60%,transparent);outline-offset:2px}
@media (max-width:860px){.layout{grid-template-columns:minmax(0,1fr)}aside{position:static;order:-1}.top{flex-wrap:wrap}.bar{max-width:none;flex-basis:100%}.hero{padding:40px 20px 44px}main{padding:28px 20px 56px}}
`

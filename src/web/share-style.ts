/**
 * The share pages' only stylesheet, inlined and allowed by its hash in the Content-Security-Policy (no
 * 'unsafe-inline', no external resource). Colours keep WCAG AA contrast; the layout is one readable column.
 */
export const SHARE_CSS = `
:root{color-scheme:light;--ink:#17202b;--muted:#4a5667;--line:#d5dbe3;--accent:#0b5cad;--bg:#f4f6f9;--card:#fff}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.wrap{max-width:46rem;margin:0 auto;padding:1rem}
header.page{background:var(--card);border-bottom:1px solid var(--line)}
header.page .wrap{padding-top:1.25rem;padding-bottom:1rem}
.eyebrow{margin:0;color:var(--muted);font-size:.875rem;text-transform:uppercase;letter-spacing:.06em}
h1{margin:.15rem 0 .5rem;font-size:1.6rem;line-height:1.25;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:.9rem 0 .5rem}
section h1{margin-top:.75rem}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}
.facts dt{color:var(--muted)}
.facts dd{margin:0;overflow-wrap:anywhere}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.25rem 1rem 1rem;margin:1rem 0}
.tree,.tree ul{list-style:none;margin:0;padding-left:1.1rem}
.tree{padding-left:0}
.tree li{padding:.1rem 0}
.tree ul{border-left:2px solid var(--line);margin-left:.3rem;padding-left:.9rem}
.events{list-style:none;margin:0;padding:0}
.events>li{border-top:1px solid var(--line);padding:.75rem 0}
.events>li:first-child{border-top:0}
.when{display:flex;flex-wrap:wrap;gap:.25rem .75rem;font-size:.875rem;color:var(--muted)}
.type{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
.content{margin:.3rem 0 0;font-size:1.05rem;overflow-wrap:anywhere}
.note{white-space:pre-wrap}
.value{font-size:1.3rem;font-weight:600}
.unit{color:var(--muted);margin-left:.25rem}
pre{margin:.3rem 0 0;padding:.5rem;background:var(--bg);border-radius:6px;overflow-x:auto;font-size:.85rem}
.tags{display:flex;flex-wrap:wrap;gap:.3rem;list-style:none;margin:.4rem 0 0;padding:0}
.tags li{background:#e7eef7;color:#123;border-radius:999px;padding:0 .55rem;font-size:.8rem}
.streams{color:var(--muted);font-size:.875rem}
a{color:var(--accent)}
a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.chart{margin:.5rem 0 1rem}
.chart h3{font-size:1rem;margin:.75rem 0 .25rem}
.chart svg{display:block;width:100%;max-width:34rem;height:auto}
.chart figcaption{color:var(--muted);font-size:.875rem}
nav.pages{display:flex;justify-content:space-between;gap:1rem;margin:1rem 0}
nav.pages a{display:inline-block;padding:.5rem .9rem;border:1px solid var(--accent);border-radius:8px;text-decoration:none;background:var(--card)}
.files{list-style:none;margin:.4rem 0 0;padding:0}
.files li{margin:.25rem 0}
.files figure{margin:.3rem 0}
.files img{display:block;max-width:100%;height:auto;max-height:24rem;border-radius:6px;border:1px solid var(--line)}
.files figcaption,.files .size{color:var(--muted);font-size:.875rem}
.empty{color:var(--muted)}
footer{color:var(--muted);font-size:.85rem;text-align:center;padding:1rem 1rem 2rem}
`;

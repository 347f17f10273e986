/**
 * The consent page's only stylesheet, inlined and allowed by its hash (no 'unsafe-inline'). One column that
 * fits a phone, touch-sized controls, visible keyboard focus, WCAG AA contrast.
 */
export const CONSENT_CSS = `
:root{color-scheme:light;--ink:#17202b;--muted:#4a5667;--line:#d5dbe3;--accent:#0b5cad;--accent-ink:#fff;--bg:#f4f6f9;--card:#fff;--bad:#a4161a}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:30rem;margin:0 auto;padding:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1rem 1.1rem;margin:0 0 1rem}
.eyebrow{margin:0;color:var(--muted);font-size:.875rem;text-transform:uppercase;letter-spacing:.06em}
h1{margin:.2rem 0 .1rem;font-size:1.6rem;line-height:1.25;overflow-wrap:anywhere}
h1+p{margin:0 0 .5rem;color:var(--muted)}
h2{font-size:1.1rem;margin:.25rem 0 .6rem}
.perms{list-style:none;margin:0;padding:0}
.perms li{border-top:1px solid var(--line);padding:.6rem 0}
.perms li:first-child{border-top:0;padding-top:0}
.stream{font-weight:600;overflow-wrap:anywhere}
.note{color:var(--muted);font-size:.875rem}
.level{margin:.1rem 0 0}
.narrow{margin:.1rem 0 0;padding-left:1.1rem;color:var(--muted);font-size:.9rem}
.facts{margin:.75rem 0 0;padding:0;list-style:none;color:var(--muted);font-size:.9rem}
blockquote{margin:.5rem 0 0;padding:.5rem .75rem;border-left:3px solid var(--line);white-space:pre-wrap;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;font:inherit;padding:.65rem .75rem;border:1px solid #8a96a8;border-radius:8px;background:#fff;color:var(--ink)}
.help{color:var(--muted);font-size:.9rem;margin:.25rem 0 0}
.buttons{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.1rem}
button{flex:1 1 8rem;min-height:2.9rem;font:inherit;font-weight:600;border-radius:8px;padding:.6rem 1rem;cursor:pointer;border:2px solid var(--accent)}
button.primary{background:var(--accent);color:var(--accent-ink)}
button.secondary{background:var(--card);color:var(--accent)}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.error{color:var(--bad);font-weight:600;margin:.5rem 0 0}
.who{margin:0 0 .5rem;color:var(--muted)}
.who strong{color:var(--ink)}
`;

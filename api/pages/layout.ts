import type { Request } from 'express';
import { escapeHtml } from '../html';
import { callerHolds } from '../auth';

const styles = `
:root{--ink:#1a1a1a;--muted:#555;--line:#d0d0d0;--accent:#0b5cad;--late:#b00020;--soon:#8a5a00;--ok:#1b6e2a}
*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;color:var(--ink);line-height:1.5}
header{background:#0b2545;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
header a{color:#fff}header nav{display:flex;flex-wrap:wrap;gap:1rem}header .who{margin-left:auto}
main{max-width:72rem;margin:0 auto;padding:1rem}a{color:var(--accent)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.45rem;border-bottom:1px solid var(--line);vertical-align:top}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.6rem;font-size:.85rem;font-weight:600;border:1px solid}
.badge.late{color:var(--late);border-color:var(--late)}.badge.soon{color:var(--soon);border-color:var(--soon)}.badge.ok{color:var(--ok);border-color:var(--ok)}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;padding:0;list-style:none}.counts li{border:1px solid var(--line);border-radius:.4rem;padding:.4rem .7rem}
.counts strong{display:block;font-size:1.4rem}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end;margin:1rem 0}form.filters label{display:flex;flex-direction:column;font-size:.9rem}
input,select,textarea,button{font:inherit;padding:.35rem}button{cursor:pointer}
:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
.table-wrap{overflow-x:auto}.muted{color:var(--muted)}
svg text{font-family:system-ui,sans-serif}
fieldset{margin:1rem 0;border:1px solid var(--line);border-radius:.4rem}fieldset label{display:block;font-weight:600}
fieldset textarea,fieldset input[type=text]{width:100%;max-width:42rem}dt{font-weight:600}dd{margin:0 0 .4rem 1rem}
@media (max-width:40rem){th.optional,td.optional{display:none}}
`;

/** A signed-in page with the product's navigation. */
export function signedInPage(req: Request, title: string, body: string): string {
  const caller = req.caller;
  const links = [
    ['/dashboard', 'Dashboard'],
    ['/my-tasks', 'My tasks'],
    ['/processes', 'Process library'],
    ['/adoption', 'Adoption'],
    ...(callerHolds(caller, 'management', 'orpg') ? [['/escalations', 'Escalations']] : []),
    ['/measures', 'Measures'],
  ];
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · OPF Pipeline</title><style>${styles}</style></head>
<body>
<a href="#main" class="muted">Skip to content</a>
<header><strong>OPF Pipeline</strong><nav aria-label="Main">${links
    .map(([href, label]) => `<a href="${href}"${req.path === href ? ' aria-current="page"' : ''}>${label}</a>`)
    .join('')}</nav><span class="who">${escapeHtml(caller?.email ?? '')}</span><form method="post" action="/sign-out"><button type="submit">Sign out</button></form></header>
<main id="main"><h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>`;
}

/** Formats an instant for people: date and time in UTC. */
export function when(date: Date | string | null | undefined): string {
  if (!date) return '';
  const value = typeof date === 'string' ? new Date(date) : date;
  return `${value.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A captioned table of pre-rendered rows, or a muted sentence when there are none. */
export function dataTable(caption: string, head: string[], rows: string, empty: string): string {
  return rows
    ? `<div class="table-wrap"><table><caption class="muted">${caption}</caption><thead><tr>${head.map((cell) => `<th scope="col">${cell}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div>`
    : `<p class="muted">${empty}</p>`;
}

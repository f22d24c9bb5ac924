/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A complete, accessible page in the product's plain style. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · OPF Pipeline</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a;line-height:1.5}
a{color:#0645ad}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ccc}
span.error{color:#b00020;font-weight:600}
pre{white-space:pre-wrap;background:#f5f5f5;padding:1rem;border-radius:4px}
fieldset{margin:1rem 0;border:1px solid #ccc;border-radius:.4rem}fieldset label{display:block;font-weight:600}
fieldset textarea,fieldset input[type=text]{width:100%;max-width:42rem}dt{font-weight:600}dd{margin:0 0 .4rem 1rem}
input,select,textarea,button{font:inherit;padding:.35rem}:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
</style>
</head>
<body>
${body}
</body>
</html>`;
}

export type CsvRow = Record<string, string | number | null>;

/** Text a spreadsheet would read as a formula (OWASP CSV injection): `=`, `+`, `-`, `@`, tab or CR first. */
const formulaStart = /^[=+\-@\t\r]/;

function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  // Numbers (negative ones too) stay numbers; text that could be a formula is prefixed with ' so it stays text.
  const text = typeof value === 'string' && formulaStart.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * RFC 4180 CSV of report rows, for the ORPG's periodic reviews [GG2.GP8 sp3]: a header row
 * from the first row's keys, then one record per row (keys missing from a row and null
 * values give empty fields), CRLF after every record. No rows give ''. Text beginning with
 * `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`, so a spreadsheet does not run it.
 */
export function toCsv(rows: readonly CsvRow[]): string {
  const first = rows[0];
  if (!first) return '';
  const columns = Object.keys(first);
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return lines.map((line) => `${line}\r\n`).join('');
}

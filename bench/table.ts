// The benchmark's text output: numbers formatted for a table, and the table itself.

export const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
export const pad = (s: string, w: number, right = false): string => (right ? s.padStart(w) : s.padEnd(w));

/** Columns from `rightFrom` on are right-aligned (numbers). */
export function printTable(header: string[], rows: string[][], rightFrom = 1): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i], i >= rightFrom)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

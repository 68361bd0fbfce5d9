/** Short number for tables and console lines: 4 significant digits; NaN/Infinity as words; — when absent. */
export function formatMetric(value: number | undefined): string {
  if (value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  return Number.parseFloat(value.toPrecision(4)).toString();
}

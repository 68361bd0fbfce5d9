/**
 * Twelve colours far apart from one another (Tableau 10 plus two), one per third of a decade of
 * learning rate, so 0.1, 0.2 and 0.5 differ, and 1 and 10 differ (three steps apart).
 */
export const rateColorPalette: readonly string[] = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#6b6ecf',
  '#17becf',
  '#7f7f7f',
];

/**
 * The colour of a learning rate in every chart, whatever else is plotted with it: the palette
 * entry of round(3 · log10 rate) (thirds of a decade), so a rate keeps its colour across sweeps
 * and panels. Non-positive or non-finite rates get the last (grey) entry.
 */
export function learningRateColor(learningRate: number): string {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) return rateColorPalette[11] as string;
  const step = Math.round(3 * Math.log10(learningRate));
  const index = ((step % 11) + 11) % 11;
  return rateColorPalette[index] as string;
}

/**
 * Colours of racers in race charts and animations, in order (Vega's `tableau10`, the Vega-Lite
 * default), so the static chart and the animation agree.
 */
export const racePalette: readonly string[] = [
  '#4c78a8',
  '#f58518',
  '#e45756',
  '#72b7b2',
  '#54a24b',
  '#eeca3b',
  '#b279a2',
  '#ff9da6',
  '#9d755d',
  '#bab0ac',
];

import { racePalette } from '@contour/metrics-logger';
import { type ContourOptions, contourLines } from './contour-lines.js';
import type { RaceResult } from './race.js';

/** Options of raceAnimationHtml. */
export interface RaceAnimationOptions extends ContourOptions {
  readonly title?: string;
  /** Plot width in pixels (default 560). */
  readonly width?: number;
  /** Seconds a full replay takes at 1× speed (default 10). */
  readonly durationSeconds?: number;
}

const margin = 36;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function round(value: number): number {
  // Far-away points (diverging runs) are clamped so coordinates stay printable; the plot clips them.
  return Math.round(Math.max(-1e6, Math.min(1e6, value)) * 100) / 100;
}

/**
 * A self-contained HTML page (inline SVG and a small script, no external files) that replays a
 * race: contour lines of the surface, minima and saddle points, the start, and each trajectory
 * drawn step by step with a moving head; play/pause, a step slider, speed, and a live table of
 * f at the current step.
 */
export function raceAnimationHtml(result: RaceResult, options: RaceAnimationOptions = {}): string {
  const { surface } = result;
  const width = options.width ?? 560;
  const [xMin, xMax] = surface.domain.x;
  const [yMin, yMax] = surface.domain.y;
  const height = Math.round((width * (yMax - yMin)) / (xMax - xMin));
  const toScreenX = (x: number) => margin + ((x - xMin) / (xMax - xMin)) * width;
  const toScreenY = (y: number) => margin + ((yMax - y) / (yMax - yMin)) * height;
  const contours = contourLines(surface, options);
  const levelPaths = contours.levels.map((_, levelIndex) => {
    const d = contours.polylines
      .filter((polyline) => polyline.levelIndex === levelIndex)
      .map(
        (polyline) =>
          `M${polyline.points.map(([x, y]) => `${round(toScreenX(x))} ${round(toScreenY(y))}`).join('L')}`,
      )
      .join('');
    const shade = Math.round(107 + (110 * levelIndex) / Math.max(1, contours.levels.length - 1));
    return d === ''
      ? ''
      : `<path d="${d}" stroke="rgb(${shade},${shade},${shade})" stroke-width="0.8" fill="none"/>`;
  });
  const marker = (x: number, y: number, kind: 'minimum' | 'saddle') => {
    const sx = round(toScreenX(x));
    const sy = round(toScreenY(y));
    const shape =
      kind === 'minimum'
        ? `M${sx} ${sy - 7}L${sx + 7} ${sy}L${sx} ${sy + 7}L${sx - 7} ${sy}Z`
        : `M${sx} ${sy - 7}L${sx + 7} ${sy + 6}L${sx - 7} ${sy + 6}Z`;
    return `<path d="${shape}" fill="#d62728" stroke="white"><title>${kind} (${x}, ${y})</title></path>`;
  };
  const data = {
    steps: result.steps,
    durationSeconds: options.durationSeconds ?? 10,
    racers: result.trajectories.map((trajectory, index) => ({
      label: trajectory.label,
      color: racePalette[index % racePalette.length],
      divergedAtStep: trajectory.divergedAtStep,
      screen: trajectory.points.map(([x, y]) => [round(toScreenX(x)), round(toScreenY(y))]),
      values: trajectory.values.map((value) => Number(value.toPrecision(6))),
    })),
  };
  const title =
    options.title ??
    `${surface.name}: ${surface.formula}, ${result.steps} steps from (${result.start.join(', ')})`;
  const svgWidth = width + 2 * margin;
  const svgHeight = height + 2 * margin;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgWidth}" height="${svgHeight}" viewBox="0 0 ${svgWidth} ${svgHeight}" role="img" aria-label="${escapeHtml(title)}">`,
    `<defs><clipPath id="plot"><rect x="${margin}" y="${margin}" width="${width}" height="${height}"/></clipPath></defs>`,
    `<rect width="${svgWidth}" height="${svgHeight}" fill="white"/>`,
    `<g clip-path="url(#plot)">${levelPaths.join('')}`,
    ...surface.minima.map(([x, y]) => marker(x, y, 'minimum')),
    ...surface.saddlePoints.map(([x, y]) => marker(x, y, 'saddle')),
    ...data.racers.map(
      (racer, index) =>
        `<polyline id="path-${index}" fill="none" stroke="${racer.color}" stroke-width="2" stroke-linejoin="round" points=""/>`,
    ),
    `<circle cx="${round(toScreenX(result.start[0]))}" cy="${round(toScreenY(result.start[1]))}" r="4" fill="black"/>`,
    ...data.racers.map(
      (racer, index) =>
        `<circle id="head-${index}" r="4.5" fill="${racer.color}" stroke="white" stroke-width="1"/>`,
    ),
    '</g>',
    `<rect x="${margin}" y="${margin}" width="${width}" height="${height}" fill="none" stroke="#888"/>`,
    `<text x="${margin}" y="${margin + height + 16}" font-size="11" font-family="sans-serif">${xMin}</text>`,
    `<text x="${margin + width}" y="${margin + height + 16}" font-size="11" font-family="sans-serif" text-anchor="end">${xMax}</text>`,
    `<text x="${margin - 6}" y="${margin + height}" font-size="11" font-family="sans-serif" text-anchor="end">${yMin}</text>`,
    `<text x="${margin - 6}" y="${margin + 10}" font-size="11" font-family="sans-serif" text-anchor="end">${yMax}</text>`,
    `<text x="${margin + width / 2}" y="${margin + height + 28}" font-size="12" font-family="sans-serif" text-anchor="middle">x</text>`,
    `<text x="${margin - 22}" y="${margin + height / 2}" font-size="12" font-family="sans-serif" text-anchor="middle">y</text>`,
    '</svg>',
  ].join('\n');
  const rows = data.racers
    .map(
      (racer, index) =>
        `<tr><td><span class="swatch" style="background:${racer.color}"></span>${escapeHtml(racer.label)}</td><td id="value-${index}"></td><td id="status-${index}"></td></tr>`,
    )
    .join('\n');
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: sans-serif; margin: 16px; color: #222; }
h1 { font-size: 15px; font-weight: 600; }
.controls { margin: 8px 0; display: flex; gap: 12px; align-items: center; }
table { border-collapse: collapse; font-size: 13px; }
td, th { padding: 2px 10px 2px 0; text-align: left; }
td:nth-child(2) { font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: middle; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${svg}
<div class="controls">
<button id="play" type="button">Pause</button>
<input id="step" type="range" min="0" max="${result.steps}" value="0" aria-label="step">
<span id="step-label">step 0 / ${result.steps}</span>
<label>speed <select id="speed"><option value="0.25">¼×</option><option value="0.5">½×</option><option value="1" selected>1×</option><option value="2">2×</option><option value="4">4×</option></select></label>
</div>
<table><thead><tr><th>optimizer</th><th>f at this step</th><th></th></tr></thead><tbody>
${rows}
</tbody></table>
<script type="application/json" id="race-data">${json}</script>
<script>
(() => {
  const data = JSON.parse(document.getElementById('race-data').textContent);
  const slider = document.getElementById('step');
  const label = document.getElementById('step-label');
  const button = document.getElementById('play');
  const speed = document.getElementById('speed');
  let position = 0;
  let playing = true;
  let last = null;
  function draw(step) {
    slider.value = String(step);
    label.textContent = 'step ' + step + ' / ' + data.steps;
    data.racers.forEach((racer, index) => {
      const points = racer.screen.slice(0, step + 1);
      document.getElementById('path-' + index).setAttribute('points', points.map((p) => p[0] + ',' + p[1]).join(' '));
      const head = points[points.length - 1];
      const circle = document.getElementById('head-' + index);
      circle.setAttribute('cx', head[0]);
      circle.setAttribute('cy', head[1]);
      document.getElementById('value-' + index).textContent = String(racer.values[step]);
      const diverged = racer.divergedAtStep !== null && step > racer.divergedAtStep;
      document.getElementById('status-' + index).textContent = diverged ? 'diverged at step ' + racer.divergedAtStep : '';
    });
  }
  function frame(time) {
    if (playing) {
      if (last !== null) position += ((time - last) / 1000) * (data.steps / data.durationSeconds) * Number(speed.value);
      if (position >= data.steps) { position = data.steps; playing = false; button.textContent = 'Replay'; }
      draw(Math.floor(position));
    }
    last = time;
    requestAnimationFrame(frame);
  }
  button.addEventListener('click', () => {
    if (!playing && position >= data.steps) position = 0;
    playing = !playing;
    button.textContent = playing ? 'Pause' : 'Play';
  });
  slider.addEventListener('input', () => { playing = false; button.textContent = 'Play'; position = Number(slider.value); draw(position); });
  draw(0);
  requestAnimationFrame(frame);
})();
</script>
</body>
</html>
`;
}

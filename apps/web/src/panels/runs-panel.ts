import {
  classicGridSpec,
  findings,
  learningRateColor,
  type MetricsRecord,
  runCurves,
  serializeRecord,
  summarizeRun,
} from '@contour/metrics-logger';
import { html, nothing } from 'lit';
import { downloadFile, errorMessage } from '../components/download.js';
import { LightElement } from '../components/light-element.js';
import '../components/vega-chart.js';
import { droppedFiles, inputFile } from '../runs/dropped-files.js';
import {
  type InputFile,
  importedRunLabel,
  importRunFiles,
  runFolderName,
  runIdentity,
  runsArchive,
} from '../runs/run-files.js';
import type { StoredRun } from '../state/app-store.js';
import type { RunLibrary } from '../state/run-library.js';

function format(value: number | undefined): string {
  if (value === undefined) return '—';
  return Number.isFinite(value) ? value.toPrecision(4) : String(value);
}

/** Legend labels made unique (a run's label, then its source when two runs share one). */
export function overlayLabels(runs: readonly StoredRun[]): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) counts.set(run.label, (counts.get(run.label) ?? 0) + 1);
  const used = new Set<string>();
  return runs.map((run) => {
    let label = (counts.get(run.label) ?? 0) > 1 ? `${run.label} (${run.source})` : run.label;
    for (let copy = 2; used.has(label); copy += 1) label = `${run.label} #${copy}`;
    used.add(label);
    return label;
  });
}

/**
 * The Runs panel: load `metrics.jsonl` files, run folders and sweep folders exported by the CLI
 * (or `.tar` archives this app exports), overlay them with the browser's own runs in the CLI's
 * classic loss-per-epoch figure, and export runs as run folders in the same format.
 */
/** A run's constant learning rate, from its run-start record's config (`training.optimizer.lr`). */
function constantRate(records: readonly MetricsRecord[]): number | undefined {
  const start = records.find((record) => record.kind === 'run-start');
  const config =
    start?.kind === 'run-start'
      ? (start.config as { training?: { optimizer?: { lr?: unknown } } })
      : undefined;
  const rate = config?.training?.optimizer?.lr;
  return typeof rate === 'number' ? rate : undefined;
}

/**
 * A run's status cell: "collapsed" (red, as "diverged" is) when metrics-logger's findings say the
 * loss spiked and then sat at chance — a status of "finished" would hide it — with the finding as
 * its description; otherwise the stored status, and why a failed run failed (as `contour report`
 * shows it: `failed: no space left on …`).
 */
function statusCell(run: StoredRun) {
  const collapsed = findings(run.records).find((finding) => finding.kind === 'collapsed');
  if (!collapsed || run.status !== 'finished')
    return html`<td class=${`status-${run.status}`}>${run.status}${
      run.statusMessage === undefined ? '' : html`<span class="status-message">: ${run.statusMessage}</span>`
    }</td>`;
  return html`<td class="status-collapsed" title=${collapsed.evidence}>
    collapsed<span class="visually-hidden">: ${collapsed.message}</span>
  </td>`;
}

/** Colours by rate (as in the sweep lab) when every shown run has a constant rate; else none. */
function rateColors(
  runs: readonly { readonly records: readonly MetricsRecord[] }[],
  labels: readonly string[],
) {
  const rates = runs.map((run) => constantRate(run.records));
  if (rates.some((rate) => rate === undefined)) return {};
  return {
    colors: Object.fromEntries(
      labels.map((label, index) => [label, learningRateColor(rates[index] as number)]),
    ),
  };
}

export class RunsPanel extends LightElement {
  static override properties = {
    library: { attribute: false },
    message: { state: true },
    problems: { state: true },
  };
  declare library: RunLibrary | undefined;
  declare message: string;
  declare problems: string[];
  #observed: RunLibrary | undefined;
  readonly #onChange = () => this.requestUpdate();

  constructor() {
    super();
    this.message = '';
    this.problems = [];
  }

  protected override willUpdate(): void {
    if (this.library !== this.#observed) {
      this.#observed?.removeEventListener('change', this.#onChange);
      this.library?.addEventListener('change', this.#onChange);
      this.#observed = this.library;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observed?.removeEventListener('change', this.#onChange);
    this.#observed = undefined;
  }

  async #import(files: readonly InputFile[]): Promise<void> {
    const library = this.library;
    if (!library || files.length === 0) return;
    this.message = `Reading ${files.length} file${files.length === 1 ? '' : 's'}…`;
    try {
      const result = await importRunFiles(files);
      const storedAt = new Date().toISOString();
      const runs: StoredRun[] = [];
      const known = new Map(library.runs.map((run) => [runIdentity(run, run.id), run.label]));
      const duplicates: string[] = [];
      for (const run of result.runs) {
        const identity = runIdentity(run, run.runId);
        const already = known.get(identity);
        if (already !== undefined) {
          duplicates.push(already);
          continue;
        }
        known.set(identity, importedRunLabel(run));
        runs.push({
          id: library.uniqueId(`imported:${run.runId}`),
          label: importedRunLabel(run),
          origin: 'imported',
          source: run.folder,
          storedAt,
          status: run.status,
          ...(run.statusMessage === undefined ? {} : { statusMessage: run.statusMessage }),
          records: run.records,
          config: run.config,
          visible: true,
        });
      }
      await library.put(runs);
      this.problems = result.problems;
      const torn = result.runs.filter((run) => run.tornLastLine).length;
      this.message = `Imported ${runs.length} run${runs.length === 1 ? '' : 's'}${torn > 0 ? ` (${torn} with a torn last line, dropped)` : ''}.${duplicates.length > 0 ? ` Already here, not added again: ${duplicates.join(', ')}.` : ''}`;
    } catch (error) {
      this.message = '';
      this.problems = [errorMessage(error)];
    }
  }

  #export(runs: readonly StoredRun[], name: string): void {
    if (runs.length === 0) return;
    downloadFile(`${name}.tar`, runsArchive(runs) as Uint8Array<ArrayBuffer>, 'application/x-tar');
  }

  protected override render() {
    const runs = this.library?.runs ?? [];
    const visible = runs.filter((run) => run.visible);
    const labels = overlayLabels(visible);
    const spec =
      visible.length > 0
        ? classicGridSpec(
            visible.map((run, index) => runCurves(labels[index] as string, run.records)),
            {
              title: 'Runs overlaid (training solid, validation dashed)',
              logY: 'auto',
              ...rateColors(visible, labels),
            },
          )
        : undefined;
    return html`<section class="panel-grid" aria-labelledby="runs-heading">
      <div class="panel-column">
        <h2 id="runs-heading">Runs</h2>
        <p class="lede">
          Load what <code>contour train</code> / <code>contour sweep</code> wrote (a run folder, a sweep folder, a
          <code>metrics.jsonl</code>) or a <code>.tar</code> exported here, and overlay it with the runs trained in this
          browser. Everything is kept in this browser (IndexedDB) until you delete it.
        </p>
        <div
          class="drop-zone"
          @dragover=${(event: DragEvent) => {
            event.preventDefault();
            (event.currentTarget as HTMLElement).classList.add('dragging');
          }}
          @dragleave=${(event: DragEvent) => (event.currentTarget as HTMLElement).classList.remove('dragging')}
          @drop=${async (event: DragEvent) => {
            event.preventDefault();
            (event.currentTarget as HTMLElement).classList.remove('dragging');
            if (event.dataTransfer) await this.#import(await droppedFiles(event.dataTransfer));
          }}
        >
          <div class="button-row">
            <label class="button" for="runs-files">Open files…</label>
            <input
              id="runs-files"
              class="visually-hidden"
              type="file"
              multiple
              accept=".jsonl,.json,.tar,application/x-tar,application/json"
              @change=${(event: Event) => {
                const input = event.target as HTMLInputElement;
                void this.#import([...(input.files ?? [])].map((file) => inputFile(file)));
                input.value = '';
              }}
            />
            <label class="button" for="runs-folder">Open a run or sweep folder…</label>
            <input
              id="runs-folder"
              class="visually-hidden"
              type="file"
              webkitdirectory
              @change=${(event: Event) => {
                const input = event.target as HTMLInputElement;
                void this.#import([...(input.files ?? [])].map((file) => inputFile(file)));
                input.value = '';
              }}
            />
          </div>
          <p>or drop files and folders here</p>
        </div>
        <p class="status" role="status" id="runs-status">${this.message}</p>
        ${
          this.problems.length > 0
            ? html`<ul class="error" role="alert" id="runs-problems">
                ${this.problems.map((problem) => html`<li>${problem}</li>`)}
              </ul>`
            : nothing
        }
        <div class="button-row">
          <button type="button" ?disabled=${visible.length === 0} @click=${() => this.#export(visible, 'contour-runs')}>
            Export shown runs (.tar)
          </button>
          <button
            type="button"
            ?disabled=${runs.length === 0}
            @click=${() => {
              if (confirm(`Delete all ${runs.length} runs from this browser?`)) void this.library?.clear();
            }}
          >
            Delete all
          </button>
        </div>
      </div>
      <div class="panel-column">
        ${
          runs.length === 0
            ? html`<p class="status">No runs yet: train a sweep in the Sweep lab, or open a CLI run.</p>`
            : html`<div class="table-scroll">
                <table class="data-table" id="runs-table">
                  <caption class="visually-hidden">Stored runs</caption>
                  <thead>
                    <tr>
                      <th scope="col">show</th>
                      <th scope="col">run</th>
                      <th scope="col">from</th>
                      <th scope="col">status</th>
                      <th scope="col">epochs</th>
                      <th scope="col">val CE</th>
                      <th scope="col">best val error</th>
                      <th scope="col"><span class="visually-hidden">actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${runs.map((run) => {
                      const summary = summarizeRun(run.records);
                      const best = summary.bestValidationError;
                      return html`<tr data-run-id=${run.id}>
                        <td>
                          <input
                            type="checkbox"
                            aria-label=${`Show ${run.label} (${run.source})`}
                            .checked=${run.visible}
                            @change=${(event: Event) => void this.library?.setVisible(run.id, (event.target as HTMLInputElement).checked)}
                          />
                        </td>
                        <th scope="row">${run.label}</th>
                        <td>${run.origin === 'browser' ? `browser · ${run.source}` : `imported · ${run.source}`}</td>
                        ${statusCell(run)}
                        <td>${summary.epochs}</td>
                        <td>${format(summary.final.validation?.crossEntropy)}</td>
                        <td>${best ? `${(100 * best.value).toFixed(2)} % (${best.epoch})` : '—'}</td>
                        <td class="row-actions">
                          <button type="button" aria-label=${`.tar: export ${run.label} as a run folder`} @click=${() => this.#export([run], runFolderName(run))}>.tar</button>
                          <button
                            type="button"
                            aria-label=${`.jsonl: download metrics.jsonl of ${run.label}`}
                            @click=${() => downloadFile(`${runFolderName(run)}.metrics.jsonl`, run.records.map((record) => serializeRecord(record)).join(''), 'application/x-ndjson')}
                          >
                            .jsonl
                          </button>
                          <button type="button" aria-label=${`Delete ${run.label}`} @click=${() => void this.library?.remove(run.id)}>Delete</button>
                        </td>
                      </tr>`;
                    })}
                  </tbody>
                </table>
              </div>`
        }
        <contour-chart id="runs-chart" label="Shown runs: cross entropy and classification error per epoch" .spec=${spec}></contour-chart>
      </div>
    </section>`;
  }
}

customElements.define('runs-panel', RunsPanel);

import type { AppStore, StoredRun } from './app-store.js';

/**
 * The runs the app shows, shared by the sweep lab (which adds browser runs) and the Runs panel
 * (which imports, overlays, exports and deletes them). Mirrors every change to IndexedDB when a
 * store is attached; dispatches `change` after each one.
 */
export class RunLibrary extends EventTarget {
  #runs: StoredRun[] = [];
  #store: AppStore | undefined;

  /** The runs, oldest first. */
  get runs(): readonly StoredRun[] {
    return this.#runs;
  }

  /** Loads the stored runs and mirrors later changes to `store`. */
  async attach(store: AppStore): Promise<void> {
    this.#store = store;
    const stored = await store.listRuns();
    const known = new Set(stored.map((run) => run.id));
    this.#runs = [...stored, ...this.#runs.filter((run) => !known.has(run.id))];
    this.#changed();
  }

  /** An id not used yet, based on `id`. */
  uniqueId(id: string): string {
    const used = new Set(this.#runs.map((run) => run.id));
    let candidate = id;
    for (let copy = 2; used.has(candidate); copy += 1) candidate = `${id}~${copy}`;
    return candidate;
  }

  /** Adds runs (or replaces runs with the same id). */
  async put(runs: readonly StoredRun[]): Promise<void> {
    const ids = new Set(runs.map((run) => run.id));
    this.#runs = [...this.#runs.filter((run) => !ids.has(run.id)), ...runs];
    this.#changed();
    await this.#store?.putRuns(runs);
  }

  async setVisible(id: string, visible: boolean): Promise<void> {
    const run = this.#runs.find((candidate) => candidate.id === id);
    if (run) await this.put([{ ...run, visible }]);
  }

  async remove(id: string): Promise<void> {
    this.#runs = this.#runs.filter((run) => run.id !== id);
    this.#changed();
    await this.#store?.deleteRun(id);
  }

  async clear(): Promise<void> {
    this.#runs = [];
    this.#changed();
    await this.#store?.clearRuns();
  }

  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }
}

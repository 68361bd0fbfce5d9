import type { MetricsRecord, RunStatus } from '@contour/metrics-logger';
import type { SharedState } from './url-state.js';

/** A run the app keeps: trained in this browser, or imported from the CLI's output. */
export interface StoredRun {
  /** Unique key: the run id of its run-start record, suffixed when an import would clash. */
  readonly id: string;
  /** Legend label, e.g. `lr=0.1`. */
  readonly label: string;
  readonly origin: 'browser' | 'imported';
  /** Where it came from: a sweep id, or the imported files' names. */
  readonly source: string;
  /** ISO 8601 time it was stored. */
  readonly storedAt: string;
  readonly status: RunStatus;
  /** Why it failed (`status.json`'s message, e.g. `no space left on …/metrics.jsonl`), when known. */
  readonly statusMessage?: string;
  /** The run's `metrics.jsonl` records (NaN and ±Infinity kept). */
  readonly records: readonly MetricsRecord[];
  /** The run's `config.json`, when known. */
  readonly config?: unknown;
  /** Hash of the run config (as `@contour/core`'s `configHash`), when trained here. */
  readonly configHash?: string;
  /** Shown in the Runs overlay. */
  readonly visible: boolean;
}

const runsStore = 'runs';
const settingsStore = 'settings';
const settingsKey = 'app-state';

function request<T>(operation: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    operation.onsuccess = () => resolve(operation.result);
    operation.onerror = () => reject(operation.error ?? new Error('IndexedDB request failed'));
  });
}

function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
  });
}

/**
 * The app's persistent state in IndexedDB: runs (browser-trained and imported) and the last
 * settings of every panel, so a reload brings everything back.
 */
export class AppStore {
  readonly #database: IDBDatabase;

  private constructor(database: IDBDatabase) {
    this.#database = database;
  }

  /** Opens (creating or upgrading) the database `name` of `factory` (default: the page's IndexedDB). */
  static async open(name = 'contour-web', factory: IDBFactory = indexedDB): Promise<AppStore> {
    const opening = factory.open(name, 1);
    opening.onupgradeneeded = () => {
      const database = opening.result;
      if (!database.objectStoreNames.contains(runsStore))
        database.createObjectStore(runsStore, { keyPath: 'id' });
      if (!database.objectStoreNames.contains(settingsStore)) database.createObjectStore(settingsStore);
    };
    return new AppStore(await request(opening));
  }

  async #write(store: string, action: (objects: IDBObjectStore) => void): Promise<void> {
    const transaction = this.#database.transaction(store, 'readwrite');
    action(transaction.objectStore(store));
    await transactionDone(transaction);
  }

  /** Adds or replaces runs (by id) in one transaction. */
  putRuns(runs: readonly StoredRun[]): Promise<void> {
    return this.#write(runsStore, (objects) => {
      for (const run of runs) objects.put(run);
    });
  }

  /** Every stored run, oldest first. */
  async listRuns(): Promise<StoredRun[]> {
    const transaction = this.#database.transaction(runsStore, 'readonly');
    const runs = await request(transaction.objectStore(runsStore).getAll() as IDBRequest<StoredRun[]>);
    return runs.sort((a, b) => (a.storedAt < b.storedAt ? -1 : a.storedAt > b.storedAt ? 1 : 0));
  }

  deleteRun(id: string): Promise<void> {
    return this.#write(runsStore, (objects) => objects.delete(id));
  }

  clearRuns(): Promise<void> {
    return this.#write(runsStore, (objects) => objects.clear());
  }

  /** Saves the panels' settings (what the URL would carry). */
  saveSettings(state: SharedState): Promise<void> {
    return this.#write(settingsStore, (objects) => objects.put(structuredClone(state), settingsKey));
  }

  async loadSettings(): Promise<SharedState | undefined> {
    const transaction = this.#database.transaction(settingsStore, 'readonly');
    return (await request(transaction.objectStore(settingsStore).get(settingsKey))) as
      | SharedState
      | undefined;
  }

  close(): void {
    this.#database.close();
  }
}

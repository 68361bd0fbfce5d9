import type { BackendSelection } from '@contour/backends';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { LabWorker } from '../worker/lab-client.js';
import { controlState, type WorkerReply, type WorkerRequest } from '../worker/protocol.js';

/** Where a panel's work stands: `paused` only for work that can pause (sweeps under isolation). */
export type LabPhase = 'idle' | 'running' | 'paused' | 'stopping';

/** What a panel tells its {@link LabRunController}. */
export interface LabRunOptions {
  /** Name of the panel's worker (shown in the browser's dev tools). */
  readonly workerName: string;
  /** Status line after a worker error, e.g. `The sweep stopped with an error.` */
  readonly errorMessage: string;
  /** The data line for the worker's `data` reply. */
  readonly describeData: (data: Extract<WorkerReply, { type: 'data' }>) => string;
  /** Every other reply (records, trials, range-test points, results…), and errors after they are shown. */
  readonly onReply: (reply: WorkerReply) => void;
}

/**
 * The state every training panel shares, as a Lit reactive controller: the panel's own worker, the
 * phase (idle / running / paused / stopping), the status line, the error line, the backend chosen
 * and the data loaded, and the pause/stop control word. It handles the worker's common replies
 * (status, backend, data, error) and hands the others to the panel; the host re-renders on every
 * change.
 */
export class LabRunController implements ReactiveController {
  phase: LabPhase = 'idle';
  message = 'Ready.';
  errorText = '';
  backend: BackendSelection | undefined;
  dataInfo = '';
  /** Field the last worker error names (`optimizer`, `schedule`…), when it names one. */
  errorField: string | undefined;
  readonly #host: ReactiveControllerHost;
  readonly #options: LabRunOptions;
  #worker: LabWorker | undefined;
  #control: Int32Array | undefined;

  constructor(host: ReactiveControllerHost, options: LabRunOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }

  /** True while the worker works (running, paused or stopping). */
  get busy(): boolean {
    return this.phase !== 'idle';
  }

  /** True when the running work can be paused (a shared control word exists). */
  get pausable(): boolean {
    return this.#control !== undefined;
  }

  /** Shows an error (the worker's or the form's); `field` names the form field it is about. */
  fail(message: string, field?: string): void {
    this.errorText = message;
    this.errorField = field;
    this.#host.requestUpdate();
  }

  /** Clears the error line. */
  clearError(): void {
    this.errorText = '';
    this.errorField = undefined;
    this.#host.requestUpdate();
  }

  /**
   * Sends work to the worker (created on first use) and enters `running`. With `pausable`, a
   * shared control word goes with it when the page is cross-origin isolated.
   */
  start(request: WorkerRequest, { pausable = false, message = 'Starting…' } = {}): void {
    const shared = pausable && globalThis.crossOriginIsolated ? new SharedArrayBuffer(4) : undefined;
    this.#control = shared ? new Int32Array(shared) : undefined;
    this.errorText = '';
    this.errorField = undefined;
    this.backend = undefined;
    this.dataInfo = '';
    this.phase = 'running';
    this.message = message;
    this.#worker ??= new LabWorker((reply) => this.#onReply(reply), this.#options.workerName);
    this.#worker.send(shared && request.type === 'sweep' ? { ...request, control: shared } : request);
    this.#host.requestUpdate();
  }

  /** Pauses or resumes: the worker blocks after its current step (never the page). */
  togglePause(): void {
    const control = this.#control;
    if (!control || this.phase === 'idle' || this.phase === 'stopping') return;
    const next = this.phase === 'paused' ? controlState.running : controlState.paused;
    Atomics.store(control, 0, next);
    Atomics.notify(control, 0);
    this.phase = next === controlState.paused ? 'paused' : 'running';
    this.message = this.phase === 'paused' ? 'Paused (the worker waits after its current step).' : 'Resumed.';
    this.#host.requestUpdate();
  }

  /** Asks the worker to stop after its current step; `message` says what happens meanwhile. */
  stop(message: string): void {
    if (this.#control) {
      Atomics.store(this.#control, 0, controlState.stopping);
      Atomics.notify(this.#control, 0);
    }
    this.#worker?.send({ type: 'stop' });
    this.phase = 'stopping';
    this.message = message;
    this.#host.requestUpdate();
  }

  /** The work is over: back to `idle` with a closing status line. */
  finish(message: string): void {
    this.phase = 'idle';
    this.message = message;
    this.#host.requestUpdate();
  }

  /** Replaces the status line. */
  say(message: string): void {
    this.message = message;
    this.#host.requestUpdate();
  }

  #onReply(reply: WorkerReply): void {
    switch (reply.type) {
      case 'status':
        this.message = reply.message;
        break;
      case 'backend':
        this.backend = reply.selection;
        break;
      case 'data':
        this.dataInfo = this.#options.describeData(reply);
        break;
      case 'error':
        this.phase = 'idle';
        this.errorText = reply.message;
        this.errorField = reply.field;
        this.message = this.#options.errorMessage;
        // The panel may mark the field the error names.
        this.#options.onReply(reply);
        break;
      default:
        this.#options.onReply(reply);
    }
    this.#host.requestUpdate();
  }
}

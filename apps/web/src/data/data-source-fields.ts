import { html, nothing } from 'lit';
import type { DataChoice, WorkerReply } from '../worker/protocol.js';
import type { IdxAssignment } from './idx-files.js';

/** Which data a panel trains on: the embedded sample or the user's own IDX files. */
export type DataKind = 'embedded' | 'files';

/**
 * The worker's data choice for a panel's selection, or a one-line message saying which of the
 * four IDX files are still missing.
 */
export function dataChoiceOf(
  dataKind: DataKind,
  userFiles: IdxAssignment<File> | undefined,
): DataChoice | string {
  if (dataKind === 'embedded') return { kind: 'embedded', baseUrl: new URL('./', document.baseURI).href };
  const files = userFiles?.files;
  if (!files) {
    return `Choose four IDX files (train/t10k images and labels); missing: ${(userFiles?.missing ?? ['trainImages', 'trainLabels', 'testImages', 'testLabels']).join(', ')}`;
  }
  return { kind: 'files', files };
}

/**
 * What the loaded data is, as both panels show it: classes and image size come from the files
 * (26 letters, 14×14 images…), so a chance level of 1 − 1/K can be read off.
 */
export function describeLoadedData(data: Extract<WorkerReply, { type: 'data' }>): string {
  const [rows, columns] = data.imageShape;
  return `${data.classCount} classes of ${rows}×${columns} images`;
}

/** What the shared data controls show and call back. */
export interface DataSourceFieldsOptions {
  /** Prefix of the element ids (`''` → `data-embedded`, `range-` → `range-data-embedded`). */
  readonly idPrefix: string;
  readonly dataKind: DataKind;
  readonly userFiles: IdxAssignment<File> | undefined;
  readonly embeddedLabel: string;
  readonly dropText: string;
  /** List the picked files that are not one of the four IDX roles. */
  readonly showIgnored: boolean;
  readonly onKind: (kind: DataKind) => void;
  readonly onFiles: (files: FileList | null | undefined) => void;
}

/** Marks a drop zone while files are dragged over it and hands dropped files to `onFiles`. */
export function dropZoneEvents(onFiles: (files: FileList | null | undefined) => void) {
  return {
    dragover: (event: DragEvent) => {
      event.preventDefault();
      (event.currentTarget as HTMLElement).classList.add('dragging');
    },
    dragleave: (event: DragEvent) => (event.currentTarget as HTMLElement).classList.remove('dragging'),
    drop: (event: DragEvent) => {
      event.preventDefault();
      (event.currentTarget as HTMLElement).classList.remove('dragging');
      onFiles(event.dataTransfer?.files);
    },
  };
}

/**
 * The data controls the sweep lab and the range test share: embedded sample or own IDX files (file
 * picker and drop zone, parsed later in the worker), with the picked files' status.
 */
export function dataSourceFields(options: DataSourceFieldsOptions) {
  const { idPrefix, dataKind, userFiles } = options;
  const drop = dropZoneEvents(options.onFiles);
  return html`<div class="field field-inline">
      <input id="${idPrefix}data-embedded" type="radio" name="${idPrefix}data" value="embedded" .checked=${dataKind === 'embedded'} @change=${() =>
        options.onKind('embedded')} />
      <label for="${idPrefix}data-embedded">${options.embeddedLabel}</label>
    </div>
    <div class="field field-inline">
      <input id="${idPrefix}data-files" type="radio" name="${idPrefix}data" value="files" .checked=${dataKind === 'files'} @change=${() =>
        options.onKind('files')} />
      <label for="${idPrefix}data-files">My IDX files</label>
    </div>
    <div class="drop-zone" @dragover=${drop.dragover} @dragleave=${drop.dragleave} @drop=${drop.drop}>
      <label class="button" for="${idPrefix}idx-files">Choose IDX files…</label>
      <input
        id="${idPrefix}idx-files"
        class="visually-hidden"
        type="file"
        multiple
        accept=".gz,.idx1-ubyte,.idx3-ubyte,application/gzip,application/octet-stream"
        @change=${(event: Event) => options.onFiles((event.target as HTMLInputElement).files)}
      />
      <p>${options.dropText}</p>
      ${
        userFiles
          ? html`<p id="${idPrefix}idx-files-status" role="status">
              ${
                userFiles.files
                  ? `Ready: ${Object.values(userFiles.files)
                      .map((file) => file.name)
                      .join(', ')}`
                  : `Missing: ${userFiles.missing.join(', ')}`
              }
              ${options.showIgnored && userFiles.ignored.length > 0 ? ` (ignored: ${userFiles.ignored.map((file) => file.name).join(', ')})` : ''}
            </p>`
          : nothing
      }
    </div>`;
}

import type { InputFile } from './run-files.js';

/** An `InputFile` over a browser `File` at `path`. */
export function inputFile(file: File, path = file.webkitRelativePath || file.name): InputFile {
  return { path, size: file.size, bytes: async () => new Uint8Array(await file.arrayBuffer()) };
}

function readDirectory(directory: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = directory.createReader();
  const entries: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(entries);
        else {
          entries.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function collect(entry: FileSystemEntry, files: InputFile[], budget: { count: number }): Promise<void> {
  if (budget.count <= 0) return;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    budget.count -= 1;
    files.push(inputFile(file, entry.fullPath.replace(/^\//, '')));
  } else if (entry.isDirectory) {
    for (const child of await readDirectory(entry as FileSystemDirectoryEntry))
      await collect(child, files, budget);
  }
}

/**
 * The files of a drop, folders included (walked with their relative paths, at most `limit` files),
 * so a dropped run or sweep folder keeps `metrics.jsonl` next to its `config.json`.
 */
export async function droppedFiles(transfer: DataTransfer, limit = 5000): Promise<InputFile[]> {
  const entries = [...transfer.items]
    .map((item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null))
    .filter((entry): entry is FileSystemEntry => entry !== null);
  if (entries.length === 0) return [...transfer.files].map((file) => inputFile(file));
  const files: InputFile[] = [];
  const budget = { count: limit };
  for (const entry of entries) await collect(entry, files, budget);
  return files;
}

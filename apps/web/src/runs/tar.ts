/** One file of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, e.g. `runs/lr=0.1/metrics.jsonl`. */
  readonly path: string;
  readonly content: Uint8Array;
}

const blockSize = 512;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = encoder.encode(text);
  if (bytes.length > length) throw new Error(`tar: "${text}" is longer than ${length} bytes`);
  block.set(bytes, offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeString(block, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

/** Splits a path into ustar's `prefix` (≤ 155 bytes) and `name` (≤ 100 bytes). */
function splitPath(path: string): [prefix: string, name: string] {
  if (encoder.encode(path).length <= 100) return ['', path];
  for (let index = path.indexOf('/'); index !== -1; index = path.indexOf('/', index + 1)) {
    const prefix = path.slice(0, index);
    const name = path.slice(index + 1);
    if (encoder.encode(prefix).length <= 155 && encoder.encode(name).length <= 100) return [prefix, name];
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

/**
 * Writes a POSIX ustar archive of regular files (mode 0644, mtime `time`), readable by `tar -xf`
 * everywhere: how the app exports run folders (`<run>/config.json`, `metrics.jsonl`, …) in one file.
 */
export function createTar(entries: readonly TarEntry[], time = new Date()): Uint8Array {
  const size = entries.reduce(
    (total, entry) => total + blockSize + Math.ceil(entry.content.length / blockSize) * blockSize,
    2 * blockSize,
  );
  const archive = new Uint8Array(size);
  let offset = 0;
  const seconds = Math.floor(time.getTime() / 1000);
  for (const entry of entries) {
    const header = archive.subarray(offset, offset + blockSize);
    const [prefix, name] = splitPath(entry.path);
    writeString(header, 0, 100, name);
    writeOctal(header, 100, 8, 0o644);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeOctal(header, 124, 12, entry.content.length);
    writeOctal(header, 136, 12, seconds);
    header.fill(0x20, 148, 156);
    header[156] = 0x30; // '0': regular file
    writeString(header, 257, 6, 'ustar\0');
    writeString(header, 263, 2, '00');
    writeString(header, 345, 155, prefix);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    writeString(header, 148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
    archive.set(entry.content, offset + blockSize);
    offset += blockSize + Math.ceil(entry.content.length / blockSize) * blockSize;
  }
  return archive;
}

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

/**
 * Reads the regular files of a ustar (or plain POSIX/GNU) tar archive, checking every header's
 * checksum and size against the archive's length. Directories, links and other entries are skipped.
 *
 * @throws Error naming the offset when a header is corrupt or a file runs past the end.
 */
export function readTar(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + blockSize <= archive.length) {
    const header = archive.subarray(offset, offset + blockSize);
    if (header.every((byte) => byte === 0)) break;
    const stored = Number.parseInt(readString(header, 148, 8).trim() || 'NaN', 8);
    let checksum = 0;
    for (let index = 0; index < blockSize; index += 1) {
      checksum += index >= 148 && index < 156 ? 0x20 : (header[index] as number);
    }
    if (stored !== checksum) throw new Error(`tar: corrupt header at byte ${offset} (checksum)`);
    const size = Number.parseInt(readString(header, 124, 12).trim() || '0', 8);
    const type = header[156];
    const name = readString(header, 0, 100);
    const prefix = readString(header, 345, 155);
    const start = offset + blockSize;
    if (!Number.isFinite(size) || size < 0 || start + size > archive.length) {
      throw new Error(`tar: entry "${name}" at byte ${offset} runs past the end of the archive`);
    }
    if (type === 0x30 || type === 0) {
      entries.push({
        path: prefix ? `${prefix}/${name}` : name,
        content: archive.slice(start, start + size),
      });
    }
    offset = start + Math.ceil(size / blockSize) * blockSize;
  }
  return entries;
}

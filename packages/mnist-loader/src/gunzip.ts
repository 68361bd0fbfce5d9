import { IdxDecompressionError } from './mnist-loader-error.js';

/** Default cap on the decompressed size of one IDX file: 512 MiB (full MNIST train images: 47 MB). */
export const defaultMaximumDecompressedBytes = 512 * 1024 * 1024;

/** True when `bytes` starts with the gzip magic 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Thrown by a {@link Gunzip} whose output would exceed the limit it was given. */
export class GunzipLimitExceeded extends Error {
  override readonly name = 'GunzipLimitExceeded';
}

/**
 * A gzip decompressor, pluggable so browsers use `DecompressionStream` and Node uses `node:zlib`
 * (with `maxOutputLength`) through the same parser.
 */
export interface Gunzip {
  /** Decompresses only the first `length` bytes of output (for headers), or fewer if the stream ends. */
  readonly prefix: (compressed: Uint8Array, length: number, file: string) => Promise<Uint8Array>;
  /**
   * Decompresses everything, throwing {@link GunzipLimitExceeded} as soon as the output would exceed
   * `limit` bytes, and {@link IdxDecompressionError} for a truncated or corrupt stream.
   */
  readonly all: (compressed: Uint8Array, limit: number, file: string) => Promise<Uint8Array>;
}

/**
 * Maps a decompressor's error (zlib codes/messages in Node, `TypeError`s in browsers) to an
 * {@link IdxDecompressionError} naming the file and what is wrong.
 */
export function toDecompressionError(error: unknown, file: string): Error {
  if (error instanceof IdxDecompressionError || error instanceof GunzipLimitExceeded) return error;
  // Node 24's DecompressionStream throws a TypeError with an empty message and zlib's in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const message = [error instanceof Error ? error.message : String(error), cause].filter(Boolean).join(': ');
  if (/unexpected end of file|truncated|incomplete/i.test(message)) {
    return new IdxDecompressionError(
      file,
      'gzip stream',
      'complete',
      'a truncated stream (unexpected end of file)',
    );
  }
  if (/incorrect data check|crc/i.test(message)) {
    return new IdxDecompressionError(
      file,
      'gzip CRC-32',
      'the checksum of the decompressed data',
      'a mismatch (corrupt data)',
    );
  }
  if (/incorrect length check/i.test(message)) {
    return new IdxDecompressionError(
      file,
      'gzip length trailer',
      'the decompressed length',
      'a mismatch (corrupt data)',
    );
  }
  if (/junk|trailing|incorrect header check/i.test(message)) {
    return new IdxDecompressionError(
      file,
      'gzip stream',
      'followed by nothing',
      'trailing data that is not a gzip member',
    );
  }
  const firstLine = message.split('\n')[0] ?? message;
  return new IdxDecompressionError(file, 'gzip stream', 'valid deflate data', `corrupt data (${firstLine})`);
}

async function readStream(
  compressed: Uint8Array,
  stop: (total: number) => 'continue' | 'enough' | 'exceeded',
  file: string,
): Promise<{ chunks: Uint8Array[]; total: number; exceeded: boolean }> {
  const source = new Blob([compressed as Uint8Array<ArrayBuffer>]).stream();
  const reader = source.pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { chunks, total, exceeded: false };
      chunks.push(value);
      total += value.length;
      const verdict = stop(total);
      if (verdict !== 'continue') {
        await reader.cancel().catch(() => undefined);
        return { chunks, total, exceeded: verdict === 'exceeded' };
      }
    }
  } catch (error) {
    throw toDecompressionError(error, file);
  }
}

function concatenate(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const output = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    output.set(chunk, offset);
    offset += chunk.length;
  }
  return output;
}

/**
 * {@link Gunzip} on the web-standard `DecompressionStream` (browsers, Deno, Node ≥ 18). The limit is
 * enforced while streaming, so a gzip bomb never materialises beyond `limit` bytes.
 */
export const streamGunzip: Gunzip = {
  prefix: async (compressed, length, file) => {
    const { chunks, total } = await readStream(
      compressed,
      (count) => (count >= length ? 'enough' : 'continue'),
      file,
    );
    return concatenate(chunks, total).subarray(0, length);
  },
  all: async (compressed, limit, file) => {
    const { chunks, total, exceeded } = await readStream(
      compressed,
      (count) => (count > limit ? 'exceeded' : 'continue'),
      file,
    );
    if (exceeded) throw new GunzipLimitExceeded(`${file}: decompressed output exceeds ${limit} bytes`);
    return concatenate(chunks, total);
  },
};

/**
 * Checks the gzip trailer: its last four bytes (ISIZE) must equal the decompressed length modulo
 * 2³². Catches bytes appended after the gzip member, which some decompressors silently ignore.
 *
 * @throws IdxDecompressionError naming the file.
 */
export function checkGzipTrailer(compressed: Uint8Array, decompressedLength: number, file: string): void {
  if (compressed.length < 18) {
    throw new IdxDecompressionError(file, 'gzip stream', 'at least 18 bytes', `${compressed.length} bytes`);
  }
  const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
  const recorded = view.getUint32(compressed.length - 4, true);
  if (recorded !== decompressedLength % 2 ** 32) {
    throw new IdxDecompressionError(
      file,
      'gzip trailer',
      `the end of the file, recording ${decompressedLength} decompressed bytes (one gzip member, nothing after it)`,
      `${recorded} (trailing data after the gzip member, or several members)`,
    );
  }
}

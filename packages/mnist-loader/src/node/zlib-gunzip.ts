import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { type Gunzip, GunzipLimitExceeded, toDecompressionError } from '../gunzip.js';

const gunzipAsync = promisify(zlib.gunzip);

/**
 * {@link Gunzip} on `node:zlib`: the header is read with a partial (sync-flush) inflate of the first
 * kilobytes; the body is inflated off the main thread with `maxOutputLength` as the hard cap, so a
 * gzip bomb fails with a clean error before it can allocate more than the limit.
 */
export const zlibGunzip: Gunzip = {
  prefix: async (compressed, length, file) => {
    let window = Math.min(compressed.length, 4096);
    for (;;) {
      let output: Buffer;
      try {
        output = zlib.gunzipSync(compressed.subarray(0, window), {
          finishFlush: zlib.constants.Z_SYNC_FLUSH,
        });
      } catch (error) {
        throw toDecompressionError(error, file);
      }
      if (output.length >= length || window === compressed.length)
        return new Uint8Array(output.subarray(0, length));
      window = Math.min(compressed.length, window * 4);
    }
  },
  all: async (compressed, limit, file) => {
    try {
      const output = await gunzipAsync(compressed, { maxOutputLength: Math.max(1, limit + 1) });
      if (output.length > limit)
        throw new GunzipLimitExceeded(`${file}: decompressed output exceeds ${limit} bytes`);
      return new Uint8Array(output.buffer, output.byteOffset, output.length);
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new GunzipLimitExceeded(`${file}: decompressed output exceeds ${limit} bytes`);
      }
      throw toDecompressionError(error, file);
    }
  },
};

import {
  checkGzipTrailer,
  defaultMaximumDecompressedBytes,
  type Gunzip,
  GunzipLimitExceeded,
  isGzip,
  streamGunzip,
} from './gunzip.js';
import { IdxDecompressionError, IdxFormatError } from './mnist-loader-error.js';
import {
  type IdxImages,
  type IdxKind,
  type IdxLabels,
  parseIdxImages,
  parseIdxLabels,
  readIdxHeader,
} from './parse-idx.js';

/** Options shared by everything that decodes IDX files. */
export interface DecodeIdxOptions {
  /** Cap on one file's decompressed size in bytes; default {@link defaultMaximumDecompressedBytes} (512 MiB). */
  readonly maxDecompressedBytes?: number;
  /**
   * Number of classes K: labels must lie in 0..K − 1. Default: inferred from the labels (the
   * largest label + 1, over both splits when a whole dataset is loaded).
   */
  readonly classCount?: number;
  /** Required image height and width, e.g. `[28, 28]`; default (or `null`): any size. */
  readonly imageSize?: readonly [rows: number, columns: number] | null;
  /** The decompressor; default `DecompressionStream` (the Node entry passes one on `node:zlib`). */
  readonly gunzip?: Gunzip;
}

/**
 * Decompresses (when gzipped) and validates the bytes of one IDX file. For gzip the header is read
 * from the first decompressed bytes and validated before the rest is decompressed, the output is
 * capped at exactly the size the header declares (plus one byte, to detect over-long files) and at
 * `maxDecompressedBytes`, and the gzip trailer must end the file.
 */
export async function decodeIdxBytes(
  bytes: Uint8Array,
  file: string,
  kind: IdxKind,
  options: DecodeIdxOptions = {},
): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const gunzip = options.gunzip ?? streamGunzip;
  const maximum = options.maxDecompressedBytes ?? defaultMaximumDecompressedBytes;
  const header = readIdxHeader(await gunzip.prefix(bytes, kind === 'images' ? 16 : 8, file), file, kind);
  if (header.expectedLength > maximum) {
    throw new IdxDecompressionError(
      file,
      'decompressed size',
      `at most ${maximum} bytes (maxDecompressedBytes)`,
      `${header.expectedLength} bytes declared by the IDX header`,
    );
  }
  let body: Uint8Array;
  try {
    body = await gunzip.all(bytes, header.expectedLength, file);
  } catch (error) {
    if (!(error instanceof GunzipLimitExceeded)) throw error;
    throw new IdxFormatError(
      file,
      'file length',
      `exactly ${header.expectedLength} bytes once decompressed (as its header declares)`,
      'more bytes (too long)',
    );
  }
  if (body.length === header.expectedLength) checkGzipTrailer(bytes, body.length, file);
  return body;
}

/** Decodes a (possibly gzipped) IDX images file; see {@link decodeIdxBytes} and `parseIdxImages`. */
export async function decodeIdxImages(
  bytes: Uint8Array,
  file: string,
  options: DecodeIdxOptions = {},
): Promise<IdxImages> {
  const decoded = await decodeIdxBytes(bytes, file, 'images', options);
  const size = options.imageSize;
  return parseIdxImages(decoded, file, size == null ? {} : { rows: size[0], columns: size[1] });
}

/** Decodes a (possibly gzipped) IDX labels file; see {@link decodeIdxBytes} and `parseIdxLabels`. */
export async function decodeIdxLabels(
  bytes: Uint8Array,
  file: string,
  options: DecodeIdxOptions = {},
): Promise<IdxLabels> {
  const decoded = await decodeIdxBytes(bytes, file, 'labels', options);
  return parseIdxLabels(
    decoded,
    file,
    options.classCount === undefined ? {} : { classCount: options.classCount },
  );
}

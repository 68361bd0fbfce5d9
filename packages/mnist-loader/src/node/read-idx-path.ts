import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { defaultMaximumDecompressedBytes, isGzip } from '../gunzip.js';
import type { IdxBytes } from '../load-idx-dataset.js';
import type { IdxFileSet } from '../mnist-dataset.js';
import { DatasetNotFoundError, IdxFormatError } from '../mnist-loader-error.js';
import { readIdxHeader } from '../parse-idx.js';

/**
 * Opens an IDX file and checks it as far as its size and first 16 bytes allow, reading nothing
 * more: the file must exist and be at most `maximumBytes` long, and an uncompressed file's header
 * must be valid and its exact length equal to the file size (so a truncated or over-long file is
 * never loaded). The caller closes the handle.
 *
 * @throws DatasetNotFoundError when missing; IdxFormatError for a bad header or size.
 */
async function openIdxPath(
  path: string,
  kind: 'images' | 'labels',
  maximumBytes: number,
): Promise<{ readonly handle: FileHandle; readonly size: number; readonly gzipped: boolean }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    throw new DatasetNotFoundError(path, `IDX ${kind} file`, 'an existing, readable file', 'no such file');
  }
  try {
    const { size } = await handle.stat();
    if (size > maximumBytes) {
      throw new IdxFormatError(
        path,
        'file size',
        `at most ${maximumBytes} bytes (maxDecompressedBytes)`,
        `${size} bytes`,
      );
    }
    const prefix = new Uint8Array(Math.min(size, 16));
    await handle.read(prefix, 0, prefix.length, 0);
    const gzipped = isGzip(prefix);
    if (!gzipped) {
      const header = readIdxHeader(prefix, path, kind);
      if (header.expectedLength !== size) {
        throw new IdxFormatError(
          path,
          'file length',
          `exactly ${header.expectedLength} bytes (as its header declares)`,
          `${size} bytes (${size < header.expectedLength ? 'truncated' : 'too long'})`,
        );
      }
    }
    return { handle, size, gzipped };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Checks an IDX file the way {@link readIdxPath} does before reading it whole (exists, size,
 * an uncompressed file's header and length), without reading it: a few bytes and a stat.
 * Returns whether the file is gzipped (its header is then checked only once decompressed).
 *
 * @throws DatasetNotFoundError when missing; IdxFormatError for a bad header or size.
 */
export async function checkIdxPath(
  path: string,
  kind: 'images' | 'labels',
  maximumBytes = defaultMaximumDecompressedBytes,
): Promise<{ readonly gzipped: boolean }> {
  const { handle, gzipped } = await openIdxPath(path, kind, maximumBytes);
  await handle.close();
  return { gzipped };
}

/**
 * Reads an IDX file from disk. Before reading it whole: the file must exist and be at most
 * `maximumBytes` long; an uncompressed file's header is read and validated first and its exact
 * length checked against the file size (so a truncated or over-long file is never loaded).
 *
 * @throws DatasetNotFoundError when missing; IdxFormatError for a bad header or size.
 */
export async function readIdxPath(
  path: string,
  kind: 'images' | 'labels',
  maximumBytes = defaultMaximumDecompressedBytes,
): Promise<IdxBytes> {
  const { handle, size } = await openIdxPath(path, kind, maximumBytes);
  try {
    const bytes = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await handle.read(bytes, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return { name: path, bytes: bytes.subarray(0, offset) };
  } finally {
    await handle.close();
  }
}

const roleSuffixes: IdxFileSet<readonly string[]> = {
  trainImages: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
  trainLabels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  testImages: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte', 'test-images-idx3-ubyte'],
  testLabels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte', 'test-labels-idx1-ubyte'],
};

/**
 * Finds the four IDX files of a directory: for each role, the one file whose name ends with the
 * standard name (`train-images-idx3-ubyte`, …; also `.idx3-ubyte` spellings and EMNIST's
 * `test-images-…`), with or without `.gz`. When both exist the uncompressed one wins.
 *
 * @throws DatasetNotFoundError for a missing directory or file, or when a role matches several files.
 */
export async function findIdxFiles(directory: string): Promise<IdxFileSet<string>> {
  let names: string[];
  try {
    if (!(await stat(directory)).isDirectory()) throw new Error('not a directory');
    names = await readdir(directory);
  } catch {
    throw new DatasetNotFoundError(
      directory,
      'directory',
      'an existing directory holding the four IDX files',
      'no such directory',
    );
  }
  const find = (role: keyof IdxFileSet<string>): string => {
    const suffixes = roleSuffixes[role];
    const plain = names.filter((name) => suffixes.some((suffix) => name.endsWith(suffix)));
    const gzipped = names.filter((name) => suffixes.some((suffix) => name.endsWith(`${suffix}.gz`)));
    const candidates = plain.length > 0 ? plain : gzipped;
    const standard = suffixes[0] ?? role;
    if (candidates.length === 0) {
      throw new DatasetNotFoundError(
        directory,
        `${role} file`,
        `present as ${standard} or ${standard}.gz`,
        'no such file',
      );
    }
    if (candidates.length > 1) {
      throw new DatasetNotFoundError(
        directory,
        `${role} file`,
        `one file ending in ${standard}[.gz] (or pass the four files explicitly)`,
        `several: ${candidates.sort().join(', ')}`,
      );
    }
    return join(directory, candidates[0] ?? standard);
  };
  return {
    trainImages: find('trainImages'),
    trainLabels: find('trainLabels'),
    testImages: find('testImages'),
    testLabels: find('testLabels'),
  };
}

/** The directory's name, used as a dataset name. */
export function directoryName(directory: string): string {
  return basename(directory.replace(/[/\\]+$/, '')) || directory;
}

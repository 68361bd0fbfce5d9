import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { embeddedMnistName, loadEmbeddedMnist } from '../embedded-mnist.js';
import { defaultMaximumDecompressedBytes } from '../gunzip.js';
import { type IdxInput, type LoadIdxDatasetOptions, loadIdxDataset } from '../load-idx-dataset.js';
import { fashionClassNames, type IdxFileSet, type MnistDataset } from '../mnist-dataset.js';
import { DatasetNotFoundError, IdxLabelError } from '../mnist-loader-error.js';
import { checkClassCount } from '../parse-idx.js';
import { directoryName, findIdxFiles, readIdxPath } from './read-idx-path.js';
import { zlibGunzip } from './zlib-gunzip.js';

/** Where Debian's package `dataset-fashion-mnist` installs the four gzipped IDX files. */
export const fashionMnistDirectory = '/usr/share/datasets/fashion-mnist';

/** Options of the Node loaders: the decoding options of `loadIdxDataset`. */
export type NodeLoadOptions = Omit<LoadIdxDatasetOptions, 'readInput' | 'gunzip'>;

const nodeDefaults = (options: NodeLoadOptions): LoadIdxDatasetOptions => ({
  gunzip: zlibGunzip,
  ...options,
  readInput: (input, role) =>
    readIdxPath(
      input instanceof URL ? input.pathname : input,
      role.endsWith('Images') ? 'images' : 'labels',
      options.maxDecompressedBytes ?? defaultMaximumDecompressedBytes,
    ),
});

/**
 * Loads four IDX files (paths, bytes or blobs), gzipped or not, with `node:zlib` (capped by
 * `maxDecompressedBytes`) and the validating parser.
 */
export function loadIdxFiles(
  files: IdxFileSet<IdxInput>,
  options: NodeLoadOptions = {},
): Promise<MnistDataset> {
  return loadIdxDataset(files, nodeDefaults(options));
}

/**
 * Loads the MNIST-format dataset in `directory`: the four standard IDX files, with or without `.gz`
 * (see `findIdxFiles` for the names accepted).
 *
 * @throws DatasetNotFoundError when the directory or a file is missing; the parser's typed errors otherwise.
 */
export async function loadIdxDirectory(
  directory: string,
  options: NodeLoadOptions = {},
): Promise<MnistDataset> {
  const files = await findIdxFiles(directory);
  return loadIdxDataset(files, {
    ...nodeDefaults(options),
    name: options.name ?? directoryName(directory),
    source: options.source ?? `directory ${resolve(directory)}`,
  });
}

/**
 * Loads the full Fashion-MNIST (60,000 training and 10,000 test images, 10 clothing classes) from
 * Debian's package `dataset-fashion-mnist`, or from `directory`.
 *
 * @throws DatasetNotFoundError, in one line, saying how to install it or pass a directory.
 */
export async function loadFashionMnist(
  directory: string = fashionMnistDirectory,
  options: NodeLoadOptions = {},
): Promise<MnistDataset> {
  if (!existsSync(directory)) {
    throw new DatasetNotFoundError(
      directory,
      'fashion-mnist',
      'installed (apt-get install dataset-fashion-mnist) or given as a directory holding its four IDX files',
      'no such directory',
    );
  }
  return loadIdxDirectory(directory, {
    classNames: fashionClassNames,
    ...options,
    name: options.name ?? 'fashion-mnist',
    source: options.source ?? `directory ${directory} (Debian package dataset-fashion-mnist)`,
  });
}

/** Dataset sources {@link loadMnistDataset} knows by name. */
export const namedSources: readonly string[] = [embeddedMnistName, 'fashion-mnist'];

/**
 * Loads a dataset by name or path: `mnist` (the embedded 10,000-digit sample, the default),
 * `fashion-mnist` (Debian's package), or any directory holding the four IDX files (any image size;
 * `classCount` K checks every label against 0..K − 1, else K is inferred from the labels).
 *
 * @throws DatasetNotFoundError for a name that is neither known nor an existing directory (the
 *   message lists the names), or when the source is missing.
 */
export async function loadMnistDataset(
  source = embeddedMnistName,
  options: NodeLoadOptions = {},
): Promise<MnistDataset> {
  if (source === embeddedMnistName) {
    const dataset = await loadEmbeddedMnist();
    if (options.classCount === undefined) return dataset;
    // A larger head than the ten digits is allowed (empty classes); a smaller one is not.
    checkClassCount(options.classCount);
    if (options.classCount < dataset.classCount) {
      throw new IdxLabelError(
        embeddedMnistName,
        'classCount',
        `at least ${dataset.classCount} (its labels are 0..9)`,
        String(options.classCount),
      );
    }
    return {
      ...dataset,
      classCount: options.classCount,
      classNames: Array.from(
        { length: options.classCount },
        (_, label) => dataset.classNames[label] ?? String(label),
      ),
    };
  }
  if (source === 'fashion-mnist') return loadFashionMnist(fashionMnistDirectory, options);
  if (!existsSync(source)) {
    throw new DatasetNotFoundError(
      source,
      'data source',
      `one of ${namedSources.join(', ')} or a directory holding the four IDX files`,
      'neither a known name nor an existing path',
    );
  }
  return loadIdxDirectory(source, options);
}

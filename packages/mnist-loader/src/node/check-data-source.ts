import { existsSync } from 'node:fs';
import { defaultMaximumDecompressedBytes } from '../gunzip.js';
import { DatasetNotFoundError, IdxLabelError } from '../mnist-loader-error.js';
import { checkClassCount, parseIdxLabels } from '../parse-idx.js';
import { checkIdxPath, findIdxFiles, readIdxPath } from './read-idx-path.js';

// The names loadMnistDataset knows (kept here so this module loads neither the loader nor the
// embedded sample; the test checks they agree with `namedSources`).
const embeddedName = 'mnist';
const fashionName = 'fashion-mnist';
const fashionDirectory = '/usr/share/datasets/fashion-mnist';
const knownNames = [embeddedName, fashionName];

/**
 * Checks a data source the way `loadMnistDataset(source, { classCount })` starts, reading no file
 * whole: the name or directory exists, the directory holds the four IDX files, each one is
 * readable, within `maxDecompressedBytes`, and (uncompressed) has a valid header and the exact
 * size it declares; with `classCount`, an uncompressed training labels file (one byte a label,
 * 60 kB for MNIST) is read to check its labels against it, the error the load raises next; the
 * embedded sample takes the class count. Same errors, same messages, in the same order as the load
 * would raise them. What needs the images or the test split read (counts or image sizes that
 * disagree, the test labels, a gzipped file's header or stream) is left to the load. For a CLI
 * that refuses bad input before its first line of output; loads neither tfjs nor the data.
 *
 * @throws DatasetNotFoundError, IdxFormatError or IdxLabelError, as the load would.
 */
export async function checkMnistSource(
  source = embeddedName,
  options: { readonly classCount?: number; readonly maxDecompressedBytes?: number } = {},
): Promise<void> {
  if (source === embeddedName) {
    if (options.classCount === undefined) return;
    checkClassCount(options.classCount);
    if (options.classCount < 10) {
      throw new IdxLabelError(
        embeddedName,
        'classCount',
        'at least 10 (its labels are 0..9)',
        String(options.classCount),
      );
    }
    return;
  }
  let directory = source;
  if (source === fashionName) {
    directory = fashionDirectory;
    if (!existsSync(directory)) {
      throw new DatasetNotFoundError(
        directory,
        'fashion-mnist',
        'installed (apt-get install dataset-fashion-mnist) or given as a directory holding its four IDX files',
        'no such directory',
      );
    }
  } else if (!existsSync(source)) {
    throw new DatasetNotFoundError(
      source,
      'data source',
      `one of ${knownNames.join(', ')} or a directory holding the four IDX files`,
      'neither a known name nor an existing path',
    );
  }
  const files = await findIdxFiles(directory);
  const maximum = options.maxDecompressedBytes ?? defaultMaximumDecompressedBytes;
  // The load reads the four at once and fails with the first that fails: in this order.
  const trainImages = await checkIdxPath(files.trainImages, 'images', maximum);
  const trainLabels = await checkIdxPath(files.trainLabels, 'labels', maximum);
  await checkIdxPath(files.testImages, 'images', maximum);
  await checkIdxPath(files.testLabels, 'labels', maximum);
  // With the four files sound, an uncompressed training images file parses: the training labels
  // are what the load checks next.
  if (options.classCount === undefined || trainImages.gzipped || trainLabels.gzipped) return;
  const labels = await readIdxPath(files.trainLabels, 'labels', maximum);
  parseIdxLabels(labels.bytes, labels.name, { classCount: options.classCount });
}

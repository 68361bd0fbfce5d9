import { type DecodeIdxOptions, decodeIdxImages, decodeIdxLabels } from './decode-idx.js';
import { digitClassNames, type IdxFileSet, type ImageSet, type MnistDataset } from './mnist-dataset.js';
import {
  DatasetNotFoundError,
  IdxCountMismatchError,
  IdxLabelError,
  MnistLoaderOptionError,
} from './mnist-loader-error.js';
import { checkImagesMatchLabels } from './parse-idx.js';

/**
 * Anything the browser (or Node) can hand over as an IDX file: bytes, a `File`/`Blob` (from
 * `<input type=file>` or drag-and-drop), or a URL to fetch. Gzipped or not.
 */
export type IdxInput = Uint8Array | ArrayBuffer | Blob | URL | string;

/** An IDX input read into memory, with the name errors will use. */
export interface IdxBytes {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Options of {@link loadIdxDataset}. */
export interface LoadIdxDatasetOptions extends DecodeIdxOptions {
  /** Dataset name; default `idx`. */
  readonly name?: string;
  /** Where it came from, for `config.json`; default a list of the inputs' names. */
  readonly source?: string;
  /** Class names by label; default the digits `'0'`…`'9'` (or `'0'`…`classCount − 1`). */
  readonly classNames?: readonly string[];
  /** Reads `input` when it is a `string` or `URL`; default `fetch`. (The Node entry reads paths.) */
  readonly readInput?: (input: string | URL, role: string) => Promise<IdxBytes>;
}

async function fetchInput(input: string | URL, role: string): Promise<IdxBytes> {
  const name = String(input);
  let response: Response;
  try {
    response = await fetch(input);
  } catch (error) {
    throw new DatasetNotFoundError(
      name,
      role,
      'a reachable URL',
      `a network error (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (!response.ok)
    throw new DatasetNotFoundError(name, role, 'a URL that answers 200', `HTTP ${response.status}`);
  return { name, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Reads one {@link IdxInput} into memory; `role` (e.g. `trainImages`) names it when it has no name. */
export async function readIdxInput(
  input: IdxInput,
  role: string,
  readInput: (input: string | URL, role: string) => Promise<IdxBytes> = fetchInput,
): Promise<IdxBytes> {
  if (input instanceof Uint8Array) return { name: role, bytes: input };
  if (input instanceof ArrayBuffer) return { name: role, bytes: new Uint8Array(input) };
  if (typeof input === 'string' || input instanceof URL) return readInput(input, role);
  const name = 'name' in input && typeof input.name === 'string' && input.name !== '' ? input.name : role;
  return { name, bytes: new Uint8Array(await input.arrayBuffer()) };
}

/** Decodes one images file and its labels file into an {@link ImageSet}, checking they agree. */
export async function decodeImageSet(
  images: IdxBytes,
  labels: IdxBytes,
  options: DecodeIdxOptions = {},
): Promise<ImageSet> {
  const [decodedImages, decodedLabels] = await Promise.all([
    decodeIdxImages(images.bytes, images.name, options),
    decodeIdxLabels(labels.bytes, labels.name, options),
  ]);
  checkImagesMatchLabels(decodedImages, decodedLabels, images.name, labels.name);
  return { ...decodedImages, labels: decodedLabels.labels };
}

/**
 * The class count K a dataset's labels imply: the largest label + 1 over both splits (EMNIST
 * letters, labelled 1..26, gives 27 with class 0 empty, as Keras and PyTorch users would get).
 *
 * @throws IdxLabelError when the labels name fewer than 2 classes.
 */
export function inferClassCount(train: ImageSet, test: ImageSet, file = 'labels'): number {
  let largest = -1;
  for (const labels of [train.labels, test.labels])
    for (const label of labels) if (label > largest) largest = label;
  if (largest < 1) {
    throw new IdxLabelError(
      file,
      'labels',
      'at least two classes (labels 0..K − 1 with K ≥ 2)',
      largest < 0 ? 'no labels' : 'only label 0',
    );
  }
  return largest + 1;
}

/**
 * Loads an MNIST-format dataset from four IDX inputs (bytes, `File`/`Blob`, or URLs), gzipped or
 * not, through the validating parser. Works in browsers and Node. Any image size is accepted (both
 * splits must agree); the class count is `options.classCount` (every label checked against it) or
 * inferred from the labels ({@link inferClassCount}).
 *
 * @throws MnistLoaderError subclasses naming the file, field, expected and actual value.
 */
export async function loadIdxDataset(
  files: IdxFileSet<IdxInput>,
  options: LoadIdxDatasetOptions = {},
): Promise<MnistDataset> {
  const roles = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    roles.map((role) => readIdxInput(files[role], role, options.readInput)),
  );
  if (
    trainImages === undefined ||
    trainLabels === undefined ||
    testImages === undefined ||
    testLabels === undefined
  ) {
    throw new Error('unreachable: four inputs were read');
  }
  const train = await decodeImageSet(trainImages, trainLabels, options);
  const test = await decodeImageSet(testImages, testLabels, options);
  if (train.rows !== test.rows || train.columns !== test.columns) {
    throw new IdxCountMismatchError(
      testImages.name,
      'image size',
      `${train.rows}×${train.columns} like ${trainImages.name}`,
      `${test.rows}×${test.columns}`,
    );
  }
  const classCount = options.classCount ?? inferClassCount(train, test, trainLabels.name);
  if (options.classNames !== undefined && options.classNames.length !== classCount) {
    throw new MnistLoaderOptionError(
      'classNames',
      `one name per class (${classCount})`,
      `${options.classNames.length} names`,
    );
  }
  return {
    name: options.name ?? 'idx',
    source:
      options.source ??
      [trainImages, trainLabels, testImages, testLabels].map((input) => input.name).join(', '),
    classCount,
    classNames:
      options.classNames ??
      (classCount === 10 ? digitClassNames : Array.from({ length: classCount }, (_, index) => String(index))),
    train,
    test,
  };
}

import { type DecodeIdxOptions, decodeIdxImages, decodeIdxLabels } from './decode-idx.js';
import { digitClassNames, type IdxFileSet, type ImageSet, type MnistDataset } from './mnist-dataset.js';
import { DatasetNotFoundError, IdxCountMismatchError } from './mnist-loader-error.js';
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
 * Loads an MNIST-format dataset from four IDX inputs (bytes, `File`/`Blob`, or URLs), gzipped or
 * not, through the validating parser. Works in browsers and Node.
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
  const classCount = options.classCount ?? 10;
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

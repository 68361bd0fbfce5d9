import {
  IdxCountMismatchError,
  IdxFormatError,
  IdxLabelError,
  MnistLoaderOptionError,
} from './mnist-loader-error.js';

/** IDX magic number of an unsigned-byte tensor with 3 dimensions (images). */
export const idxImagesMagic = 0x00000803;
/** IDX magic number of an unsigned-byte tensor with 1 dimension (labels). */
export const idxLabelsMagic = 0x00000801;
/** Largest image side accepted (MNIST and EMNIST use 28). */
export const maximumImageSide = 1024;

/** Images decoded from an IDX file: `pixels` holds `count·rows·columns` bytes, row-major. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly columns: number;
  /** Raw 0..255 intensities (a view on the decoded file, no copy). */
  readonly pixels: Uint8Array;
}

/** Labels decoded from an IDX file, each in 0..classCount − 1. */
export interface IdxLabels {
  readonly count: number;
  /** One byte per item (a view on the decoded file, no copy). */
  readonly labels: Uint8Array;
}

/** Which IDX file kind is being read. */
export type IdxKind = 'images' | 'labels';

/** Header of an IDX file and the exact byte length its body implies. */
export interface IdxHeader {
  readonly kind: IdxKind;
  readonly count: number;
  readonly rows: number;
  readonly columns: number;
  readonly headerLength: number;
  /** Header length + count·rows·columns: the exact size the file must have. */
  readonly expectedLength: number;
}

const hex = (value: number): string => `0x${value.toString(16).padStart(8, '0')}`;

/**
 * Reads and validates the header of an IDX file from its first bytes (8 for labels, 16 for images
 * suffice), before anything is allocated: the two zero bytes, the dtype byte 0x08, the dimension
 * count (3 for images, 1 for labels), rows and columns in 1..{@link maximumImageSide}.
 *
 * @throws IdxFormatError naming `file`, the field, what was expected and what was found.
 */
export function readIdxHeader(prefix: Uint8Array, file: string, kind: IdxKind): IdxHeader {
  const headerLength = kind === 'images' ? 16 : 8;
  const magic = kind === 'images' ? idxImagesMagic : idxLabelsMagic;
  if (prefix.length < 4) {
    throw new IdxFormatError(
      file,
      'header',
      `at least ${headerLength} bytes (IDX ${kind})`,
      `${prefix.length} bytes`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    const [zero0, zero1, dtype, dimensions] = [prefix[0], prefix[1], prefix[2], prefix[3]];
    if (zero0 !== 0 || zero1 !== 0) {
      throw new IdxFormatError(
        file,
        'magic number',
        `${hex(magic)} (IDX ${kind})`,
        `${hex(found)}, not an IDX file`,
      );
    }
    if (dtype !== 0x08) {
      throw new IdxFormatError(
        file,
        'dtype byte',
        '0x08 (unsigned byte)',
        `0x${(dtype ?? 0).toString(16).padStart(2, '0')}`,
      );
    }
    throw new IdxFormatError(
      file,
      'dimension count',
      `${kind === 'images' ? 3 : 1} (IDX ${kind}, magic ${hex(magic)})`,
      `${dimensions ?? 0} (magic ${hex(found)})`,
    );
  }
  if (prefix.length < headerLength) {
    throw new IdxFormatError(file, 'header', `${headerLength} bytes (IDX ${kind})`, `${prefix.length} bytes`);
  }
  const count = view.getUint32(4);
  let rows = 1;
  let columns = 1;
  if (kind === 'images') {
    rows = view.getUint32(8);
    columns = view.getUint32(12);
    if (rows < 1 || rows > maximumImageSide) {
      throw new IdxFormatError(file, 'rows', `in 1..${maximumImageSide}`, String(rows));
    }
    if (columns < 1 || columns > maximumImageSide) {
      throw new IdxFormatError(file, 'columns', `in 1..${maximumImageSide}`, String(columns));
    }
  }
  return { kind, count, rows, columns, headerLength, expectedLength: headerLength + count * rows * columns };
}

function checkLength(bytes: Uint8Array, header: IdxHeader, file: string): void {
  if (bytes.length !== header.expectedLength) {
    const shape =
      header.kind === 'images' ? `${header.count}×${header.rows}×${header.columns}` : `${header.count}`;
    const state = bytes.length < header.expectedLength ? 'truncated' : 'too long';
    throw new IdxFormatError(
      file,
      'file length',
      `exactly ${header.expectedLength} bytes (header ${header.headerLength} + ${shape} items)`,
      `${bytes.length} bytes (${state})`,
    );
  }
}

/** Options of {@link parseIdxImages}. */
export interface ParseIdxImagesOptions {
  /** Required image height, e.g. 28; any size accepted when absent. */
  readonly rows?: number;
  /** Required image width, e.g. 28; any size accepted when absent. */
  readonly columns?: number;
}

/**
 * Decodes an uncompressed IDX images file (magic 0x00000803). The header is validated first and the
 * file length must match it exactly (truncated and over-long files are rejected); nothing is copied.
 *
 * @throws IdxFormatError for any malformed field, naming `file`.
 */
export function parseIdxImages(
  bytes: Uint8Array,
  file: string,
  options: ParseIdxImagesOptions = {},
): IdxImages {
  const header = readIdxHeader(bytes, file, 'images');
  if (options.rows !== undefined && header.rows !== options.rows) {
    throw new IdxFormatError(file, 'rows', String(options.rows), String(header.rows));
  }
  if (options.columns !== undefined && header.columns !== options.columns) {
    throw new IdxFormatError(file, 'columns', String(options.columns), String(header.columns));
  }
  checkLength(bytes, header, file);
  return {
    count: header.count,
    rows: header.rows,
    columns: header.columns,
    pixels: bytes.subarray(header.headerLength),
  };
}

/** Largest class count an IDX labels file can express (labels are unsigned bytes). */
export const maximumClassCount = 256;

/** Options of {@link parseIdxLabels}. */
export interface ParseIdxLabelsOptions {
  /**
   * Number of classes K, in 2..{@link maximumClassCount}; every label must be in 0..K − 1. When
   * absent, any byte is accepted and the loaders infer K as the largest label + 1.
   */
  readonly classCount?: number;
}

/** Checks a class count option: an integer in 2..{@link maximumClassCount}. */
export function checkClassCount(classCount: number): void {
  if (!(Number.isInteger(classCount) && classCount >= 2 && classCount <= maximumClassCount)) {
    throw new MnistLoaderOptionError('classCount', `an integer in 2..${maximumClassCount}`, classCount);
  }
}

/**
 * Decodes an uncompressed IDX labels file (magic 0x00000801), checking its exact length and, when
 * `classCount` is given, that every label is below it.
 *
 * @throws IdxFormatError for a malformed header or length, IdxLabelError for the first label out of range.
 */
export function parseIdxLabels(
  bytes: Uint8Array,
  file: string,
  options: ParseIdxLabelsOptions = {},
): IdxLabels {
  const classCount = options.classCount ?? maximumClassCount;
  if (options.classCount !== undefined) checkClassCount(options.classCount);
  const header = readIdxHeader(bytes, file, 'labels');
  checkLength(bytes, header, file);
  const labels = bytes.subarray(header.headerLength);
  for (let index = 0; index < labels.length; index += 1) {
    const label = labels[index] ?? 0;
    if (label >= classCount) {
      throw new IdxLabelError(file, `label[${index}]`, `in 0..${classCount - 1}`, String(label));
    }
  }
  return { count: header.count, labels };
}

/**
 * Checks that an images file and its labels file describe the same number of items.
 *
 * @throws IdxCountMismatchError naming the labels file and both counts.
 */
export function checkImagesMatchLabels(
  images: IdxImages,
  labels: IdxLabels,
  imagesFile: string,
  labelsFile: string,
): void {
  if (images.count !== labels.count) {
    throw new IdxCountMismatchError(
      labelsFile,
      'item count',
      `${images.count} (the number of images in ${imagesFile})`,
      String(labels.count),
    );
  }
}

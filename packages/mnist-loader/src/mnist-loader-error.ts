/**
 * Base class of every error this package throws for bad input. The message is one line:
 * `<file>: <field> must be <expected>; got <actual>`. `file` names the file, URL or input the bytes
 * came from, `field` the part that is wrong (`magic number`, `label[17]`, `gzip stream`, ...).
 */
export class MnistLoaderError extends Error {
  override name = 'MnistLoaderError';
  constructor(
    /** File name, path or URL of the offending input. */
    readonly file: string,
    /** The part of the input that is wrong. */
    readonly field: string,
    /** What was expected, in words. */
    readonly expected: string,
    /** What was found, in words. */
    readonly actual: string,
  ) {
    super(`${file}: ${field} must be ${expected}; got ${actual}`);
  }
}

/** The IDX header or body is malformed: magic, dtype, dimension count, rows, columns or length. */
export class IdxFormatError extends MnistLoaderError {
  override name = 'IdxFormatError';
}

/** A label lies outside the declared classes (0..classCount − 1). */
export class IdxLabelError extends MnistLoaderError {
  override name = 'IdxLabelError';
}

/** An images file and its labels file disagree on the number of items or on the image size. */
export class IdxCountMismatchError extends MnistLoaderError {
  override name = 'IdxCountMismatchError';
}

/** Gzip problems: truncated or corrupt stream, wrong CRC or length, trailing data, size cap exceeded. */
export class IdxDecompressionError extends MnistLoaderError {
  override name = 'IdxDecompressionError';
}

/** A dataset, directory or one of its four IDX files does not exist (the message says how to get it). */
export class DatasetNotFoundError extends MnistLoaderError {
  override name = 'DatasetNotFoundError';
}

/** Options or arguments passed to this package are invalid (e.g. a batch size of 0). */
export class MnistLoaderOptionError extends Error {
  override readonly name = 'MnistLoaderOptionError';
  constructor(
    /** The option, e.g. `batchSize`. */
    readonly option: string,
    /** What it accepts. */
    readonly allowed: string,
    /** What was given. */
    readonly received: unknown,
  ) {
    super(`${option} must be ${allowed}; got ${JSON.stringify(received) ?? String(received)}`);
  }
}

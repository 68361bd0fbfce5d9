/** One split of an MNIST-format dataset, held once as typed arrays. */
export interface ImageSet {
  readonly count: number;
  readonly rows: number;
  readonly columns: number;
  /** `count·rows·columns` raw intensities 0..255, image after image, row-major. */
  readonly pixels: Uint8Array;
  /** `count` class indices. */
  readonly labels: Uint8Array;
}

/** An MNIST-format dataset: a training and a test split of same-sized grey images with labels. */
export interface MnistDataset {
  /** Short name, e.g. `mnist`, `fashion-mnist`, or the directory's name. */
  readonly name: string;
  /** Where it came from (package, directory, URLs), for `config.json`. */
  readonly source: string;
  /** Number of classes labels are drawn from. */
  readonly classCount: number;
  /** Human names of the classes, indexed by label. */
  readonly classNames: readonly string[];
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** Class names of MNIST digits: `'0'` … `'9'`. */
export const digitClassNames: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Class names of Fashion-MNIST, by label (from the dataset's README). */
export const fashionClassNames: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** The four files of an MNIST-format dataset, by role. */
export interface IdxFileSet<T> {
  readonly trainImages: T;
  readonly trainLabels: T;
  readonly testImages: T;
  readonly testLabels: T;
}

/** Standard base names of the four files (without `.gz`), as MNIST and Fashion-MNIST ship them. */
export const standardIdxFileNames: IdxFileSet<string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Counts how many items of each class a split holds (index = label). */
export function labelHistogram(labels: Uint8Array, classCount: number): number[] {
  const histogram = new Array<number>(classCount).fill(0);
  for (const label of labels) histogram[label] = (histogram[label] ?? 0) + 1;
  return histogram;
}

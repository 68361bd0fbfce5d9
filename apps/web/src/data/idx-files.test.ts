import { describe, expect, it } from 'vitest';
import { assignIdxFiles, idxRole } from './idx-files.js';

const named = (...names: string[]) => names.map((name) => ({ name }));

describe('idxRole', () => {
  it('reads MNIST, Fashion-MNIST and EMNIST spellings, gzipped or not', () => {
    expect(idxRole('train-images-idx3-ubyte.gz')).toBe('trainImages');
    expect(idxRole('train-labels-idx1-ubyte')).toBe('trainLabels');
    expect(idxRole('t10k-images-idx3-ubyte.gz')).toBe('testImages');
    expect(idxRole('t10k-labels.idx1-ubyte')).toBe('testLabels');
    expect(idxRole('emnist-digits-test-images-idx3-ubyte.gz')).toBe('testImages');
    expect(idxRole('data/fashion/train-images-idx3-ubyte.gz')).toBe('trainImages');
  });

  it('returns undefined for names that say neither split or kind', () => {
    expect(idxRole('metrics.jsonl')).toBeUndefined();
    expect(idxRole('images.gz')).toBeUndefined();
    expect(idxRole('trainer-labels')).toBeUndefined();
  });
});

describe('assignIdxFiles', () => {
  it('assigns four files to their roles and ignores the rest', () => {
    const result = assignIdxFiles(
      named(
        'README.md',
        't10k-labels-idx1-ubyte.gz',
        'train-images-idx3-ubyte.gz',
        't10k-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte.gz',
      ),
    );
    expect(result.missing).toEqual([]);
    expect(result.files?.testLabels.name).toBe('t10k-labels-idx1-ubyte.gz');
    expect(result.files?.trainImages.name).toBe('train-images-idx3-ubyte.gz');
    expect(result.ignored.map((file) => file.name)).toEqual(['README.md']);
  });

  it('names the missing roles and ignores duplicates', () => {
    const result = assignIdxFiles(
      named('train-images-idx3-ubyte', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte'),
    );
    expect(result.files).toBeUndefined();
    expect(result.missing).toEqual(['testImages', 'testLabels']);
    expect(result.ignored.map((file) => file.name)).toEqual(['train-images-idx3-ubyte.gz']);
  });
});

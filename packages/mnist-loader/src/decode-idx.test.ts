import { describe, expect, it } from 'vitest';
import { decodeIdxImages, decodeIdxLabels } from './decode-idx.js';
import { streamGunzip } from './gunzip.js';
import { IdxDecompressionError, IdxFormatError } from './mnist-loader-error.js';
import { zlibGunzip } from './node/zlib-gunzip.js';
import { createIdxFixture, encodeIdxImages, gzipBytes, gzipCorruptions } from './testing/index.js';

const fixture = createIdxFixture({ trainCount: 40, testCount: 10, gzip: true });
const plain = createIdxFixture({ trainCount: 40, testCount: 10 });

describe.each([
  ['node:zlib', zlibGunzip],
  ['DecompressionStream', streamGunzip],
] as const)('decodeIdxImages with %s', (_, gunzip) => {
  it('decodes a gzipped file to the same pixels as the plain one', async () => {
    const images = await decodeIdxImages(fixture.files.trainImages, 'train.gz', { gunzip });
    expect(images.count).toBe(40);
    expect(images.pixels).toEqual(plain.train.pixels);
    expect(Array.from((await decodeIdxLabels(fixture.files.trainLabels, 'l.gz', { gunzip })).labels)).toEqual(
      Array.from(plain.train.labels),
    );
  });

  const expectations: Record<string, string> = {
    'truncated gzip':
      'train.gz: gzip stream must be complete; got a truncated stream (unexpected end of file)',
    'corrupt CRC-32':
      'train.gz: gzip CRC-32 must be the checksum of the decompressed data; got a mismatch (corrupt data)',
    'trailing garbage':
      'train.gz: gzip stream must be followed by nothing; got trailing data that is not a gzip member',
    'trailing zeros':
      'train.gz: gzip trailer must be the end of the file, recording 31376 decompressed bytes (one gzip member, nothing after it); got 0 (trailing data after the gzip member, or several members)',
  };
  it.each(Object.entries(expectations))('rejects %s with IdxDecompressionError', async (name, message) => {
    const broken = gzipCorruptions[name]!(fixture.files.trainImages);
    const attempt = decodeIdxImages(broken, 'train.gz', { gunzip });
    await expect(attempt).rejects.toBeInstanceOf(IdxDecompressionError);
    const thrown = ((await attempt.catch((error: unknown) => error)) as Error).message;
    // Zeros after the member: Node 20's DecompressionStream ignores them (the trailer check names
    // them); Node 24's reports the trailing junk itself. Either is the one-line error for the file.
    const accepted =
      name === 'trailing zeros' ? [message, expectations['trailing garbage'] as string] : [message];
    expect(
      accepted.some((text) => thrown.includes(text)),
      thrown,
    ).toBe(true);
  });

  it('rejects a gzipped body longer than its header declares, reading no further', async () => {
    const body = plain.files.trainImages;
    const longer = gzipBytes(Uint8Array.from([...body, ...new Uint8Array(5000)]));
    const attempt = decodeIdxImages(longer, 'train.gz', { gunzip });
    await expect(attempt).rejects.toBeInstanceOf(IdxFormatError);
    await expect(attempt).rejects.toThrow(
      'train.gz: file length must be exactly 31376 bytes once decompressed (as its header declares); got more bytes (too long)',
    );
  });

  it('rejects a gzipped body shorter than its header declares', async () => {
    const shorter = gzipBytes(plain.files.trainImages.slice(0, 20000));
    await expect(decodeIdxImages(shorter, 'train.gz', { gunzip })).rejects.toThrow(
      'train.gz: file length must be exactly 31376 bytes (header 16 + 40×28×28 items); got 20000 bytes (truncated)',
    );
  });

  it('caps the decompressed size before decompressing (gzip bomb)', async () => {
    // Header declares 60000 images of zeros: 47 MB that compress to ~46 kB.
    const bomb = gzipBytes(encodeIdxImages(new Uint8Array(60000 * 784), 60000, 28, 28));
    const attempt = decodeIdxImages(bomb, 'bomb.gz', { gunzip, maxDecompressedBytes: 1_000_000 });
    await expect(attempt).rejects.toBeInstanceOf(IdxDecompressionError);
    await expect(attempt).rejects.toThrow(
      'bomb.gz: decompressed size must be at most 1000000 bytes (maxDecompressedBytes); got 47040016 bytes declared by the IDX header',
    );
  });

  it('rejects a gzipped file whose header is not IDX before decompressing the rest', async () => {
    const text = gzipBytes(new TextEncoder().encode('x'.repeat(100)));
    await expect(decodeIdxImages(text, 'text.gz', { gunzip })).rejects.toThrow(
      'text.gz: magic number must be 0x00000803 (IDX images); got 0x78787878, not an IDX file',
    );
  });
});

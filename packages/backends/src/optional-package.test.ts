import { describe, expect, it } from 'vitest';
import { missingPackageReason } from './optional-package.js';

const nodeError = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('missingPackageReason', () => {
  it('names the install command when Node cannot find the package', async () => {
    const error = await import('@tensorflow/tfjs-backend-webgl-not-installed' as string).catch(
      (caught: unknown) => caught,
    );
    expect(missingPackageReason(error, '@tensorflow/tfjs-backend-webgl-not-installed')).toBe(
      '@tensorflow/tfjs-backend-webgl-not-installed is not installed (add it: npm install @tensorflow/tfjs-backend-webgl-not-installed)',
    );
    expect(
      missingPackageReason(
        nodeError(
          "Cannot find package '@contour/backend-node' imported from /app/x.js",
          'ERR_MODULE_NOT_FOUND',
        ),
        '@contour/backend-node',
      ),
    ).toBe('@contour/backend-node is not installed (add it: npm install @contour/backend-node)');
  });

  it('recognises a bundler’s failed dynamic import in a browser', () => {
    const error = new TypeError('Failed to resolve module specifier "@tensorflow/tfjs-backend-webgl"');
    expect(missingPackageReason(error, '@tensorflow/tfjs-backend-webgl')).toContain('npm install');
  });

  it('leaves other errors, and missing modules of other packages, to the caller', () => {
    expect(missingPackageReason(new Error('no usable WebGL context'), '@tensorflow/tfjs-backend-webgl')).toBe(
      undefined,
    );
    expect(
      missingPackageReason(
        nodeError(
          "Cannot find package 'libtensorflow' imported from @contour/backend-node",
          'ERR_MODULE_NOT_FOUND',
        ),
        '@tensorflow/tfjs-backend-webgl',
      ),
    ).toBe(undefined);
    expect(missingPackageReason('a string', '@contour/backend-node')).toBe(undefined);
  });
});

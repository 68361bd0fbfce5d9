import { selectBackend } from '@contour/backends';
import { beforeAll, describe } from 'vitest';
import { hostFloat32Checks } from '../test-support/host-float32-checks.js';

// Node only (excluded from the browser run): the wasm backend's own kernels are the reference.
beforeAll(async () => {
  await selectBackend('wasm', { strict: true });
});

describe('hostFloat32 on wasm', () => {
  hostFloat32Checks('wasm');
});

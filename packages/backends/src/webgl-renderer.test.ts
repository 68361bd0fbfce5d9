import { describe, expect, it } from 'vitest';
import { selectBackend } from './select-backend.js';
import { describeWebGL, softwareWebGLReason } from './webgl-renderer.js';

const swiftShader =
  'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';

describe('softwareWebGLReason', () => {
  it('names software renderers and the performance-caveat flag, not hardware GPUs', () => {
    expect(softwareWebGLReason({ renderer: swiftShader, majorPerformanceCaveat: true })).toBe(
      `WebGL here is a software renderer (${swiftShader}), much slower than wasm on the CPU`,
    );
    expect(
      softwareWebGLReason({ renderer: 'llvmpipe (LLVM 15.0.6, 256 bits)', majorPerformanceCaveat: false }),
    ).toMatch(/software renderer \(llvmpipe/);
    expect(softwareWebGLReason({ renderer: 'WebKit WebGL', majorPerformanceCaveat: true })).toMatch(
      /major performance caveat \(WebKit WebGL/,
    );
    expect(
      softwareWebGLReason({
        renderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11)',
        majorPerformanceCaveat: false,
      }),
    ).toBeUndefined();
    expect(softwareWebGLReason(undefined)).toBeUndefined();
  });
});

describe('describeWebGL', () => {
  it('finds no WebGL where there is no canvas (Node.js)', () => {
    expect(describeWebGL()).toBeUndefined();
  });
});

describe('selectBackend with a software WebGL', () => {
  it('auto skips webgl in a browser and says why; a named webgl is kept with a warning', async () => {
    const webgl = () => ({ renderer: swiftShader, majorPerformanceCaveat: true });
    const selection = await selectBackend('auto', { environment: 'browser', webgl });
    expect(selection.name).toBe('wasm');
    expect(selection.attempts.map((attempt) => [attempt.name, attempt.usable])).toEqual([
      ['webgl', false],
      ['wasm', true],
    ]);
    expect(selection.attempts[0]?.reason).toBe(
      `WebGL here is a software renderer (${swiftShader}), much slower than wasm on the CPU; auto prefers wasm`,
    );
    expect(selection.reason).toContain('auto chose wasm');
    expect(selection.reason).toContain('SwiftShader');
  });
});

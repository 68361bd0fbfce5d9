import type * as real from '@contour/backend-node';
import { describe, expectTypeOf, it } from 'vitest';
import type * as declared from '../browser-check/backend-node.js';

// Checked by `tsc` (the package's typecheck): the declaration the browser type check reads in place
// of the Node-only adapter says the same as the adapter.
describe('browser-check/backend-node.d.ts', () => {
  it('declares what selectBackend uses of @contour/backend-node exactly as the adapter exports it', () => {
    expectTypeOf<typeof declared.nodeBackendName>().toEqualTypeOf<typeof real.nodeBackendName>();
    expectTypeOf<typeof declared.useNodeBackend>().toEqualTypeOf<typeof real.useNodeBackend>();
    expectTypeOf<declared.UseNodeBackendOptions>().toEqualTypeOf<real.UseNodeBackendOptions>();
    expectTypeOf<declared.NodeBackendActivation>().toEqualTypeOf<real.NodeBackendActivation>();
    expectTypeOf<declared.NodeBackendUnavailableError>().toEqualTypeOf<real.NodeBackendUnavailableError>();
    expectTypeOf<ConstructorParameters<typeof declared.NodeBackendUnavailableError>>().toEqualTypeOf<
      ConstructorParameters<typeof real.NodeBackendUnavailableError>
    >();
  });
});

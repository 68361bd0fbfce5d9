// The part of @contour/backend-node that select-backend.ts loads with a dynamic import(), as the
// browser type check (tsconfig.browser.json) sees it: the adapter itself is Node-only (it imports
// node:module) and never runs in a browser, so that check reads this declaration instead of its
// sources. src/backend-node-declaration.test.ts keeps it equal to the real module.
export declare const nodeBackendName = 'tensorflow';

export declare class NodeBackendUnavailableError extends Error {
  readonly name = 'NodeBackendUnavailableError';
  readonly reason: string;
  constructor(reason: string);
}

export interface UseNodeBackendOptions {
  readonly loadModule?: () => unknown;
  readonly isInstalled?: () => boolean;
  readonly fallback?: 'cpu' | 'none';
}

export interface NodeBackendActivation {
  readonly backendName: string;
  readonly fellBack: boolean;
  readonly reason: string;
}

export declare function useNodeBackend(options?: UseNodeBackendOptions): Promise<NodeBackendActivation>;

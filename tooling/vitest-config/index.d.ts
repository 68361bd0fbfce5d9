import type { UserConfig } from 'vitest/config';

/** Export condition that points workspace packages at `src/`. */
export declare const sourceCondition: '@contour/source';
/**
 * Drops the import attributes of dynamic JSON imports in Vite's dev server (browser-mode tests),
 * which keeps them and so fails in Chromium (vitejs/vite#19095); builds handle them.
 */
export declare function jsonImportAttributesInDev(): import('vite').Plugin;
/** The vitest config every package re-exports. */
declare const config: UserConfig;
export default config;

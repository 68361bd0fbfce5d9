import type { UserConfig } from 'vitest/config';

/** Export condition that points workspace packages at `src/`. */
export declare const sourceCondition: '@contour/source';
/** The vitest config every package re-exports. */
declare const config: UserConfig;
export default config;

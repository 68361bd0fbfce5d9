// The layer graph of ARCHITECTURE.md, checked by dependency-cruiser (`pnpm check:dependencies`,
// part of `pnpm lint`). Packages resolve each other through the `@contour/source` condition, so an
// import of `@contour/optimizers` lands on packages/optimizers/src/… and the rules below can speak
// of folders. Keep this file and ARCHITECTURE.md's table in step.

/** What each published package may import of the others (its own folder is always allowed). */
const allowed = {
  schedules: [],
  'metrics-logger': [],
  losses: [],
  optimizers: ['schedules'],
  'mnist-loader': [],
  'backend-cpu': [],
  'backend-wasm': ['backend-cpu'],
  'backend-node': ['backend-cpu'],
  backends: ['backend-cpu', 'backend-wasm', 'backend-node'],
  race: ['optimizers', 'metrics-logger'],
  core: ['optimizers', 'losses', 'schedules', 'mnist-loader', 'metrics-logger', 'backends'],
  runs: ['core', 'optimizers', 'schedules', 'mnist-loader', 'metrics-logger', 'backends'],
  queue: ['core', 'runs', 'metrics-logger'],
  layers: ['core', 'runs', 'optimizers', 'schedules', 'metrics-logger', 'mnist-loader'],
};

/** Packages whose every module may use Node (they exist for Node). */
const nodeOnlyPackages = ['backend-node', 'runs', 'queue'];

/** Test code runs in Node (vitest) and may import anything a layer allows plus test helpers. */
const testCode = '(\\.test\\.ts$|/test-support/|/e2e/)';

/**
 * Node-only modules inside browser-safe packages: the `./node` entries, mnist-loader's `./testing`
 * (writes fixture files), and the Node variants picked by package.json `imports` conditions.
 */
const nodeOnlyModules = [
  '^packages/[^/]+/src/node/',
  '^packages/mnist-loader/src/testing/',
  '^packages/mnist-loader/src/mnist-digits-node\\.ts$',
  '^packages/backend-wasm/src/wasm-paths-node\\.ts$',
  `^packages/(${nodeOnlyPackages.join('|')})/`,
];

/** Browser-safe code: every package's sources (minus the Node-only modules above) and apps/web. */
const browserSafeCode = '^(packages/[^/]+/src/|apps/web/src/)';

/** npm packages that only run on Node. */
const nodeOnlyNpmPackages = ['@tensorflow/tfjs-node', 'bullmq', 'ioredis'];

/**
 * Entries that load no TensorFlow.js, so what imports them (the CLI before its first line of output)
 * starts light: validation, dataset preparation, config resolution, a race's and the queue's option
 * names and checks. None of them loads BullMQ or ioredis either.
 */
const tfjsFreeEntries = [
  '^packages/optimizers/src/spec\\.ts$',
  '^packages/mnist-loader/src/prepare\\.ts$',
  '^packages/core/src/config\\.ts$',
  '^packages/race/src/spec\\.ts$',
  '^packages/queue/src/options\\.ts$',
];

/** Tests may also load a tfjs backend to run on (backend-cpu is every package's test backend). */
const testBackends = ['backend-cpu'];

const layerRules = Object.entries(allowed).flatMap(([name, imports]) => [
  {
    name: `layer-${name}`,
    comment: `@contour/${name} may import only ${imports.length === 0 ? 'no other Contour package' : imports.map((dependency) => `@contour/${dependency}`).join(', ')} (ARCHITECTURE.md).`,
    severity: 'error',
    from: { path: `^packages/${name}/`, pathNot: testCode },
    to: { path: '^(packages|apps)/', pathNot: `^packages/(${[name, ...imports].join('|')})/` },
  },
  {
    name: `layer-${name}-tests`,
    comment: `Tests of @contour/${name} may import what it may, and a tfjs backend to run on.`,
    severity: 'error',
    from: { path: `^packages/${name}/.*${testCode}` },
    to: {
      path: '^(packages|apps)/',
      pathNot: `^packages/(${[name, ...imports, ...testBackends].join('|')})/`,
    },
  },
]);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'no-tfjs-below-tensors',
      comment: '@contour/schedules and @contour/metrics-logger never import TensorFlow.js.',
      severity: 'error',
      from: { path: '^packages/(schedules|metrics-logger)/src/', pathNot: testCode },
      to: { path: '@tensorflow[/+]' },
    },
    {
      name: 'light-entries-load-no-tfjs',
      comment:
        'The tfjs-free entries (e.g. @contour/optimizers/spec) reach no TensorFlow.js module, directly or through other modules, not even by a type-only import (so none can creep in at run time).',
      severity: 'error',
      from: { path: tfjsFreeEntries },
      to: { path: '@tensorflow[/+]', reachable: true },
    },
    {
      name: 'light-entries-load-no-queue-client',
      comment:
        'The same light entries (e.g. @contour/queue/options) reach neither BullMQ nor ioredis, directly or through other modules, not even by a type-only import.',
      severity: 'error',
      from: { path: tfjsFreeEntries },
      to: { path: 'node_modules/(bullmq|ioredis)/', reachable: true },
    },
    {
      name: 'packages-never-import-apps',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(apps|bench|examples)/' },
    },
    {
      name: 'browser-safe-no-node-builtins',
      comment:
        'Browser-safe code (every main entry but backend-node, runs and queue, and apps/web) imports no Node built-in (node:*). Node code goes in src/node/ behind the ./node entry.',
      severity: 'error',
      from: { path: browserSafeCode, pathNot: [testCode, ...nodeOnlyModules] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'browser-safe-no-node-only-modules',
      comment:
        'Browser-safe code imports no Node-only entry (@contour/*/node, mnist-loader/testing) and no Node-only package (backend-node, runs, queue, tfjs-node, bullmq, ioredis). A dynamic import() is how selectBackend loads the Node adapter only on Node, so it is allowed.',
      severity: 'error',
      from: { path: browserSafeCode, pathNot: [testCode, ...nodeOnlyModules] },
      to: {
        path: [...nodeOnlyModules, `node_modules/(${nodeOnlyNpmPackages.join('|')})/`],
        dependencyTypesNot: ['dynamic-import'],
      },
    },
    {
      name: 'apps-use-published-entries',
      comment:
        'Apps import packages through their package names, never through relative paths into packages/.',
      severity: 'error',
      from: { path: '^apps/' },
      to: { path: '^packages/', dependencyTypes: ['local'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo or a missing dependency otherwise passes unnoticed here).',
      severity: 'error',
      from: { path: '^(packages|apps)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Built output of the repository's own packages; not node_modules' dist folders, which hold the
    // modules npm packages resolve to (tfjs's among them) and must stay in the graph.
    exclude: { path: '^(packages|apps)/[^/]+/dist/' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // Browser resolution: the source condition, then what bundlers pick for browsers.
      conditionNames: ['@contour/source', 'browser', 'import', 'module', 'types', 'default'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

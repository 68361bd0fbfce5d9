import type { IdxFileSet } from '@contour/mnist-loader';

/** Result of {@link assignIdxFiles}. */
export interface IdxAssignment<T> {
  /** The four files by role, when all four were found exactly once. */
  readonly files: IdxFileSet<T> | undefined;
  /** Roles no file matched, e.g. `testLabels`. */
  readonly missing: readonly (keyof IdxFileSet<T>)[];
  /** Files that matched no role or a role another file matched too. */
  readonly ignored: readonly T[];
}

const roles = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;

/**
 * The role of an IDX file from its name, as MNIST-format datasets spell them:
 * `train-images-idx3-ubyte(.gz)`, `t10k-labels-idx1-ubyte`, EMNIST's `…-test-images-…`, and
 * `train-images.idx3-ubyte`. `undefined` when the name says neither split or kind.
 */
export function idxRole(fileName: string): keyof IdxFileSet<unknown> | undefined {
  const name = fileName.toLowerCase().replace(/^.*[\\/]/, '');
  const split = /(^|[^a-z])(t10k|test)([^a-z]|$)/.test(name)
    ? 'test'
    : /(^|[^a-z])train([^a-z]|$)/.test(name)
      ? 'train'
      : undefined;
  const kind = /images|idx3/.test(name) ? 'Images' : /labels|idx1/.test(name) ? 'Labels' : undefined;
  if (!split || !kind) return undefined;
  return `${split}${kind}` as keyof IdxFileSet<unknown>;
}

/**
 * Sorts dropped or picked files into the four IDX roles by name (see {@link idxRole}). Their
 * contents are validated later, in the worker, by the loader's IDX parser.
 */
export function assignIdxFiles<T extends { readonly name: string }>(files: readonly T[]): IdxAssignment<T> {
  const byRole = new Map<string, T[]>();
  const ignored: T[] = [];
  for (const file of files) {
    const role = idxRole(file.name);
    if (role === undefined) ignored.push(file);
    else byRole.set(role, [...(byRole.get(role) ?? []), file]);
  }
  const missing = roles.filter((role) => (byRole.get(role)?.length ?? 0) === 0);
  for (const role of roles) {
    const matches = byRole.get(role) ?? [];
    if (matches.length > 1) ignored.push(...matches.slice(1));
  }
  const pick = (role: (typeof roles)[number]) => byRole.get(role)?.[0] as T;
  return {
    files:
      missing.length === 0
        ? {
            trainImages: pick('trainImages'),
            trainLabels: pick('trainLabels'),
            testImages: pick('testImages'),
            testLabels: pick('testLabels'),
          }
        : undefined,
    missing,
    ignored,
  };
}

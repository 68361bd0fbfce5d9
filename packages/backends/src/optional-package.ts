/**
 * When `error` says that `packageName` is not installed (Node's ERR_MODULE_NOT_FOUND, or a
 * bundler's failed dynamic import of it), the one-line reason `selectBackend` reports, naming the
 * command that adds it; otherwise undefined. The heavy backends are optional peer dependencies of
 * @contour/backends: installing @contour/core does not pull them.
 */
export function missingPackageReason(error: unknown, packageName: string): string | undefined {
  if (!(error instanceof Error) || !error.message.includes(packageName)) return undefined;
  const code = (error as { code?: unknown }).code;
  const missing =
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /Cannot find (package|module)|Failed to resolve module specifier|Failed to fetch dynamically imported module/.test(
      error.message,
    );
  return missing ? `${packageName} is not installed (add it: npm install ${packageName})` : undefined;
}

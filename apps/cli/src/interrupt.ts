/**
 * Ctrl-C handling for long commands: the first SIGINT aborts the returned signal so
 * the current step finishes, logs are flushed and the run is marked `interrupted`; a second SIGINT
 * exits at once with 130. Call `release` when the command ends.
 */
export function handleInterrupts(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\ninterrupting: finishing the current step (Ctrl-C again to quit now)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSignal) };
}

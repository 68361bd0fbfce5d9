// Preload (`node --import <this file>`) that records, in the file named by CONTOUR_MODULE_LOG, every
// module URL the process resolves and, at the first write to stdout or stderr, a line `first-output`:
// the order of the lines is the order of the events, so what stands above `first-output` was loaded
// (or at least resolved) before the command printed anything. Plain JavaScript so that it preloads
// the built CLI and the sources (with tsx) alike; Node ≥ 20.6 (`module.register`).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

const log = process.env.CONTOUR_MODULE_LOG;
if (log !== undefined && log !== '') {
  register(new URL('./record-module-loads-hooks.mjs', import.meta.url), { data: { log } });
  let printed = false;
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = (...parts) => {
      if (!printed) {
        printed = true;
        appendFileSync(log, 'first-output\n');
      }
      return write(...parts);
    };
  }
}

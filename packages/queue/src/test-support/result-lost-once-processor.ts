// A sandboxed processor for tests: the first time it is given a trial it completes the job without
// a result (as a job was once seen completing in CI), and trains it with Contour's trainer after
// that. Which trials it has seen: empty files in CONTOUR_TEST_SEEN_TRIALS.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import processTrial from '../queue-processor.js';

type TrialJob = Parameters<typeof processTrial>[0];

export default async function resultLostOnce(
  job: TrialJob,
): Promise<Awaited<ReturnType<typeof processTrial>> | null> {
  const seen = join(process.env.CONTOUR_TEST_SEEN_TRIALS ?? '', job.data.trial.id);
  if (!existsSync(seen)) {
    writeFileSync(seen, '');
    return null;
  }
  return processTrial(job);
}

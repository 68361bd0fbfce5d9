// Compares two output directories of `pnpm demo` (e.g. one written by main, one by a branch) file by
// file and byte by byte, except what differs from one run to the next of the same build: wall-clock
// fields (`time`, `createdAt`, `updatedAt`, `elapsedSeconds`, `seconds`), the checkpoint checksum
// that covers them, and report.html's "Written by contour <time>" line. Every chart (SVG, PNG),
// results.json/csv, the records' numbers and the weights must be identical.
//
//   node --import tsx bench/compare-demo-output.ts DIRECTORY_A DIRECTORY_B
//
// Prints each file that differs (or exists on one side only) and exits 1 if any does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const [first, second] = process.argv.slice(2);
if (first === undefined || second === undefined) {
  console.error('usage: compare-demo-output.ts DIRECTORY_A DIRECTORY_B');
  process.exit(2);
}

function files(root: string, directory = root): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? files(root, path) : [relative(root, path)];
  });
}

const wallClockField =
  /"(time|createdAt|updatedAt|elapsedSeconds|seconds|checksum)"(\s*):(\s*)("[^"]*"|[-+.\deE]+)/g;

/** A file's content without what changes between two runs of the same build. */
function comparable(path: string, content: Buffer): Buffer | string {
  if (/\.jsonl?$/.test(path)) return content.toString('utf8').replace(wallClockField, '"$1"$2:$3<varies>');
  if (path.endsWith('.html'))
    return content.toString('utf8').replace(/Written by contour \S+ from/, 'Written by contour <time> from');
  return content;
}

const left = new Set(files(first));
const right = new Set(files(second));
const differing: string[] = [];
for (const path of [...new Set([...left, ...right])].sort()) {
  if (!left.has(path) || !right.has(path)) {
    differing.push(`${path}: only in ${left.has(path) ? first : second}`);
    continue;
  }
  const a = comparable(path, readFileSync(join(first, path)));
  const b = comparable(path, readFileSync(join(second, path)));
  const same = typeof a === 'string' || typeof b === 'string' ? a === b : a.equals(b);
  if (!same) differing.push(`${path}: differs`);
}
for (const line of differing) console.log(line);
console.log(
  `${left.size} files in ${first}, ${right.size} in ${second}: ${differing.length === 0 ? 'identical' : `${differing.length} differ`} (wall-clock fields excepted)`,
);
process.exitCode = differing.length === 0 ? 0 : 1;

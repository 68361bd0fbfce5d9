#!/usr/bin/env bash
# The published `contour` CLI as a stranger gets it: builds the workspace packages, packs
# @contour/cli and every @contour package it depends on into tarballs, installs them with plain npm
# into a clean directory outside the repository, then runs `npx contour --help` and the demo sweep
# from there and checks their output (no tfjs banner, the results table, every file written).
# The same install then type-checks the package README examples (examples/readme/<package>.ts, which
# the READMEs show verbatim; one per published package, tooling/ci-checks checks that) with
# `tsc --strict` and no skipLibCheck, runs them with node (queue's against a throwaway Redis) and
# compares their output with examples/readme/<package>.expected.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/contour-packed-cli.XXXXXX")
trap '[ -n "${KEEP_PACKED_WORK:-}" ] || rm -rf "$work"' EXIT

readme_examples=$(cd examples/readme && ls *.ts)

# The CLI, each README example's package and every @contour package an example imports, with their
# @contour dependencies, directly or not (workspace directories).
directories=$(node --input-type=module -e "
  import { readdirSync, readFileSync, existsSync } from 'node:fs';
  const byName = new Map();
  for (const parent of ['packages', 'apps'])
    for (const name of readdirSync(parent)) {
      const manifest = parent + '/' + name + '/package.json';
      if (existsSync(manifest)) byName.set(JSON.parse(readFileSync(manifest, 'utf8')).name, parent + '/' + name);
    }
  const found = new Set();
  const visit = (name) => {
    const directory = byName.get(name);
    if (!directory || found.has(directory)) return;
    found.add(directory);
    for (const dependency of Object.keys(JSON.parse(readFileSync(directory + '/package.json', 'utf8')).dependencies ?? {})) visit(dependency);
  };
  visit('@contour/cli');
  for (const file of readdirSync('examples/readme')) {
    if (!file.endsWith('.ts')) continue;
    visit('@contour/' + file.slice(0, -3));
    const source = readFileSync('examples/readme/' + file, 'utf8');
    for (const [, name] of source.matchAll(/from '(@contour\/[a-z-]+)[^']*'/g)) visit(name);
  }
  console.log([...found].join(' '));
")
build_filters=""
for directory in $directories; do build_filters="$build_filters --filter=./$directory"; done
TURBO_TELEMETRY_DISABLED=1 pnpm exec turbo run build $build_filters --output-logs=errors-only
mkdir -p "$work/tarballs" "$work/app"
for directory in $directories; do
  (cd "$directory" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
echo "packed: $(cd "$work/tarballs" && ls | tr '\n' ' ')"

cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work"/tarballs/*.tgz

fail() { echo "packed CLI: $*" >&2; exit 1; }

npx --no-install contour --help >"$work/help.txt" 2>&1 || fail "contour --help failed: $(cat "$work/help.txt")"
grep -q '^Usage: contour' "$work/help.txt" || fail "contour --help printed no usage"
grep -q 'sweep \[options\]' "$work/help.txt" || fail "contour --help does not list sweep"

npx --no-install contour sweep --preset mnist-lr-sweep --out out/mnist-lr-sweep >"$work/sweep.txt" 2>&1 \
  || fail "the demo sweep failed: $(tail -20 "$work/sweep.txt")"
cat "$work/sweep.txt" | grep -v ' epoch '
if grep -qi 'looks like you are running TensorFlow.js in Node.js' "$work/help.txt" "$work/sweep.txt"; then
  fail "tfjs' Node.js banner was printed"
fi
grep -q '│ lr=0.2 *│ finished │ 10 ' "$work/sweep.txt" || fail "the results table is missing"
for file in sweep.svg sweep.png report.html results.json results.csv; do
  [ -s "out/mnist-lr-sweep/$file" ] || fail "out/mnist-lr-sweep/$file was not written"
done
# The installed bin is the built JavaScript, not TypeScript run through a loader.
[ -f node_modules/@contour/cli/dist/main.js ] && [ ! -e node_modules/@contour/cli/src ] \
  || fail "the installed CLI is not the built dist/"
[ ! -e node_modules/tsx ] || fail "tsx was installed with the CLI"

# The README examples, as a strict TypeScript user compiles and runs them.
mkdir -p readme
cp "$root"/examples/readme/*.ts readme/
npm pkg set type=module
npm install --no-audit --no-fund --loglevel=error typescript@5.9.3 @types/node@20.19.43

# @contour/backend-node's example gets its own directory with its optional peer
# @tensorflow/tfjs-node, so the others (backends' example reports it as not installed) stay as a
# user without it has them. tfjs-node's install script downloads libtensorflow from outside the npm
# registry, which this machine cannot reach, so it is installed with --ignore-scripts: the example
# then checks the fallback a user without the native library gets (reason, cpu training, the
# error with fallback 'none'); the native backend itself cannot be tested here.
mkdir -p "$work/node-app/readme"
cp "$root/examples/readme/backend-node.ts" "$work/node-app/readme/"
(cd "$work/node-app" && npm init -y >/dev/null && npm pkg set type=module \
  && npm install --no-audit --no-fund --loglevel=error --ignore-scripts "$work"/tarballs/contour-backend-node-*.tgz \
    "$work"/tarballs/contour-backend-cpu-*.tgz @tensorflow/tfjs-core@4.22.0 @tensorflow/tfjs-node@4.22.0 \
    typescript@5.9.3 @types/node@20.19.43) >/dev/null || fail "installing the backend-node example's directory failed"

# @contour/queue's example needs Redis (.ci/apt-packages.txt installs redis-server): a throwaway
# server on a free loopback port, without persistence, stopped when the script ends.
redis_port=$(node -e "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >"$work/redis.log" 2>&1 &
redis_pid=$!
trap '[ -n "${redis_pid:-}" ] && kill "$redis_pid" 2>/dev/null; [ -n "${KEEP_PACKED_WORK:-}" ] || rm -rf "$work"' EXIT
for attempt in $(seq 50); do
  redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
  [ "$attempt" = 50 ] && fail "redis-server did not start on port $redis_port: $(cat "$work/redis.log")"
  sleep 0.2
done

# Only a package whose API is about tfjs-layers models may expose tfjs-layers types (its README says
# so: tfjs-layers' own declarations fail a strict check). That is @contour/layers alone, whose README
# examples run in its own packed test; no example here may get an error from tfjs-layers' declarations.
for example in $readme_examples; do
  name=${example%.ts}
  directory=$work/app
  [ "$name" = backend-node ] && directory=$work/node-app
  cd "$directory"
  npx --no-install tsc --strict --target es2022 --module nodenext --moduleResolution nodenext \
    --pretty false --outDir readme-built "readme/$example" >"$work/$name.tsc" 2>&1 && checked=yes || checked=no
  if grep -q '^node_modules/@tensorflow/tfjs-layers/' "$work/$name.tsc"; then
    fail "the $name README example reaches tfjs-layers' declarations, which fail a strict check (only @contour/layers may expose them): $(grep -c '^node_modules/@tensorflow/tfjs-layers/' "$work/$name.tsc") errors, e.g. $(grep -m1 '^node_modules/@tensorflow/tfjs-layers/' "$work/$name.tsc")"
  fi
  [ "$checked" = yes ] || fail "the $name README example does not type-check strictly: $(cat "$work/$name.tsc")"
  arguments=()
  [ "$name" = queue ] && arguments=("redis://127.0.0.1:$redis_port")
  node "readme-built/$name.js" "${arguments[@]}" >"$work/$name.raw" 2>&1 \
    || fail "the $name README example failed: $(cat "$work/$name.raw")"
  # Paths inside the install directory (e.g. backend-node's missing native library) are relative.
  sed "s|$directory/||g" "$work/$name.raw" >"$work/$name.out"
  diff -u "$root/examples/readme/$name.expected.txt" "$work/$name.out" \
    || fail "the $name README example printed other output than examples/readme/$name.expected.txt"
done
echo "packed README examples: ok ($(echo $readme_examples | wc -w) strictly type-checked without skipLibCheck and run with the expected output)"
echo "packed CLI: ok (npx contour --help and the demo sweep from $(ls "$work/tarballs" | wc -l) packed tarballs)"

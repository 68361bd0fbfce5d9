// Rewrites apps/cli/README.md's reference of every command and flag from the CLI's own definitions.
import { readFileSync, writeFileSync } from 'node:fs';
import { createProgram } from '../src/main.js';
import { flagReference, withFlagReference } from '../src/test-support/flag-reference.js';

const readmeUrl = new URL('../README.md', import.meta.url);
const readme = readFileSync(readmeUrl, 'utf8');
writeFileSync(readmeUrl, withFlagReference(readme, flagReference(await createProgram())));

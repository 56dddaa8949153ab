/**
 * `npm run bench -- <name>` runs bench/<name>.ts (logs, insights, advisor, chat); with no name, lists them.
 * Each benchmark prints its figures and writes bench/results/<name>.json.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.startsWith('_'))
  .map((file) => file.replace(/\.ts$/, ''));
const name = process.argv[2];

if (!name || !available.includes(name)) {
  console.error(`Usage: npm run bench -- <${available.join('|')}>${name ? ` (unknown benchmark "${name}")` : ''}`);
  process.exit(name ? 2 : 0);
}
const file = `${benchDir}${name}.ts`;
if (existsSync(file)) await import(pathToFileURL(file).href);

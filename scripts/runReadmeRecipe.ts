import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isolate, namedPorts, quote, recipeBody, type Recipe } from './readmeRecipes.js';

/**
 * Runs one README recipe with bash in a new folder that looks like a checkout (package.json, and
 * `scripts/`, `dist/`, `node_modules/` linked to the repository's: `npm run build` builds the real
 * dist/, and the recipe runs the built tools), with `/tmp/` and the ports it names made its own.
 *
 * Long-running commands: `npm start` runs in the background with `--no-open` (and `--port 0` unless
 * the recipe names a port) until it announces its UI, then the recipe carries on; a later
 * `npm start` stops the earlier one first (Ctrl-C). A command ending in `&` (a web server) must
 * still be running when the recipe ends. Everything the recipe started is stopped at its end, by
 * process group (each background command has its own), and the folder is removed. The shell side
 * is scripts/readme-recipe.sh.
 */
export interface RecipeRun {
  ok: boolean;
  /** What the recipe printed, commands announced with their README line; ends with why it failed. */
  output: string;
  script: string;
}

export async function runReadmeRecipe(recipe: Recipe, options: { repo: string; timeoutMs: number }): Promise<RecipeRun> {
  const folder = mkdtempSync(join(tmpdir(), `readme-recipe-${recipe.name}-`));
  const state = join(folder, '.recipe');
  try {
    mkdirSync(join(folder, 'tmp'));
    mkdirSync(state);
    copyFileSync(join(options.repo, 'package.json'), join(folder, 'package.json'));
    for (const linked of ['scripts', 'dist', 'node_modules']) symlinkSync(join(options.repo, linked), join(folder, linked));
    mkdirSync(join(options.repo, 'dist'), { recursive: true });
    const body = recipeBody(recipe);
    const ports = new Map<number, number>();
    for (const port of namedPorts(body)) ports.set(port, await freePort());
    const script = `source ${quote(join(options.repo, 'scripts', 'readme-recipe.sh'))}\n${isolate(body, join(folder, 'tmp'), ports)}\nrecipe_finish\n`;
    writeFileSync(join(state, 'recipe.sh'), script);
    const { ok, output } = await runBash(join(state, 'recipe.sh'), folder, state, options.timeoutMs);
    return { ok, output, script };
  } finally {
    await stopGroups(join(state, 'groups'));
    rmSync(folder, { recursive: true, force: true });
  }
}

function runBash(script: string, cwd: string, state: string, timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  // The repository's npm settings stay out: a nested npm must find the recipe folder's package.json.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  env.PATH = `${dirname(process.execPath)}:${env.PATH ?? ''}`;
  env.RECIPE_STATE = state;
  const child = spawn('bash', [script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, 'SIGTERM');
      setTimeout(() => child.exitCode === null && process.kill(-child.pid!, 'SIGKILL'), 10_000).unref();
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (timedOut) output += `\nrecipe failed: not done within ${timeoutMs / 1000} s`;
      resolve({ ok: code === 0 && !timedOut, output });
    });
  });
}

/** Stops the process groups the recipe recorded, if its own EXIT trap could not (a killed shell). */
async function stopGroups(file: string): Promise<void> {
  const groups = readFileSync(file, 'utf8')
    .split('\n')
    .map(Number)
    .filter((group) => Number.isInteger(group) && group > 1);
  const alive = (group: number) => {
    try {
      process.kill(-group, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const group of groups.filter(alive)) process.kill(-group, 'SIGTERM');
  for (let i = 0; i < 50 && groups.some(alive); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const group of groups.filter(alive)) process.kill(-group, 'SIGKILL');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

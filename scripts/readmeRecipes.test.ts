import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecipeMarkupError, isolate, namedPorts, readmeRecipes, recipeBody, shellBlocks, type Recipe } from './readmeRecipes.js';
import { runReadmeRecipe } from './runReadmeRecipe.js';

// The README's recipes run as written: each block marked <!-- recipe: NAME --> runs, in order with
// the others of its name, in a folder of its own against the built tools (npm run build included).
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const RECIPE_TIMEOUT_MS = 240_000;

function recipeOf(name: string, ...blocks: string[]): Recipe {
  return { name, blocks: blocks.map((code, i) => ({ line: 100 * (i + 1), marker: { kind: 'recipe', name }, code })) };
}

describe('reading the recipes of a markdown text', () => {
  it('takes the marker on the line before each shell block, blank lines allowed, and groups recipes by name', () => {
    const markdown = [
      '<!-- recipe: one -->',
      '```sh',
      'echo a',
      '```',
      '<!-- illustration -->',
      '',
      '```sh',
      'rm -rf /',
      '```',
      '```mermaid',
      'flowchart LR',
      '```',
      '<!-- recipe: one -->',
      '```bash',
      'echo b',
      '```',
    ].join('\n');
    expect(shellBlocks(markdown).map((block) => block.marker)).toEqual([
      { kind: 'recipe', name: 'one' },
      { kind: 'illustration' },
      { kind: 'recipe', name: 'one' },
    ]);
    expect(readmeRecipes(markdown)).toEqual([
      {
        name: 'one',
        blocks: [
          { line: 3, marker: { kind: 'recipe', name: 'one' }, code: 'echo a' },
          { line: 15, marker: { kind: 'recipe', name: 'one' }, code: 'echo b' },
        ],
      },
    ]);
  });

  it('refuses a shell block with no marker, naming its line, and one that never closes', () => {
    expect(() => readmeRecipes('text\n\n```sh\nnpm ci\n```\n')).toThrow(/line 4: a shell block needs <!-- recipe: NAME -->/);
    expect(() => readmeRecipes('<!-- recipe: x -->\n```sh\nnpm ci\n')).toThrow(RecipeMarkupError);
  });

  it('turns "# →" into a check of the output, records background commands, and keeps continuations whole', () => {
    const body = recipeBody(
      recipeOf('r', 'node tool.mjs check  # → 1.1.0 available\n(cd srv && python3 -m http.server 8000) &\nnode a.mjs \\\n  --flag\n# a comment'),
    );
    expect(body).toContain(
      `recipe_output=$(node tool.mjs check 2>&1) || recipe_failed "$recipe_output"\nrecipe_expect '1.1.0 available' "$recipe_output"`,
    );
    expect(body).toContain('(cd srv && python3 -m http.server 8000) &\nrecipe_background "$!"');
    expect(body).toContain("recipe_at 'README.md:102' 'node a.mjs \\\n  --flag'\nnode a.mjs \\\n  --flag");
    expect(body).not.toContain('a comment');
    expect(() => recipeBody(recipeOf('r', 'npm start  # → UI'))).toThrow(/npm start runs in the background/);
  });

  it('makes /tmp/ and the ports a recipe names its own', () => {
    const text = 'keys --out /tmp/keys; python3 -m http.server 8000 &\nnpm start -- --update-url http://127.0.0.1:8000 --port 8080 --root /tmp/h';
    expect(namedPorts(text)).toEqual([8000, 8080]);
    expect(
      isolate(
        text,
        '/x/tmp',
        new Map([
          [8000, 41000],
          [8080, 41001],
        ]),
      ),
    ).toBe('keys --out /x/tmp/keys; python3 -m http.server 41000 &\nnpm start -- --update-url http://127.0.0.1:41000 --port 41001 --root /x/tmp/h');
  });
});

describe('the runner fails when a recipe breaks', () => {
  const run = (recipe: Recipe) => runReadmeRecipe(recipe, { repo, timeoutMs: 30_000 });

  it('passes a recipe whose commands succeed and print what they promise', async () => {
    const result = await run(recipeOf('ok', 'mkdir -p /tmp/d && echo 42 > /tmp/d/x', 'cat /tmp/d/x  # → 42'));
    expect(result.output).toContain('[README.md:200] $ cat');
    expect(result.ok).toBe(true);
  });

  it('fails on a failing command, naming its line', async () => {
    const result = await run(recipeOf('fails', 'true', 'ls /tmp/nothing-here', 'echo never'));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/recipe failed at README\.md:200/);
    expect(result.output).not.toContain('[README.md:300]');
  });

  it('fails when a command does not print what the README says it prints', async () => {
    const result = await run(recipeOf('expect', 'echo 1.0.0 available  # → 1.1.0 available'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain('its output lacks "1.1.0 available"');
  });

  it('fails when a background command has stopped by the end, and stops those still running', async () => {
    const died = await run(recipeOf('died', '(sleep 0.1; exit 3) &', 'sleep 1'));
    expect(died.ok).toBe(false);
    expect(died.output).toMatch(/a command it left running in the background .* had stopped/);
    const marker = `recipe-sleeper-${process.pid}-${Date.now()}`;
    const stopped = await run(recipeOf('stops', `(exec -a ${marker} sleep 300) &`));
    expect(stopped.ok).toBe(true);
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(marker);
  });
});

describe("the README's recipes", () => {
  const recipes = readmeRecipes(readme);

  it('are marked: the update recipe among them, every shell block a recipe or an illustration', () => {
    expect(recipes.map((recipe) => recipe.name)).toContain('update');
  });

  for (const recipe of recipes) {
    it(
      `"${recipe.name}" runs as written`,
      async () => {
        const result = await runReadmeRecipe(recipe, { repo, timeoutMs: RECIPE_TIMEOUT_MS });
        if (!result.ok) expect.fail(`${result.output.slice(-6000)}\n\n(the shell program: ${result.script.length} characters)`);
      },
      RECIPE_TIMEOUT_MS + 30_000,
    );
  }
});

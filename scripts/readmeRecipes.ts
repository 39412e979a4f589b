/**
 * The README's shell recipes, read from its text: every ```sh block carries a marker on the line
 * before it, `<!-- recipe: NAME -->` (run by scripts/readmeRecipes.test.ts; the blocks of one NAME run
 * in order, in one shell, in one folder) or `<!-- illustration -->` (shown, never run). A command
 * followed by `# → TEXT` must print TEXT.
 */

export interface ShellBlock {
  /** The block's first line of code in the markdown (1-based). */
  line: number;
  marker: { kind: 'recipe'; name: string } | { kind: 'illustration' } | undefined;
  code: string;
}

export interface Recipe {
  name: string;
  blocks: ShellBlock[];
}

export class RecipeMarkupError extends Error {}

const FENCE_OPEN = /^```(?:sh|bash|shell)\s*$/;
const MARKER = /^<!--\s*(?:recipe:\s*([\w-]+)|(illustration))\s*-->$/;

/** Every shell block of a markdown text, with the marker on the line before it (blank lines between are allowed). */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE_OPEN.test(lines[i]!)) continue;
    const end = lines.findIndex((line, j) => j > i && /^```\s*$/.test(line));
    if (end < 0) throw new RecipeMarkupError(`line ${i + 1}: a shell block that never closes`);
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const marker = before >= 0 ? MARKER.exec(lines[before]!.trim()) : null;
    blocks.push({
      line: i + 2,
      marker: marker ? (marker[1] ? { kind: 'recipe', name: marker[1] } : { kind: 'illustration' }) : undefined,
      code: lines.slice(i + 1, end).join('\n'),
    });
    i = end;
  }
  return blocks;
}

/** The recipes of a markdown text by name, their blocks in order; a shell block without a marker is an error. */
export function readmeRecipes(markdown: string): Recipe[] {
  const recipes = new Map<string, Recipe>();
  for (const block of shellBlocks(markdown)) {
    if (!block.marker)
      throw new RecipeMarkupError(
        `line ${block.line}: a shell block needs <!-- recipe: NAME --> (it is run) or <!-- illustration --> (it is not) on the line before it`,
      );
    if (block.marker.kind !== 'recipe') continue;
    const recipe = recipes.get(block.marker.name) ?? { name: block.marker.name, blocks: [] };
    recipe.blocks.push(block);
    recipes.set(block.marker.name, recipe);
  }
  return [...recipes.values()];
}

/** A command's text joined over its `\` continuations, with the markdown line it starts on. */
interface Command {
  line: number;
  text: string;
}

function commands(block: ShellBlock): Command[] {
  const result: Command[] = [];
  let current: Command | undefined;
  block.code.split('\n').forEach((text, index) => {
    if (current) current.text += `\n${text}`;
    else current = { line: block.line + index, text };
    if (!/\\$/.test(text)) {
      result.push(current);
      current = undefined;
    }
  });
  if (current) throw new RecipeMarkupError(`line ${current.line}: the command's last line ends with a backslash`);
  return result;
}

const EXPECTATION = /^(.*\S)\s+# → (.+)$/s;

/** The shell program of a recipe's commands: background commands are recorded, expectations checked. */
export function recipeBody(recipe: Recipe): string {
  const out: string[] = [];
  for (const block of recipe.blocks) {
    for (const command of commands(block)) {
      const text = command.text.trim();
      if (text === '' || text.startsWith('#')) continue;
      // Each command announces itself with its place in the README: a failure's output says which it was.
      out.push(`recipe_at ${quote(`README.md:${command.line}`)} ${quote(command.text)}`);
      const expectation = EXPECTATION.exec(command.text);
      if (expectation) {
        const [, run, expected] = expectation;
        if (/^\s*npm\s+start\b/.test(run!)) throw new RecipeMarkupError(`line ${command.line}: npm start runs in the background; it takes no "# →"`);
        out.push(`recipe_output=$(${run} 2>&1) || recipe_failed "$recipe_output"`, `recipe_expect ${quote(expected!.trim())} "$recipe_output"`);
      } else if (/(?<!&)&\s*(?:#\s.*)?$/.test(command.text)) {
        // A background command (a web server): its process group is stopped when the recipe ends, and it must still be up then.
        out.push(command.text, 'recipe_background "$!"');
      } else {
        out.push(command.text);
      }
    }
  }
  return out.join('\n');
}

/** A bash word holding `text` as it is. */
export function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * What the runner changes in a recipe's text so that it runs beside anything else on the machine:
 * `/tmp/` becomes the run's own folder, and each port the recipe names (`127.0.0.1:N`,
 * `http.server N`, `--port N`) a free one.
 */
export function isolate(text: string, tmp: string, ports: ReadonlyMap<number, number>): string {
  return text
    .replace(/(?<![\w.-])\/tmp\//g, `${tmp}/`)
    .replace(/(127\.0\.0\.1:|http\.server |--port[ =])(\d+)\b/g, (match, prefix: string, port: string) => {
      const free = ports.get(Number(port));
      return free === undefined || Number(port) === 0 ? match : `${prefix}${free}`;
    });
}

/** The ports a recipe's text names, to be replaced by free ones. */
export function namedPorts(text: string): number[] {
  const ports = [...text.matchAll(/(?:127\.0\.0\.1:|http\.server |--port[ =])(\d+)\b/g)].map((match) => Number(match[1]));
  return [...new Set(ports.filter((port) => port > 0))];
}

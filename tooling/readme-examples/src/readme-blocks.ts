// Finds the READMEs of the repository and cuts their ```ts / ```typescript blocks into examples.
// Words after the language on the fence line change how a block is treated:
//   ```ts continues   the block goes on from the previous ts block of the same README (one module)
//   ```ts no-run      type-checked only; say next to the block why it cannot run
// It reads Markdown only; checking and running are example-project.ts and run-example.ts.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface ReadmeBlock {
  /** README path relative to the repository root. */
  readonly readme: string;
  /** 1-based README line of the block's first code line. */
  readonly line: number;
  readonly code: string;
  /** Words after the language on the opening fence, e.g. "no-run". */
  readonly words: readonly string[];
}

/** One module: a block plus the `continues` blocks that follow it. */
export interface Example {
  readonly readme: string;
  /** README line of the first block's first code line; names the example. */
  readonly line: number;
  readonly parts: readonly ReadmeBlock[];
  readonly code: string;
  /** Uses decorators, so it is checked with the decorator options the core README documents. */
  readonly decorators: boolean;
  readonly runnable: boolean;
}

const TS_LANGUAGES = new Set(["ts", "typescript"]);
const KNOWN_WORDS = new Set(["continues", "no-run"]);
const SKIPPED_DIRS = new Set([
  "node_modules",
  "dist",
  "build",
  "build-gyp",
  "build-sanitize",
  "fuzz",
  "test",
]);
/** A line that starts with a decorator such as `@Controller("/items")`. */
const DECORATOR_LINE = /^\s*@[A-Za-z]\w*\s*\(/m;

/** README.md at the root and anywhere under packages/ and apps/, sorted. */
export function findReadmes(root: string): string[] {
  const found = existsSync(join(root, "README.md")) ? ["README.md"] : [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) {
        walk(join(dir, entry.name));
      } else if (entry.isFile() && entry.name === "README.md") {
        found.push(relative(root, join(dir, entry.name)));
      }
    }
  };
  for (const top of ["packages", "apps"]) if (existsSync(join(root, top))) walk(join(root, top));
  return found.sort();
}

/** The TypeScript blocks of one README, in order. */
export function readBlocks(readme: string, markdown: string): ReadmeBlock[] {
  const lines = markdown.split("\n");
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*(\S*)\s*(.*)$/.exec(lines[i] as string);
    if (open === null) continue;
    const [, indent = "", fence = "", language = "", rest = ""] = open;
    const close = new RegExp(`^\\s*${fence}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end] as string)) end++;
    if (end === lines.length) throw new Error(`${readme}:${i + 1}: code block is never closed`);
    if (TS_LANGUAGES.has(language.toLowerCase())) {
      const words = rest.split(/\s+/).filter((w) => w !== "");
      for (const word of words) {
        if (!KNOWN_WORDS.has(word))
          throw new Error(`${readme}:${i + 1}: unknown fence word "${word}" (known: ${[...KNOWN_WORDS]})`);
      }
      const code = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()))
        .join("\n");
      blocks.push({ readme, line: i + 2, code, words });
    }
    i = end;
  }
  return blocks;
}

/** Joins `continues` blocks onto the block before them. */
export function toExamples(blocks: readonly ReadmeBlock[]): Example[] {
  const groups: ReadmeBlock[][] = [];
  for (const block of blocks) {
    const previous = groups.at(-1);
    if (block.words.includes("continues")) {
      if (previous === undefined || previous[0]?.readme !== block.readme)
        throw new Error(
          `${block.readme}:${block.line - 1}: "continues" needs an earlier ts block in this README`,
        );
      previous.push(block);
    } else {
      groups.push([block]);
    }
  }
  return groups.map((parts) => {
    const first = parts[0] as ReadmeBlock;
    const code = parts.map((p) => p.code).join("\n");
    return {
      readme: first.readme,
      line: first.line,
      parts,
      code,
      decorators: DECORATOR_LINE.test(code),
      runnable: !parts.some((p) => p.words.includes("no-run")),
    };
  });
}

/** Every example of every README under `root`. */
export function collectExamples(root: string): Example[] {
  return findReadmes(root).flatMap((readme) =>
    toExamples(readBlocks(readme, readFileSync(join(root, readme), "utf8"))),
  );
}

/** Maps a 1-based line of an example's module back to "README:line". */
export function readmeLocation(example: Example, moduleLine: number): string {
  let start = 1;
  for (const part of example.parts) {
    const count = part.code.split("\n").length;
    if (moduleLine < start + count) return `${part.readme}:${part.line + moduleLine - start}`;
    start += count;
  }
  return `${example.readme}:${example.line}`;
}

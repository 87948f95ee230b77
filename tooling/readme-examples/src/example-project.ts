// Writes the examples as modules of a project set up the way a user's would be (strict, NodeNext,
// ES2022; the documented decorator options for blocks with decorators), then compiles it with the
// repository's tsc. @fasterapi/* resolve from this package's node_modules to the built workspace
// packages (their exports and dist .d.ts), as an installed dependency would.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Example, readmeLocation } from "./readme-blocks.js";

/** A user's tsconfig; `decorators` adds what the core README asks of class controllers. */
function userTsconfig(decorators: boolean, files: readonly string[]): object {
  return {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      skipLibCheck: true,
      types: ["node"],
      rootDir: "src",
      outDir: "out",
      ...(decorators ? { experimentalDecorators: true, emitDecoratorMetadata: true } : {}),
    },
    files: files.map((name) => `src/${name}.ts`),
  };
}

export interface CompiledExample {
  readonly example: Example;
  /** The emitted JavaScript module (emitted even when the example has type errors). */
  readonly file: string;
  /** Directory to run it in. */
  readonly cwd: string;
  /** Type errors as "README:line TSxxxx message". */
  readonly errors: readonly string[];
}

function moduleName(example: Example): string {
  return `${example.readme.replace(/\.md$/i, "").replace(/[^A-Za-z0-9]+/g, "_")}_L${example.line}`;
}

/**
 * Compiles `examples` in `workDir` (created afresh; it must lie below this package so that
 * node_modules resolution finds the workspace packages) with the tsc at `tsc`.
 */
export function compileExamples(
  examples: readonly Example[],
  workDir: string,
  tsc: string,
): CompiledExample[] {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  writeFileSync(join(workDir, "package.json"), JSON.stringify({ type: "module", private: true }));
  const compiled: CompiledExample[] = [];
  for (const decorators of [false, true]) {
    const selected = examples.filter((e) => e.decorators === decorators);
    if (selected.length === 0) continue;
    const dir = join(workDir, decorators ? "decorators" : "plain");
    mkdirSync(join(dir, "src"), { recursive: true });
    const byModule = new Map<string, Example>();
    for (const example of selected) {
      const name = moduleName(example);
      byModule.set(name, example);
      // `export {}` keeps a block without imports a module, so top-level await is allowed.
      writeFileSync(join(dir, "src", `${name}.ts`), `${example.code}\nexport {};\n`);
    }
    const errors = typeCheck(dir, tsc, byModule, decorators);
    // tsc reports no semantic errors at all while any file has a syntax error: check the
    // modules that came out clean once more without the broken ones.
    const clean = new Map([...byModule].filter(([name]) => !errors.has(name)));
    if (errors.size > 0 && clean.size > 0) {
      for (const [name, list] of typeCheck(dir, tsc, clean, decorators)) errors.set(name, list);
    }
    for (const [name, example] of byModule) {
      compiled.push({
        example,
        file: join(dir, "out", `${name}.js`),
        cwd: dir,
        errors: errors.get(name) ?? [],
      });
    }
  }
  return compiled;
}

/** Runs tsc on `byModule` in `dir`; returns the errors of each module, located in its README. */
function typeCheck(
  dir: string,
  tsc: string,
  byModule: ReadonlyMap<string, Example>,
  decorators: boolean,
): Map<string, string[]> {
  const tsconfig = userTsconfig(decorators, [...byModule.keys()]);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  const result = spawnSync(tsc, ["-p", "tsconfig.json", "--pretty", "false"], { cwd: dir, encoding: "utf8" });
  if (result.error !== undefined) throw result.error;
  const errors = new Map<string, string[]>();
  let last: string[] | null = null;
  for (const line of `${result.stdout}${result.stderr}`.split("\n")) {
    const hit = /^src\/(.+)\.ts\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (hit !== null) {
      const [, name = "", row = "0", column = "0", code = "", message = ""] = hit;
      const example = byModule.get(name);
      if (example === undefined) throw new Error(`tsc reported an unknown module: ${line}`);
      last = errors.get(name) ?? [];
      errors.set(name, last);
      last.push(`${readmeLocation(example, Number(row))}:${column} ${code} ${message}`);
    } else if (last !== null && /^\s+\S/.test(line)) {
      last[last.length - 1] += `\n${line}`;
    } else if (line.trim() !== "") {
      // Not about one block (a bad tsconfig, a missing @types package): nothing can be trusted.
      throw new Error(`tsc failed in ${dir}:\n${result.stdout}${result.stderr}`);
    }
  }
  if (result.status !== 0 && errors.size === 0)
    throw new Error(`tsc exited with ${result.status} in ${dir}:\n${result.stdout}${result.stderr}`);
  return errors;
}

// Every ```ts block of the READMEs (root, packages/, apps/) is type-checked as a user's strict
// project would compile it, then run unless marked `no-run`: see src/readme-blocks.ts for the
// fence words and src/run-example.ts for the run rule. Examples get a throwaway database as
// DATABASE_URL and a free port as PORT. A failure names the README and the block's line.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../packages/pg-pool/test/fixtures/database.js";
import { type CompiledExample, compileExamples } from "../src/example-project.js";
import { collectExamples } from "../src/readme-blocks.js";
import { runExample } from "../src/run-example.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const repositoryRoot = join(packageDir, "..", "..");
const RUN_TIMEOUT_MS = 30_000;

const examples = collectExamples(repositoryRoot);
let compiled: ReadonlyMap<string, CompiledExample>;
let database: TestDatabase;

const key = (readme: string, line: number): string => `${readme}:${line}`;

beforeAll(async () => {
  const list = compileExamples(
    examples,
    join(packageDir, ".tmp", "examples"),
    join(repositoryRoot, "node_modules", ".bin", "tsc"),
  );
  compiled = new Map(list.map((c) => [key(c.example.readme, c.example.line), c]));
  database = await createTestDatabase("readme");
});

afterAll(async () => {
  await database?.drop();
});

function compiledFor(readme: string, line: number): CompiledExample {
  const found = compiled.get(key(readme, line));
  if (found === undefined) throw new Error(`${readme}:${line} was not compiled`);
  return found;
}

it("finds the examples of the READMEs", () => {
  expect(examples.map((e) => e.readme)).toContain("packages/core/README.md");
});

for (const readme of [...new Set(examples.map((e) => e.readme))]) {
  describe(readme, () => {
    for (const example of examples.filter((e) => e.readme === readme)) {
      it(`line ${example.line} type-checks (strict${example.decorators ? ", decorators" : ""})`, () => {
        expect(compiledFor(readme, example.line).errors).toEqual([]);
      });
      if (example.runnable) {
        it(
          `line ${example.line} runs`,
          async () => {
            const { file, cwd } = compiledFor(readme, example.line);
            const outcome = await runExample(file, {
              cwd,
              env: { DATABASE_URL: database.url },
              timeoutMs: RUN_TIMEOUT_MS,
            });
            // Ending with code 0 is not enough when the example printed an error on the way.
            expect(outcome.output).not.toMatch(/\b[A-Z]\w*Error\b/);
          },
          RUN_TIMEOUT_MS + 15_000,
        );
      }
    }
  });
}

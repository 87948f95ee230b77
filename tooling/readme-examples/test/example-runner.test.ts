// The checker and the runner on small examples with known faults: a type error must name its
// README line, and each way an example can misbehave must fail its run with the reason.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { type CompiledExample, compileExamples } from "../src/example-project.js";
import { readBlocks, toExamples } from "../src/readme-blocks.js";
import { runExample } from "../src/run-example.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const tsc = join(packageDir, "..", "..", "node_modules", ".bin", "tsc");

const markdown = [
  "```ts", // 1: exits by itself
  'console.log("done");',
  "```",
  "```ts", // 4: a type error on README line 6
  "const n: number = 1;",
  'const s: string = n + "";',
  "const wrong: string = n;",
  "```",
  "```ts", // 9: fails at run time
  'throw new Error("broken example");',
  "```",
  "```ts", // 12: serves on PORT
  'import { App } from "@fasterapi/core";',
  'import { http1 } from "@fasterapi/http1";',
  'const app = new App({ title: "t", version: "1", logger: false });',
  'app.register(http1({ port: Number(process.env.PORT), host: "127.0.0.1" }));',
  "await app.listen();",
  "```",
  "```ts", // 19: neither ends nor serves
  "setInterval(() => {}, 1000);",
  "```",
].join("\n");

let compiled: CompiledExample[];
const at = (line: number): CompiledExample => {
  const found = compiled.find((c) => c.example.line === line);
  if (found === undefined) throw new Error(`no example at line ${line}`);
  return found;
};
const run = (line: number, timeoutMs = 10_000) =>
  runExample(at(line).file, { cwd: at(line).cwd, env: {}, timeoutMs });

beforeAll(() => {
  const examples = toExamples(readBlocks("fixture/README.md", markdown));
  compiled = compileExamples(examples, join(packageDir, ".tmp", "runner-fixture"), tsc);
});

describe("example checker and runner", () => {
  it("reports a type error at its README line", () => {
    expect(at(2).errors).toEqual([]);
    expect(at(5).errors).toEqual([
      "fixture/README.md:7:7 TS2322 Type 'number' is not assignable to type 'string'.",
    ]);
  });

  it("passes an example that ends by itself, and one that serves on PORT and stops on SIGTERM", async () => {
    await expect(run(2)).resolves.toMatchObject({ how: "exited", output: "done\n" });
    await expect(run(13)).resolves.toMatchObject({ how: "served" });
  });

  it("fails an example that throws, with its output", async () => {
    await expect(run(10)).rejects.toThrow(/exited with code 1[\s\S]*Error: broken example/);
  });

  it("fails an example that neither ends nor serves within the time bound", async () => {
    await expect(run(20, 1_000)).rejects.toThrow(
      /neither ended nor answered GET \/openapi.json on PORT \d+ within 1000 ms/,
    );
  });
});

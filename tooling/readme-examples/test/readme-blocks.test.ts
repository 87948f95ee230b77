// How README Markdown becomes examples: which fences count, what `continues` and `no-run` do,
// and how a line of a joined module maps back to its README line.
import { describe, expect, it } from "vitest";
import { readBlocks, readmeLocation, toExamples } from "../src/readme-blocks.js";

const markdown = [
  "# Title", //                      1
  "```ts", //                        2
  'const a = "first";', //           3
  "```", //                          4
  "```sh", //                        5
  "echo not checked", //             6
  "```", //                          7
  "1. In a list:", //                8
  "   ```typescript continues", //   9
  "   const b = a;", //              10
  "   ```", //                       11
  "```ts no-run", //                 12
  "@Controller() class C {}", //     13
  "```", //                          14
].join("\n");

describe("README blocks", () => {
  it("takes ts and typescript fences, strips list indentation and joins `continues` blocks", () => {
    const examples = toExamples(readBlocks("x/README.md", markdown));
    expect(examples.map((e) => [e.line, e.code, e.runnable, e.decorators])).toEqual([
      [3, 'const a = "first";\nconst b = a;', true, false],
      [13, "@Controller() class C {}", false, true],
    ]);
  });

  it("maps a line of a joined module back to the README line it came from", () => {
    const [joined] = toExamples(readBlocks("x/README.md", markdown));
    expect(joined && [readmeLocation(joined, 1), readmeLocation(joined, 2)]).toEqual([
      "x/README.md:3",
      "x/README.md:10",
    ]);
  });

  it("refuses unknown fence words, a `continues` with nothing before it and an unclosed fence", () => {
    expect(() => readBlocks("x/README.md", "```ts runnable\nx\n```")).toThrow(
      'x/README.md:1: unknown fence word "runnable"',
    );
    expect(() => toExamples(readBlocks("x/README.md", "```ts continues\nx\n```"))).toThrow(
      'x/README.md:1: "continues" needs an earlier ts block in this README',
    );
    expect(() => readBlocks("x/README.md", "text\n```ts\nx\n")).toThrow(
      "x/README.md:2: code block is never closed",
    );
  });
});

// Builds the binding with AddressSanitizer + UndefinedBehaviorSanitizer into a temporary folder
// and runs every entry point under it in a child Node. Slow (a compile), so it is an integration test.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "fasterapi-zstd-asan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("runs every binding entry point clean under ASan and UBSan", async () => {
  const addon = join(dir, "fasterapi_zstd.node");
  const nodeInclude = join(dirname(dirname(process.execPath)), "include", "node");
  await run("g++", [
    "-std=c++20",
    "-O1",
    "-g",
    "-fsanitize=address,undefined",
    "-fno-omit-frame-pointer",
    "-fno-exceptions",
    "-fno-rtti",
    "-fPIC",
    "-shared",
    "-DNAPI_VERSION=8",
    `-I${nodeInclude}`,
    join(here, "..", "src", "zstd_binding.cc"),
    "-lzstd",
    "-o",
    addon,
  ]);
  const runtime = async (name: string) => (await run("gcc", [`-print-file-name=${name}`])).stdout.trim();
  const preload = `${await runtime("libasan.so")}:${await runtime("libubsan.so")}`;
  const { stdout, stderr } = await run(
    process.execPath,
    [join(here, "fixtures", "exercise-binding.cjs"), addon],
    {
      env: {
        ...process.env,
        NODE_OPTIONS: "",
        LD_PRELOAD: preload,
        // Node itself never frees some start-up allocations; leaks are not what this run looks for.
        ASAN_OPTIONS: "detect_leaks=0:abort_on_error=1",
        UBSAN_OPTIONS: "halt_on_error=1:print_stacktrace=1",
      },
    },
  );
  expect(stderr).not.toMatch(/AddressSanitizer|runtime error/);
  expect(stdout).toContain("exercised");
}, 120_000);

// HTTP/3 has no JS twin: without the addon (FASTERAPI_NATIVE=0 stands in for a machine where it
// does not load) listen() fails with a message saying why, or, with ifUnavailable: "skip", the
// app serves its other transports after one log line.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

function script(ifUnavailable: "fail" | "skip"): string {
  return `
    import { App } from "@fasterapi/core";
    import { http3 } from "@fasterapi/http3";
    const app = new App({ logger: false, docs: false });
    app.register(http3({ port: 0, tls: { key: "k", cert: "c" }, ifUnavailable: "${ifUnavailable}" }));
    try {
      const addresses = await app.listen();
      console.log("LISTENED", JSON.stringify(addresses));
      await app.close();
    } catch (error) {
      console.log("FAILED", error.message);
    }`;
}

async function runWithoutAddon(ifUnavailable: "fail" | "skip") {
  const { NODE_OPTIONS, ...env } = process.env;
  const { stdout, stderr } = await run(
    process.execPath,
    ["--input-type=module", "-e", script(ifUnavailable)],
    {
      cwd: packageDir,
      env: { ...env, FASTERAPI_NATIVE: "0" },
    },
  );
  return { stdout, stderr };
}

describe("without the native addon", () => {
  it("fails at listen() with a message that names the addon and why there is no fallback", async () => {
    const { stdout } = await runWithoutAddon("fail");
    expect(stdout).toMatch(/^FAILED http3\(\): HTTP\/3 needs the native addon @fasterapi\/http3-native/);
    expect(stdout).toContain("no JS fallback");
  });

  it('logs one line and serves nothing with ifUnavailable: "skip"', async () => {
    const { stdout, stderr } = await runWithoutAddon("skip");
    expect(stdout).toMatch(/^LISTENED/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain('Skipping HTTP/3 (ifUnavailable: "skip")');
  });
});

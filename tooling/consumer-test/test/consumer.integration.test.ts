// The packages as a new user gets them: every published package (platform packages included) is
// packed, installed with npm (--ignore-scripts: nothing may need an install script) into an empty
// project outside the workspace, and a user's app (fixtures/consumer-app.mjs: HTTP/1.1, h2c,
// WebSocket, PostgreSQL, compression) runs there against the machine's PostgreSQL. The app must run on the prebuilt addons from that project's
// node_modules, on the JS paths with FASTERAPI_NATIVE=0, and fall back with one log line per addon
// when the platform packages are missing.
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRaw } from "../../../packages/ws/test/fixtures/raw-websocket.js";
import { packPublished } from "./fixtures/pack.js";
import { addonPackages } from "./fixtures/workspace.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
/** The addon packages the app uses (http1 and http2 on the engine, WebSocket, pg sessions, zstd). */
const used = addonPackages().filter(({ manifest }) =>
  [
    "@fasterapi/native",
    "@fasterapi/http1-native",
    "@fasterapi/http2-native",
    "@fasterapi/ws-native",
    "@fasterapi/pg-pool-native",
    "@fasterapi/compression-native",
  ].includes(manifest.name),
);

let scratch: string;
let project: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "fasterapi-consumer-"));
  const tarballs = join(scratch, "tarballs");
  project = join(scratch, "app");
  const packed = packPublished(tarballs);
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), '{ "name": "consumer", "private": true, "type": "module" }\n');
  execFileSync(
    "npm",
    [
      "install",
      "--ignore-scripts",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      ...packed.map(({ filename }) => filename),
    ],
    { cwd: project, stdio: "pipe", timeout: 90_000 },
  );
  copyFileSync(new URL("./fixtures/consumer-app.mjs", import.meta.url), join(project, "app.mjs"));
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface RunningApp {
  port: number;
  /** The HTTP/2 cleartext (prior knowledge) listener. */
  h2cPort: number;
  output: () => string;
  stop: () => Promise<void>;
}

/** The child's environment: nothing from this workspace (no NODE_OPTIONS preloads, no NODE_PATH). */
function appEnv(native: string | undefined): NodeJS.ProcessEnv {
  const { NODE_OPTIONS, NODE_PATH, FASTERAPI_NATIVE, FASTERAPI_SANITIZE, ...rest } = process.env;
  return native === undefined
    ? { ...rest, DATABASE_URL }
    : { ...rest, DATABASE_URL, FASTERAPI_NATIVE: native };
}

function spawnApp(native: string | undefined): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["app.mjs"], { cwd: project, env: appEnv(native) });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

function startApp(native?: string): Promise<RunningApp> {
  const { child, output } = spawnApp(native);
  // "close" comes after the child's stdout and stderr ended, so output() is complete by then.
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
  };
  return new Promise((resolve, reject) => {
    exited.then((code) => reject(new Error(`app exited (${code}) before listening:\n${output()}`)));
    child.stdout?.on("data", () => {
      const ports = /"listening":(\d+),"h2c":(\d+)/.exec(output());
      if (ports !== null) resolve({ port: Number(ports[1]), h2cPort: Number(ports[2]), output, stop });
    });
  });
}

/** A GET through curl, which decodes zstd and gzip (--compressed) like a browser would. */
async function curl(
  port: number,
  path: string,
  acceptEncoding?: string,
): Promise<{ headers: string; body: string }> {
  const args = ["-s", "-D", "-", "--max-time", "10", `http://127.0.0.1:${port}${path}`];
  if (acceptEncoding !== undefined) args.push("--compressed", "-H", `Accept-Encoding: ${acceptEncoding}`);
  const { stdout: response } = await promisify(execFile)("curl", args, { encoding: "utf8" });
  const split = response.indexOf("\r\n\r\n");
  return { headers: response.slice(0, split).toLowerCase(), body: response.slice(split + 4) };
}

function contentEncoding(headers: string): string | undefined {
  return /^content-encoding: (\S+)/m.exec(headers)?.[1];
}

interface NativeReport {
  addons: { name: string; path: string; source: string }[];
  stats: {
    pool: { sessionSockets: { native: number; js: number } };
    compression: { zstd: string; codings: string[] };
    transports: Record<string, { requests: number }>;
    websocket: { backends: Record<string, { messagesIn: number }> };
  };
  resolved: Record<string, string>;
}

/** One WebSocket echo on the HTTP/1.1 port (16 KiB, so the native path echoes it by reference). */
async function expectEcho(port: number): Promise<void> {
  const client = await openRaw(port, { path: "/echo" });
  client.send({ opcode: 2, repeat: ["echo", 4096] });
  const reply = await client.next();
  expect(reply !== "end" && reply.payload.equals(Buffer.from("echo".repeat(4096)))).toBe(true);
  client.socket.destroy();
}

async function expectAnswers(app: RunningApp): Promise<NativeReport> {
  expect(JSON.parse((await curl(app.port, "/answer")).body)).toEqual({ answer: 42 });
  const { stdout: h2 } = await promisify(execFile)(
    "curl",
    ["-s", "--http2-prior-knowledge", "-w", " %{http_version}", `http://127.0.0.1:${app.h2cPort}/answer`],
    { encoding: "utf8" },
  );
  expect(h2).toBe('{"answer":42} 2');
  await expectEcho(app.port);
  const report = JSON.parse((await curl(app.port, "/native")).body) as NativeReport;
  const inProject = pathToFileURL(join(project, "node_modules")).href;
  for (const url of Object.values(report.resolved)) expect(url.startsWith(inProject), url).toBe(true);
  return report;
}

describe("packed packages installed with npm outside the workspace", () => {
  it("run on the prebuilt addons from the project's platform packages", async () => {
    const app = await startApp();
    try {
      const report = await expectAnswers(app);
      const zstd = await curl(app.port, "/text", "zstd");
      expect(contentEncoding(zstd.headers)).toBe("zstd");
      expect(JSON.parse(zstd.body)).toEqual({ text: "compress me ".repeat(500) });

      const expected = used.map(({ platform }) => ({
        name: platform.manifest.main!.replace(/\.node$/, ""),
        path: join(project, "node_modules", platform.manifest.name, platform.manifest.main!),
        source: "prebuilt",
      }));
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect(report.addons.sort(byName)).toEqual(expected.sort(byName));
      expect(report.addons.map(({ name }) => name).sort()).toEqual([
        "fasterapi_engine",
        "fasterapi_http1",
        "fasterapi_http2",
        "fasterapi_pgwire",
        "fasterapi_ws",
        "fasterapi_zstd",
      ]);
      expect(report.stats.pool.sessionSockets).toEqual({ native: 1, js: 0 });
      expect(report.stats.compression.zstd).toBe("native");
      expect(report.stats.transports.http1?.requests).toBeGreaterThanOrEqual(2);
      expect(report.stats.transports.http2?.requests).toBe(1);
      expect(Object.keys(report.stats.websocket.backends)).toEqual(["native"]);
      expect(report.stats.websocket.backends.native?.messagesIn).toBe(1);
    } finally {
      await app.stop();
    }
    expect(app.output()).not.toContain("using the JS path");
  });

  it("run on the JS paths with FASTERAPI_NATIVE=0, answering the same", async () => {
    const app = await startApp("0");
    try {
      const report = await expectAnswers(app);
      expect(report.addons).toEqual([]);
      expect(report.stats.pool.sessionSockets).toEqual({ native: 0, js: 1 });
      expect(Object.keys(report.stats.websocket.backends)).toEqual(["node"]);
      expect(report.stats.compression.zstd).not.toBe("native");
      // Node 20 has no zstd in node:zlib: then zstd is not offered and gzip is the next choice.
      const text = await curl(app.port, "/text", "zstd, gzip");
      expect(contentEncoding(text.headers)).toBe(report.stats.compression.zstd === "none" ? "gzip" : "zstd");
      expect(JSON.parse(text.body)).toEqual({ text: "compress me ".repeat(500) });
    } finally {
      await app.stop();
    }
  });

  it("fall back with one log line per addon without the platform packages, and fail with FASTERAPI_NATIVE=1", async () => {
    for (const { platform } of used) {
      const dir = join(project, "node_modules", platform.manifest.name);
      renameSync(dir, `${dir}.moved`);
    }
    const app = await startApp();
    try {
      const report = await expectAnswers(app);
      expect(report.addons).toEqual([]);
      expect(report.stats.pool.sessionSockets).toEqual({ native: 0, js: 1 });
      expect(Object.keys(report.stats.websocket.backends)).toEqual(["node"]);
    } finally {
      await app.stop();
    }
    const lines = app
      .output()
      .split("\n")
      .filter((line) => line.includes("[fasterapi] native addon"));
    for (const line of lines)
      expect(line).toMatch(/native addon (\w+) not found \(tried .*\); using the JS path$/);
    const names = lines.map((line) => /native addon (\w+)/.exec(line)?.[1]).sort();
    // http1, http2 and pg stop at their own addon, so the engine is never asked for; WebSocket
    // upgrades then come from node:http, so ws-native is not either.
    expect(names).toEqual(["fasterapi_http1", "fasterapi_http2", "fasterapi_pgwire", "fasterapi_zstd"]);

    const { child, output } = spawnApp("1");
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).not.toBe(0);
    expect(output()).toMatch(/NativeAddonError: FASTERAPI_NATIVE=1 but native addon fasterapi_\w+ not found/);
  });
});

// closeOnSignals on a real server process, on both HTTP/1.1 engines: SIGTERM drains in-flight
// requests and exits 0, a second signal exits 1 at once, and under wrk load no request that the
// server read is left unanswered (tooling/scripts/sigterm-under-load.mjs counts both sides).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { measureSigtermUnderLoad } from "../../../tooling/scripts/sigterm-under-load.mjs";

const SERVER = fileURLToPath(new URL("./fixtures/shutdown-server.mjs", import.meta.url));

interface Started {
  child: ChildProcess;
  port: number;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

async function startServer(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: Record<string, unknown>[] = [];
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline = buffered.indexOf("\n");
      while (newline !== -1) {
        const line = JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>;
        lines.push(line);
        if (typeof line.port === "number") resolve(line.port);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf("\n");
      }
    });
    void exited.then((code) => reject(new Error(`server exited early with ${code}`)));
  });
  return { child, port, lines, exited };
}

for (const [engine, native] of [
  ["native engine", "1"],
  ["node:http", "0"],
] as const) {
  describe(`graceful shutdown on SIGTERM (${engine})`, () => {
    it("finishes the in-flight request, refuses new connections, then exits 0", async () => {
      const server = await startServer({ FASTERAPI_NATIVE: native, SLOW_MS: "400" });
      const base = `http://127.0.0.1:${server.port}`;
      const slow = fetch(`${base}/slow`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      server.child.kill("SIGTERM");
      const res = await slow;
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("slow done");
      expect(await server.exited).toBe(0);
      await expect(fetch(`${base}/`)).rejects.toThrow();
      expect(server.lines.at(-1)).toEqual({ exit: 0, read: 1, answered: 1, inFlight: 0 });
    });

    it("ignores an echo of the first signal, and exits 130 at once on a second SIGINT while a request hangs", async () => {
      const server = await startServer({ FASTERAPI_NATIVE: native, CLOSE_GRACE_MS: "20000" });
      const hanging = fetch(`http://127.0.0.1:${server.port}/hang`).catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 100));
      server.child.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 50));
      server.child.kill("SIGINT"); // within the echo window: the same Ctrl-C forwarded again
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(server.child.exitCode).toBeNull();
      const second = Date.now();
      server.child.kill("SIGINT");
      expect(await server.exited).toBe(130);
      expect(Date.now() - second).toBeLessThan(2000);
      expect(await hanging).toBeInstanceOf(Error);
      expect(server.lines.at(-1)).toMatchObject({ exit: 130, inFlight: 1 });
    });

    it("loses no request under wrk load: every request read is answered and every answer reached wrk", async () => {
      const result = await measureSigtermUnderLoad({
        command: process.execPath,
        args: [SERVER],
        env: { ...process.env, FASTERAPI_NATIVE: native },
        connections: 16,
        seconds: 2,
        signalAfterMs: 800,
      });
      expect(result.exitCode).toBe(0);
      expect(result.client.completed).toBeGreaterThan(100);
      expect(result.server.inFlight).toBe(0);
      expect(result.server.read).toBe(result.server.answered);
      expect(result.server.answered).toBe(result.client.completed);
      expect(result.lost).toBe(0);
    });
  });
}

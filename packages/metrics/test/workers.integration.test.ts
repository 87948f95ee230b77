// /metrics under app.run({ workers: 2 }): a child process runs fixtures/workers-app.mjs as the
// primary, requests over fresh connections land on both workers, and one scrape (answered by
// whichever worker gets it) holds the sum of both workers' counts. Worker threads are the native
// path, cluster processes the node:http path.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { get } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../../tooling/test-support/loopback-port.mjs";
import { killChild, startUntilReady } from "../../../tooling/test-support/ready-process.js";
import { parseExposition } from "./fixtures/exposition.js";

const appPath = new URL("./fixtures/workers-app.mjs", import.meta.url).pathname;
let child: ChildProcess | undefined;

afterEach(async () => {
  await killChild(child);
  child = undefined;
});

/** The primary of the fixture on `port`, once it printed its ready line. */
function startWorkers(port: number, native: boolean): Promise<ChildProcess> {
  return startUntilReady(appPath, { PORT: String(port), NATIVE: native ? "1" : "0" });
}

/** GET over a fresh connection, so the kernel spreads the requests over the workers. */
function getText(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }),
      );
      res.on("error", reject);
    }).on("error", reject);
  });
}

const modes = [
  { name: "worker threads on the native transport", native: true },
  { name: "cluster processes on the node:http path", native: false },
];

describe.each(modes)("metrics() under app.run({ workers: 2 }) with $name", ({ native }) => {
  it("answers /metrics in any worker with the sum over both workers", async () => {
    const port = await freePort();
    child = await startWorkers(port, native);
    const perWorker = new Map<number, number>();
    let sent = 0;
    while (sent < 200 && (perWorker.size < 2 || sent < 20)) {
      const worker = JSON.parse((await getText(port, "/whoami")).body).worker as number;
      perWorker.set(worker, (perWorker.get(worker) ?? 0) + 1);
      sent++;
    }
    expect([...perWorker.keys()].sort()).toEqual([0, 1]);

    // Several scrapes, so both workers answer one; each must count every worker's requests.
    for (let scrapeNo = 0; scrapeNo < 4; scrapeNo++) {
      const res = await getText(port, "/metrics");
      expect(res.status).toBe(200);
      expect(res.type).toBe("text/plain; version=0.0.4; charset=utf-8");
      const scrape = parseExposition(res.body);
      const whoami = { method: "GET", route: "/whoami", status_code: "200" };
      expect(scrape.value("http_request_duration_seconds_count", whoami)).toBe(sent);
      expect(scrape.value("http_request_duration_seconds_bucket", { ...whoami, le: "+Inf" })).toBe(sent);
      expect(scrape.types.get("http_request_duration_seconds")).toBe("histogram");
      // Earlier scrapes are counted too, by whichever worker answered them.
      if (scrapeNo > 0)
        expect(
          scrape.value("http_request_duration_seconds_count", { route: "/metrics", status_code: "200" }),
        ).toBe(scrapeNo);
    }

    // The primary's SIGTERM drains both workers and exits 0.
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  }, 60_000);
});

import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { Engine, type EngineStats } from "../src/index.js";
import { collect, connectPlain } from "./fixtures/line-client.js";

const workerUrl = new URL("./fixtures/engine-worker.mjs", import.meta.url);
const workers: Worker[] = [];

interface Reply {
  type: string;
  port?: number;
  stats?: EngineStats;
}

async function startWorker(port: number, echo = false): Promise<{ worker: Worker; port: number }> {
  const worker = new Worker(workerUrl, { workerData: { port, echo } });
  workers.push(worker);
  const [reply] = (await once(worker, "message")) as [Reply];
  return { worker, port: reply.port ?? -1 };
}

async function ask(worker: Worker, message: string): Promise<Reply> {
  worker.postMessage(message);
  const [reply] = (await once(worker, "message")) as [Reply];
  return reply;
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

describe("Engine in worker threads", () => {
  it("lets two workers bind one port with SO_REUSEPORT and both accept connections", async () => {
    const a = await startWorker(0);
    const b = await startWorker(a.port);
    expect(b.port).toBe(a.port);
    const total = 64;
    for (let i = 0; i < total; i++) {
      // No protocol on these listeners: each accepted connection is closed politely.
      expect(await collect(await connectPlain(a.port))).toEqual({ received: "", closedBy: "end" });
    }
    const [sa, sb] = await Promise.all([ask(a.worker, "stats"), ask(b.worker, "stats")]);
    const countA = sa.stats?.connections ?? 0;
    const countB = sb.stats?.connections ?? 0;
    expect(countA + countB).toBe(total);
    expect(countA).toBeGreaterThan(0);
    expect(countB).toBeGreaterThan(0);

    const exits = [once(a.worker, "exit"), once(b.worker, "exit")]; // before they can happen
    const closed = await Promise.all([ask(a.worker, "close"), ask(b.worker, "close")]);
    expect(closed.map((r) => r.stats?.listeners)).toEqual([0, 0]);
    // A closed engine holds nothing that keeps a worker alive.
    expect((await Promise.all(exits)).map(([code]) => code)).toEqual([0, 0]);
  });

  it("closes its sockets when a worker is terminated with connections open", async () => {
    const { worker, port } = await startWorker(0, true);
    const socket = await connectPlain(port);
    const done = collect(socket);
    socket.write("ping\n");
    await once(socket, "data");
    await worker.terminate();
    expect((await done).received).toBe("ping\n");
    // The listening socket is gone too: binding without SO_REUSEPORT now succeeds.
    const engine = new Engine();
    await expect(engine.listen({ host: "127.0.0.1", port, reusePort: false })).resolves.toBe(port);
    await engine.close(0);
  });
});

// app.publish under app.run({ workers: 2 }) without Redis: a child process runs
// fixtures/workers-app.mjs as the primary, `ws` clients connect until both workers hold some, and
// a publish answered by one worker reaches every client on both workers exactly once, text as
// text and binary as binary. Worker threads are the native path, cluster processes node:http.
import type { ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { freePort } from "../../../tooling/test-support/loopback-port.mjs";
import { killChild, startUntilReady } from "../../../tooling/test-support/ready-process.js";

const appPath = new URL("./fixtures/workers-app.mjs", import.meta.url).pathname;
let child: ChildProcess | undefined;
const clients: WebSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await killChild(child);
  child = undefined;
});

/** The primary of the fixture on `port`, once it printed its ready line. */
function startWorkers(port: number, native: boolean): Promise<ChildProcess> {
  return startUntilReady(appPath, { PORT: String(port), NATIVE: native ? "1" : "0" });
}

interface Subscriber {
  worker: number;
  /** Every message after the opening one, text as "text:..." and binary as "binary:...". */
  received: string[];
  /** Resolves once `count` messages arrived; rejects after 5 s with what did. */
  receivedCount(count: number): Promise<void>;
}

/** A client of /news: resolves once the server told it its worker (it is subscribed by then). */
function subscribe(port: number): Promise<Subscriber> {
  const client = new WebSocket(`ws://127.0.0.1:${port}/news`);
  clients.push(client);
  return new Promise((resolve, reject) => {
    const received: string[] = [];
    const waiters: { count: number; resolve: () => void }[] = [];
    client.once("error", reject);
    client.once("message", (opening) => {
      const { worker } = JSON.parse(String(opening)) as { worker: number };
      client.on("message", (data, isBinary) => {
        received.push(`${isBinary ? "binary" : "text"}:${String(data)}`);
        for (const waiter of waiters.splice(0)) {
          if (received.length >= waiter.count) waiter.resolve();
          else waiters.push(waiter);
        }
      });
      const receivedCount = (count: number) =>
        received.length >= count
          ? Promise.resolve()
          : new Promise<void>((done, fail) => {
              const timer = setTimeout(
                () =>
                  fail(
                    new Error(
                      `worker ${worker}'s client got ${JSON.stringify(received)}, not ${count} messages`,
                    ),
                  ),
                5000,
              );
              waiters.push({ count, resolve: () => done(clearTimeout(timer)) });
            });
      resolve({ worker, received, receivedCount });
    });
  });
}

/** POST /publish/:text over `agent`'s one kept-alive connection, so every round hits the same worker. */
function publish(port: number, text: string, agent: Agent): Promise<{ worker: number; delivered: number }> {
  return new Promise((resolve, reject) => {
    const post = request(
      { host: "127.0.0.1", port, path: `/publish/${text}`, method: "POST", agent },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => {
          if (res.statusCode === 200) resolve(JSON.parse(body));
          else reject(new Error(`POST /publish answered ${res.statusCode}: ${body}`));
        });
      },
    );
    post.on("error", reject);
    post.end();
  });
}

const modes = [
  { name: "worker threads on the native transport", native: true },
  { name: "cluster processes on the node:http path", native: false },
] as const;

describe.each(modes)("ws publish under app.run({ workers: 2 }) with $name", ({ native }) => {
  it("reaches the subscribers of both workers exactly once, text and binary, without Redis", async () => {
    const port = await freePort();
    child = await startWorkers(port, native);
    // Fresh connections until both workers hold a subscriber (the kernel spreads them).
    const subscribers: Subscriber[] = [];
    for (let i = 0; i < 100 && new Set(subscribers.map((s) => s.worker)).size < 2; i++) {
      subscribers.push(await subscribe(port));
    }
    expect(new Set(subscribers.map((s) => s.worker))).toEqual(new Set([0, 1]));

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await publish(port, "one", agent);
    const local = subscribers.filter((s) => s.worker === first.worker).length;
    expect(first.delivered).toBe(2 * local);
    // Round two, from the same worker, is the sentinel: delivery keeps each publisher's order, so a
    // duplicate of a round-one message would arrive before round two's last message does.
    const second = await publish(port, "two", agent);
    agent.destroy();
    expect(second).toEqual({ worker: first.worker, delivered: 2 * local });
    await Promise.all(subscribers.map((s) => s.receivedCount(4)));
    for (const subscriber of subscribers) {
      expect(subscriber.received).toEqual(["text:one", "binary:bytes:one", "text:two", "binary:bytes:two"]);
    }
  }, 20_000);
});

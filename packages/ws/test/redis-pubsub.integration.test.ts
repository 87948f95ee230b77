// Two app processes with redisPubSub against the machine's Redis (127.0.0.1:6379): a message
// published in one (app.publish or ws.publish) reaches the subscribers of the other exactly once.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { until } from "../../../tooling/test-support/until.js";
import { redisPubSub } from "../src/index.js";

const children: ChildProcess[] = [];

async function startProcess(prefix: string): Promise<number> {
  const child = spawn(process.execPath, [join(import.meta.dirname, "fixtures", "redis-app.mjs")], {
    env: { ...process.env, PREFIX: prefix, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  return Number(chunk.toString().trim());
}

function join2(port: number, room: string): Promise<{ client: WebSocket; messages: string[] }> {
  return new Promise((resolve, reject) => {
    const client = new WebSocket(`ws://127.0.0.1:${port}/room/${room}`);
    const messages: string[] = [];
    client.on("message", (data) => {
      messages.push(String(data));
      if (messages.length === 1) resolve({ client, messages });
    });
    client.once("error", reject);
  });
}

describe("redisPubSub across two processes", () => {
  let ports: number[];
  const prefix = `fasterapi-test:${randomBytes(4).toString("hex")}:`;
  const redis = new Redis("redis://127.0.0.1:6379");
  /** How many processes SUBSCRIBEd to a topic, as Redis sees it. */
  async function subscribedProcesses(topic: string): Promise<number> {
    const reply = (await redis.call("PUBSUB", "NUMSUB", prefix + topic)) as [string, number];
    return Number(reply[1]);
  }
  async function waitForSubscribers(topic: string, count: number): Promise<void> {
    const started = Date.now();
    while ((await subscribedProcesses(topic)) !== count) {
      if (Date.now() - started > 5000) throw new Error(`Redis never saw ${count} subscribers of ${topic}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  beforeAll(async () => {
    ports = await Promise.all([startProcess(prefix), startProcess(prefix)]);
  });
  afterAll(async () => {
    await redis.quit();
    await Promise.all(
      children.map((child) => {
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        return exited;
      }),
    );
  });

  it("delivers app.publish and ws.publish to the other process's subscribers, once", async () => {
    const [portA, portB] = ports as [number, number];
    const a = await join2(portA, "lobby");
    const b = await join2(portB, "lobby");
    const other = await join2(portB, "elsewhere");
    // SUBSCRIBE is asynchronous: wait until both processes' subscriptions are live in Redis.
    await waitForSubscribers("lobby", 2);
    const res = await fetch(`http://127.0.0.1:${portA}/say/lobby`, { method: "POST" });
    expect(await res.json()).toEqual({ delivered: 1 });
    await until(() => b.messages.length === 2);
    expect(b.messages[1]).toMatch(/^said in \d+$/);
    b.client.send("from b");
    await until(() => a.messages.length === 3);
    expect(a.messages.slice(1)).toEqual([b.messages[1], "from b"]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(b.messages).toHaveLength(2);
    expect(other.messages).toEqual(["joined"]);
    for (const { client } of [a, b, other]) client.close();
    // The last local subscriber gone, each process UNSUBSCRIBEs.
    await waitForSubscribers("lobby", 0);
  });

  it("fails app start with a clear error when Redis cannot be reached", async () => {
    const adapter = redisPubSub({ url: "redis://127.0.0.1:1", redis: { retryStrategy: () => null } });
    const log = { warn() {} } as never;
    await expect(adapter.start(() => {}, log)).rejects.toThrow(
      /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/,
    );
  });
});

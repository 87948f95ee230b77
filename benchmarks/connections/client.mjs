// The load side of `pnpm bench connections`, run as its own process pinned to the load core:
// `node client.mjs <port> <connections> <batch>`. It warms the server up, then on commands read
// from stdin ("open", "second", "close") opens the connections in batches with one GET /ping each,
// sends a second GET /ping on every held one, and closes them all, writing one JSON line per phase
// to stdout. It measures no server memory (the suite does) and exits by itself when stdin closes.
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { ResponseCounter } from "./response-counter.mjs";

const REQUEST = Buffer.from("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
const CONNECT_ATTEMPTS = 4;
const ATTEMPT_TIMEOUT_MS = 15_000;
const SECOND_PASS_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;
const WARMUP_CONNECTIONS = 10;
const WARMUP_REQUESTS_EACH = 100;

const [port, total, batchSize] = process.argv.slice(2).map(Number);
if (!(port > 0 && total > 0 && batchSize > 0)) {
  fail("usage: node client.mjs <port> <connections> <batch>");
}

function emit(event, fields = {}) {
  process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
}

function fail(message) {
  emit("error", { message });
  process.exit(1);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The soft open-files limit of this process, from /proc (Node has no getrlimit). */
function openFilesLimit() {
  const line = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return line?.[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(line?.[1]);
}

/** Resolves each awaited command line in order; the parent closing stdin ends this process. */
function commandReader() {
  const lines = createInterface({ input: process.stdin });
  const queued = [];
  let waiting = null;
  lines.on("line", (line) => {
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve(line.trim());
    } else queued.push(line.trim());
  });
  lines.on("close", () => process.exit(3));
  return async (expected) => {
    const line = queued.length > 0 ? queued.shift() : await new Promise((resolve) => (waiting = resolve));
    if (line !== expected) fail(`expected command "${expected}", got "${line}"`);
  };
}

/**
 * One client connection: counts 200 and other responses, notes when the server closed it
 * (a drop, unless we were closing it), and lets one caller at a time wait for the next answer.
 */
class HeldConnection {
  served = 0;
  non200 = 0;
  protocolErrors = 0;
  lastAnswerAt = 0;
  droppedAt = 0;
  closing = false;
  closed = false;
  #waiter = null;

  constructor() {
    const counter = new ResponseCounter((status) => {
      this.lastAnswerAt = performance.now();
      if (status === 200) this.served++;
      else this.non200++;
      this.#wake(true);
    });
    this.socket = connect({ host: "127.0.0.1", port });
    this.socket.setNoDelay(true);
    this.connected = new Promise((resolve) => this.socket.once("connect", resolve));
    this.socket.on("data", (chunk) => {
      try {
        counter.push(chunk);
      } catch {
        this.protocolErrors++;
        this.socket.destroy();
      }
    });
    // The close event that follows every error is where a failure is accounted for.
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      this.closed = true;
      if (!this.closing) this.droppedAt = performance.now();
      this.#wake(false);
    });
  }

  /** Sends GET /ping and resolves true once a response arrives, false on close or timeout. */
  request(timeoutMs) {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wake(false), timeoutMs);
      this.#waiter = (answered) => {
        clearTimeout(timer);
        resolve(answered);
      };
      this.socket.write(REQUEST);
    });
  }

  #wake(answered) {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.(answered);
  }

  close() {
    this.closing = true;
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", resolve);
      this.socket.end();
    });
  }
}

/** Opens one connection and gets its first answer, retrying refused or reset attempts. */
async function openServed(stats) {
  for (let attempt = 1; attempt <= CONNECT_ATTEMPTS; attempt++) {
    const conn = new HeldConnection();
    // Destroying the socket on timeout turns a hung attempt into a close, which ends the race.
    const timer = setTimeout(() => conn.socket.destroy(), ATTEMPT_TIMEOUT_MS);
    const answered = await Promise.race([
      conn.connected.then(() => conn.request(ATTEMPT_TIMEOUT_MS)),
      new Promise((resolve) => conn.socket.once("close", () => resolve(false))),
    ]);
    clearTimeout(timer);
    if (answered) return conn;
    conn.closing = true;
    conn.socket.destroy();
    if (attempt < CONNECT_ATTEMPTS) {
      stats.retries++;
      await sleep(100 * attempt);
    }
  }
  stats.failedToOpen++;
  return null;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function warmUp() {
  const conns = Array.from({ length: WARMUP_CONNECTIONS }, () => new HeldConnection());
  await Promise.all(
    conns.map(async (conn) => {
      await conn.connected;
      for (let i = 0; i < WARMUP_REQUESTS_EACH; i++) {
        if (!(await conn.request(ATTEMPT_TIMEOUT_MS))) throw new Error("warm-up request was not answered");
      }
    }),
  );
  await Promise.all(conns.map((conn) => conn.close()));
}

async function openAll() {
  const stats = { retries: 0, failedToOpen: 0 };
  const held = [];
  const started = performance.now();
  for (let offset = 0; offset < total; offset += batchSize) {
    const batch = Math.min(batchSize, total - offset);
    const opened = await Promise.all(Array.from({ length: batch }, () => openServed(stats)));
    for (const conn of opened) if (conn) held.push(conn);
  }
  return { held, stats, ms: performance.now() - started };
}

async function secondPass(held) {
  const alive = held.filter((conn) => !conn.closed);
  const droppedIdleMs = held
    .filter((conn) => conn.droppedAt > 0)
    .map((conn) => conn.droppedAt - conn.lastAnswerAt)
    .sort((a, b) => a - b);
  const latencies = [];
  const started = performance.now();
  await Promise.all(
    alive.map((conn) => {
      const sentAt = performance.now();
      return conn.request(SECOND_PASS_TIMEOUT_MS).then((answered) => {
        if (answered) latencies.push(performance.now() - sentAt);
      });
    }),
  );
  const ms = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    droppedDuringHold: held.length - alive.length,
    firstDropAfterIdleMs: droppedIdleMs[0] ?? null,
    answered: latencies.length,
    servedTwice: held.filter((conn) => conn.served === 2).length,
    requestsPerSec: ms > 0 ? (latencies.length / ms) * 1000 : 0,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    ms,
  };
}

async function closeAll(held) {
  const started = performance.now();
  let forced = 0;
  await Promise.race([Promise.all(held.map((conn) => conn.close())), sleep(CLOSE_TIMEOUT_MS)]);
  for (const conn of held) {
    if (!conn.closed) {
      forced++;
      conn.socket.destroy();
    }
  }
  return { ms: performance.now() - started, forced };
}

async function main() {
  const limit = openFilesLimit();
  if (limit < total + 64) {
    fail(`open-files limit ${limit} is too low for ${total} connections; raise it with ulimit -n`);
  }
  const nextCommand = commandReader();
  await warmUp();
  emit("warmed");

  await nextCommand("open");
  const { held, stats, ms } = await openAll();
  emit("opened", {
    opened: held.length,
    servedOnce: held.filter((conn) => conn.served === 1).length,
    failedToOpen: stats.failedToOpen,
    retries: stats.retries,
    ms,
  });

  await nextCommand("second");
  emit("second", await secondPass(held));

  await nextCommand("close");
  const closed = await closeAll(held);
  const non200 = held.reduce((sum, conn) => sum + conn.non200, 0);
  const protocolErrors = held.reduce((sum, conn) => sum + conn.protocolErrors, 0);
  emit("closed", { ...closed, non200, protocolErrors });
  process.exit(0);
}

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));

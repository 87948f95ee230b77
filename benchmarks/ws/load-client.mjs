// The WebSocket load client of `pnpm bench ws`, pinned to the load core. It speaks raw RFC 6455 on
// net sockets: each message is a frame built (and masked, and for compression deflated) once at
// start, written in batches of whatever came back, and answers are only counted by walking frame
// headers (never unmasked, inflated or decoded). That keeps it far cheaper per message than a
// ws-library client; it reports its own CPU use so a run shows whether it was the bottleneck.
// Usage: node load-client.mjs <echo|fanout|idle> <port> <json options>; prints one JSON line.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { deflateRawSync } from "node:zlib";

const [mode, portText, optionsText] = process.argv.slice(2);
const port = Number(portText);
const options = JSON.parse(optionsText ?? "{}");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A masked client frame (text opcode), deflated first with `compress` (no context takeover negotiated). */
function clientFrame(size, compress) {
  let payload = Buffer.alloc(size, 97);
  let first = 0x81;
  if (compress) {
    const deflated = deflateRawSync(payload);
    payload = deflated.subarray(0, deflated.length - 4);
    first |= 0x40;
  }
  const mask = randomBytes(4);
  const length = payload.length;
  const head =
    length < 126
      ? [first, 0x80 | length]
      : length < 65536
        ? [first, 0x80 | 126, length >> 8, length & 0xff]
        : null;
  if (head === null) throw new Error("load client frames stay under 64 KiB");
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([Buffer.from(head), mask, masked]);
}

/** Counts complete server frames in a byte stream without copying payloads. */
class FrameCounter {
  constructor() {
    this.skip = 0;
    this.partial = null;
  }
  count(chunk) {
    let data = chunk;
    if (this.partial !== null) {
      data = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    let frames = 0;
    let at = 0;
    if (this.skip > 0) {
      const taken = Math.min(this.skip, data.length);
      this.skip -= taken;
      at = taken;
      if (this.skip === 0) frames++;
    }
    while (at < data.length) {
      if (data.length - at < 2) break;
      let length = data[at + 1] & 0x7f;
      let header = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        header = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        header = 10;
      }
      const end = at + header + length;
      if (end <= data.length) {
        frames++;
        at = end;
      } else {
        this.skip = end - data.length;
        at = data.length;
        return frames;
      }
    }
    if (at < data.length) this.partial = Buffer.from(data.subarray(at));
    return frames;
  }
}

function handshake(path, compress) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    const extension = compress
      ? "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n"
      : "";
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n${extension}\r\n`,
    );
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.off("data", onData);
      const status = head.subarray(0, 12).toString();
      if (!status.startsWith("HTTP/1.1 101")) return reject(new Error(`handshake refused: ${status}`));
      const rest = head.subarray(end + 4);
      resolve({ socket, rest });
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
}

function cpuPercent(startUsage, startTime) {
  const used = process.cpuUsage(startUsage);
  const wallMicros = (performance.now() - startTime) * 1000;
  return (100 * (used.user + used.system)) / wallMicros;
}

/** Measures `count()` over the warm-up and then the timed window. */
async function measure(count) {
  await sleep(options.warmupSec * 1000);
  const before = count();
  const usage = process.cpuUsage();
  const started = performance.now();
  await sleep(options.durationSec * 1000);
  const seconds = (performance.now() - started) / 1000;
  return { messagesPerSec: (count() - before) / seconds, clientCpuPercent: cpuPercent(usage, started) };
}

async function echo() {
  const frame = clientFrame(options.size, options.compress);
  const burst = Buffer.concat(Array.from({ length: options.inflight }, () => frame));
  let received = 0;
  const sockets = [];
  for (let i = 0; i < options.connections; i++) {
    const { socket, rest } = await handshake("/echo", options.compress);
    const counter = new FrameCounter();
    const onData = (chunk) => {
      const n = counter.count(chunk);
      if (n === 0) return;
      received += n;
      // Refill what came back, keeping `inflight` messages outstanding on this connection.
      socket.write(n === options.inflight ? burst : burst.subarray(0, n * frame.length));
    };
    socket.on("data", onData);
    if (rest.length > 0) onData(rest);
    sockets.push(socket);
  }
  for (const socket of sockets) socket.write(burst);
  const result = await measure(() => received);
  for (const socket of sockets) socket.destroy();
  return result;
}

async function fanout() {
  let delivered = 0;
  const subscribers = [];
  for (let i = 0; i < options.subscribers; i++) {
    const { socket } = await handshake("/fanout?role=sub", false);
    const counter = new FrameCounter();
    socket.on("data", (chunk) => {
      delivered += counter.count(chunk);
    });
    subscribers.push(socket);
  }
  const { socket: publisher } = await handshake("/fanout?role=pub", false);
  const frame = clientFrame(options.size, false);
  let published = 0;
  // Keep `window` messages published but not yet delivered to every subscriber.
  const pump = () => {
    while (published - delivered / options.subscribers < options.window) {
      publisher.write(frame);
      published++;
    }
  };
  const timer = setInterval(pump, 1);
  pump();
  const result = await measure(() => delivered);
  clearInterval(timer);
  for (const socket of [...subscribers, publisher]) socket.destroy();
  return result;
}

async function idle() {
  const sockets = [];
  let failed = 0;
  for (let i = 0; i < options.connections; i += options.batch) {
    const batch = Math.min(options.batch, options.connections - i);
    const opened = await Promise.allSettled(Array.from({ length: batch }, () => handshake("/echo", false)));
    for (const outcome of opened) {
      if (outcome.status === "fulfilled") sockets.push(outcome.value.socket);
      else failed++;
    }
  }
  process.stdout.write(`${JSON.stringify({ opened: sockets.length, failed })}\n`);
  // Held until the harness has read the server's memory and says "close".
  for await (const line of createInterface({ input: process.stdin })) if (line === "close") break;
  let alive = 0;
  for (const socket of sockets) {
    if (!socket.destroyed) alive++;
    socket.destroy();
  }
  return { alive };
}

const modes = { echo, fanout, idle };
const result = await modes[mode]();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);

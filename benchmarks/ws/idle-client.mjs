// The idle-connections client of `pnpm bench ws`, pinned to the load core: it opens <count>
// WebSocket connections (raw RFC 6455 handshakes on net sockets, <batch> at a time), prints
// { opened, failed }, holds them until the harness has read the server's memory and writes
// "close" on stdin, then prints { alive }: how many the server kept open meanwhile.
// Usage: node idle-client.mjs <port> <count> <batch>
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { createInterface } from "node:readline";

const [port, count, batchSize] = process.argv.slice(2).map(Number);

function handshake() {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.write(
      "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      if (head.indexOf("\r\n\r\n") === -1) return;
      socket.off("data", onData);
      const status = head.subarray(0, 12).toString();
      if (!status.startsWith("HTTP/1.1 101")) return reject(new Error(`handshake refused: ${status}`));
      resolve(socket);
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
}

const sockets = [];
let failed = 0;
for (let i = 0; i < count; i += batchSize) {
  const batch = Math.min(batchSize, count - i);
  const opened = await Promise.allSettled(Array.from({ length: batch }, handshake));
  for (const outcome of opened) {
    if (outcome.status === "fulfilled") sockets.push(outcome.value);
    else failed++;
  }
}
process.stdout.write(`${JSON.stringify({ opened: sockets.length, failed })}\n`);
for await (const line of createInterface({ input: process.stdin })) if (line === "close") break;
let alive = 0;
for (const socket of sockets) {
  if (!socket.destroyed) alive++;
  socket.destroy();
}
process.stdout.write(`${JSON.stringify({ alive })}\n`);
process.exit(0);

// The peer of `pnpm bench ws`: the ws library's own server, configured like FasterAPI's
// (same paths, permessage-deflate without context takeover when WS_COMPRESSION=shared). Fan-out
// is the ws README's broadcast: a loop over the subscribers' send(). ws masks with bufferutil when
// it can load it; WS_NO_BUFFER_UTIL=1 makes it mask in JS, as a plain `npm i ws` does.
import { WebSocketServer } from "ws";

const compression = process.env.WS_COMPRESSION === "shared";
const server = new WebSocketServer({
  port: Number(process.env.PORT),
  host: "127.0.0.1",
  clientTracking: false,
  maxPayload: 16 * 1024 * 1024,
  perMessageDeflate: compression ? { serverNoContextTakeover: true, clientNoContextTakeover: true } : false,
});
const subscribers = new Set();
server.on("connection", (socket, req) => {
  if (req.url === "/echo") {
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  } else if (req.url === "/fanout?role=sub") {
    subscribers.add(socket);
    socket.on("close", () => subscribers.delete(socket));
  } else {
    socket.on("message", (data, isBinary) => {
      for (const subscriber of subscribers) subscriber.send(data, { binary: isBinary, compress: false });
    });
  }
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

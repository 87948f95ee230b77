// FasterAPI WebSocket server for `pnpm bench ws`: /echo echoes, /fanout?role=sub subscribes to one
// topic and a /fanout?role=pub socket's messages go to it through app.publish. FASTERAPI_NATIVE
// picks the HTTP/1.1 path (0: node:http + ws); WS_COMPRESSION is "disabled" or "shared".
import { App } from "@fasterapi/core";
import { http1 } from "@fasterapi/http1";
import { ws } from "@fasterapi/ws";

const app = new App({ logger: false, docs: false });
app.register(http1({ port: Number(process.env.PORT), host: "127.0.0.1" }));
app.register(
  ws({
    compression: process.env.WS_COMPRESSION === "shared" ? "shared" : "disabled",
    idleTimeout: 0,
    maxBackpressure: 64 * 1024 * 1024,
  }),
);
app.websocket("/echo", {
  message(socket, data, isBinary) {
    socket.send(data, { binary: isBinary });
  },
});
app.websocket("/fanout", {
  upgrade: (ctx) => ({ publisher: ctx.query.role === "pub" }),
  open(socket) {
    if (!socket.data.publisher) socket.subscribe("fan");
  },
  message(_socket, data, isBinary) {
    app.publish("fan", data, { binary: isBinary, compress: false });
  },
});
await app.listen();
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));

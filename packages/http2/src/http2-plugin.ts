// The `http2(options)` plugin: registers an HTTP/2 transport on the app, so `app.listen()` serves
// its routes over h2 (TLS, with HTTP/1.1 by ALPN on the same port) or h2c. Options are checked when
// http2() is called; the transport is created when the app loads its plugins. It is global.
import { definePlugin, type Plugin } from "@fasterapi/core";
import { type Http2Options, resolveHttp2Options } from "./http2-options.js";
import { selectTransport } from "./select-transport.js";

export function http2(options: Http2Options): Plugin {
  const resolved = resolveHttp2Options(options);
  return definePlugin(
    (app) => {
      app.addTransport(selectTransport(resolved));
    },
    { name: "@fasterapi/http2", global: true },
  );
}

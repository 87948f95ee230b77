// The `http1(options)` plugin: registers an HTTP/1.1 transport on the app, so `app.listen()`
// serves its routes over HTTP/1.1. Options are checked when http1() is called; the transport is
// created when the app loads its plugins. It is global: a transport serves the whole app.
import { definePlugin, type Plugin } from "@fasterapi/core";
import { type Http1Options, resolveHttp1Options } from "./http1-options.js";
import { selectTransport } from "./select-transport.js";

export function http1(options: Http1Options = {}): Plugin {
  const resolved = resolveHttp1Options(options);
  return definePlugin(
    (app) => {
      app.addTransport(selectTransport(resolved));
    },
    { name: "@fasterapi/http1", global: true },
  );
}

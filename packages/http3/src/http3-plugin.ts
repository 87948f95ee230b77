// The `http3(options)` plugin: registers the HTTP/3 transport, and makes every other transport of
// the app advertise it (`Alt-Svc: h3=":port"`) with an onRequest hook, so browsers that first
// reach the app over TCP switch to QUIC. Global: a transport serves the whole app.
import { definePlugin, type Plugin } from "@fasterapi/core";
import { type Http3Options, resolveHttp3Options } from "./http3-options.js";
import { Http3Transport } from "./http3-transport.js";

export function http3(options: Http3Options): Plugin {
  const resolved = resolveHttp3Options(options);
  return definePlugin(
    (app) => {
      const transport = new Http3Transport(resolved);
      app.addTransport(transport);
      let altSvc: string | undefined;
      app.addHook("onRequest", (ctx) => {
        if (ctx.request.protocol === "h3" || transport.port === undefined || transport.port === 0) return;
        altSvc ??= `h3=":${transport.port}"; ma=${resolved.altSvcMaxAge}`;
        ctx.reply.header("alt-svc", altSvc);
      });
    },
    { name: "@fasterapi/http3", global: true },
  );
}

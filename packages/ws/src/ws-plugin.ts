// The `ws(options)` plugin: registers the WebSocket provider that app.websocket() routes, app.publish
// and app.injectWebSocket use, connects the pub/sub adapter, and adds "websocket" to app.stats().
// Global: one provider serves every transport of the app.
import { definePlugin, type Plugin } from "@fasterapi/core";
import { resolveWsOptions, type WsOptions } from "./ws-options.js";
import { WsProvider } from "./ws-provider.js";

export function ws(options: WsOptions = {}): Plugin {
  const resolved = resolveWsOptions(options);
  return definePlugin(
    async (app) => {
      const provider = new WsProvider(resolved, app.log);
      await provider.start();
      app.setWebSocketProvider(provider);
      app.addStatsSource("websocket", () => provider.stats());
    },
    { name: "@fasterapi/ws", global: true },
  );
}

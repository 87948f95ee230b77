// The handler core compiles for an app.websocket() route. It runs where any route's handler runs,
// after onRequest hooks, validation and Depends: it checks the handshake, calls the route's
// upgrade(ctx), then hands the approved upgrade to the WebSocket provider instead of answering.
// A refusal (an HTTPException, a validation error) is answered by the normal pipeline.
import type { AppState } from "./app-state.js";
import type { AnyContext } from "./context.js";
import { headerPairs } from "./response-writer.js";
import type { RouteHandler } from "./route-pipeline.js";
import { isThenable } from "./thenable.js";
import type { UpgradeHandle } from "./transport.js";
import type {
  AnyWebSocketRouteOptions,
  ApprovedUpgrade,
  InjectedWebSocket,
  WebSocketProvider,
} from "./websocket.js";
import { checkHandshake, checkOrigin, selectProtocol } from "./websocket-handshake.js";

/** The upgrade handle of a request made by app.injectWebSocket(): it receives the in-memory client. */
export class InjectedUpgrade implements UpgradeHandle {
  readonly kind = "inject";
  readonly connected: (client: InjectedWebSocket) => void;

  constructor(connected: (client: InjectedWebSocket) => void) {
    this.connected = connected;
  }
}

/** The error that boot() raises when websocket routes exist but no provider was registered. */
export function missingProviderError(): Error {
  return new Error(
    'app.websocket() routes need a WebSocket provider: register one, e.g. app.register(ws()) from "@fasterapi/ws"',
  );
}

function approve(state: AppState, ctx: AnyContext, upgrade: ApprovedUpgrade): void {
  // A slow upgrade() may finish after the request timed out and was answered over HTTP.
  if (ctx.responded) return;
  const provider = state.websocketProvider as WebSocketProvider;
  // The connection is the provider's from here: the pipeline must not answer, only finish.
  ctx.responded = true;
  ctx.reply.statusCode = 101;
  const handle = ctx.request.upgrade;
  if (handle instanceof InjectedUpgrade) handle.connected(provider.connectInjected(upgrade));
  else provider.accept(upgrade);
  ctx.route.host.responseWritten(ctx);
}

export function websocketHandler(state: AppState, options: AnyWebSocketRouteOptions): RouteHandler {
  return (ctx) => {
    const request = ctx.request;
    checkHandshake(request);
    checkOrigin(options.origins, request.header("origin"));
    const protocol = selectProtocol(options.protocols, request.header("sec-websocket-protocol"));
    const finish = (data: unknown) =>
      approve(state, ctx, {
        request,
        sink: ctx.sink,
        handlers: options,
        data,
        protocol,
        headers: headerPairs(ctx.reply),
      });
    const data = options.upgrade === undefined ? undefined : options.upgrade(ctx as never);
    if (isThenable(data)) return Promise.resolve(data).then(finish);
    finish(data);
    return undefined;
  };
}

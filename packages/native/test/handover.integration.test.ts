// Hand-over with data (fa_engine_api.conn_handover) started from JS after a delay, the way the
// JS side of an HTTP/1.1 Upgrade answers: the next module gets the hand-off blob first, then
// every byte that arrived meanwhile (kept by the engine or still in the socket), in order.
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { loadEchoFixture } from "./fixtures/echo-protocol.js";
import { collect, connectPlain, waitFor } from "./fixtures/line-client.js";

const echo = loadEchoFixture();
const engines: Engine[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close(0)));
});

async function setup() {
  const engine = new Engine();
  engines.push(engine);
  const line = echo.createProtocol(engine.api, { name: "line" });
  const upper = echo.createProtocol(engine.api, { name: "upper", upper: true });
  const port = await engine.listen({ host: "127.0.0.1", port: 0 }, line);
  const socket = await connectPlain(port);
  return { engine, line, upper, socket, done: collect(socket) };
}

describe("hand-over started from JS", () => {
  it("delivers the hand-off blob, then the bytes that arrived while JS decided", async () => {
    const { line, upper, socket, done } = await setup();
    socket.write("hello\nhold\nearly\n"); // "early" is kept by the engine: the module paused
    await waitFor(() => echo.protocolStats(line).held > 0);
    await new Promise((r) => setTimeout(r, 30));
    socket.write("late\n"); // stays in the socket while reading is paused
    await new Promise((r) => setTimeout(r, 30));
    const id = echo.protocolStats(line).held;
    expect(echo.handover(line, id, upper, "key=abc; proto=chat")).toBe(0);
    expect(echo.handover(line, id, upper, "again")).toBe(-1); // the module already let go
    await waitFor(() => echo.protocolStats(upper).opened === 1);
    socket.end("after\nquit\n");
    expect((await done).received).toBe("hello\nhandoff key=abc; proto=chat\nEARLY\nLATE\nAFTER\n");
    await waitFor(() => echo.protocolStats(upper).closed === 1);
    expect(echo.protocolStats(line)).toMatchObject({ opened: 1, closed: 0, handovers: 1 });
    expect(echo.protocolStats(upper)).toMatchObject({
      opened: 1,
      closed: 1,
      lastHandoff: "key=abc; proto=chat",
    });
  });

  it("gives the next module the peer's EOF that came while the hand-over was pending", async () => {
    const { line, upper, socket, done } = await setup();
    socket.write("hold\n");
    await waitFor(() => echo.protocolStats(line).held > 0);
    socket.end("last\n");
    await new Promise((r) => setTimeout(r, 30));
    expect(echo.handover(line, echo.protocolStats(line).held, upper, "eof")).toBe(0);
    expect((await done).received).toBe("handoff eof\nLAST\n");
    await waitFor(() => echo.protocolStats(upper).closed === 1);
  });

  it("aborts the connection when the next module refuses it, and neither module hears of the close", async () => {
    const { line, upper, socket, done } = await setup();
    socket.write("hold\n");
    await waitFor(() => echo.protocolStats(line).held > 0);
    expect(echo.handover(line, echo.protocolStats(line).held, upper, "refuse")).toBe(0);
    expect((await done).closedBy).toBe("error");
    expect(echo.protocolStats(upper)).toMatchObject({ opened: 0, closed: 0, lastHandoff: "refuse" });
    expect(echo.protocolStats(line)).toMatchObject({ opened: 1, closed: 0 });
  });
});

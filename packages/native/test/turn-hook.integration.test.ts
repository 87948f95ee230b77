// The per-turn hook (fa_turn_hook through fa_engine_api.turn_hook_request): however often a
// module asks within one loop turn, the hook runs once at its end; asked again, it runs again.
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { loadEchoFixture } from "./fixtures/echo-protocol.js";
import { waitFor } from "./fixtures/line-client.js";

const echo = loadEchoFixture();
const engines: Engine[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close(0)));
});

function newHook() {
  const engine = new Engine();
  engines.push(engine);
  return echo.createTurnHook(engine.api, engine.handle);
}

const nextMacrotask = () => new Promise((r) => setTimeout(r, 5));

describe("turn hooks", () => {
  it("run once at the end of the turn however often they were requested in it", async () => {
    const hook = newHook();
    expect(echo.requestTurnHook(hook, 5, 0)).toBe(0); // not synchronously
    echo.requestTurnHook(hook, 3, 0);
    await nextMacrotask();
    expect(echo.turnHookRuns(hook)).toBe(1);
    await nextMacrotask();
    expect(echo.turnHookRuns(hook)).toBe(1); // not again without a request
  });

  it("run again in a later turn when requested again", async () => {
    const hook = newHook();
    echo.requestTurnHook(hook, 2, 0);
    await nextMacrotask();
    echo.requestTurnHook(hook, 2, 0);
    await nextMacrotask();
    expect(echo.turnHookRuns(hook)).toBe(2);
  });

  it("requested from inside their own run, run once more on a later pass, not in a loop", async () => {
    const hook = newHook();
    echo.requestTurnHook(hook, 1, 3);
    await waitFor(() => echo.turnHookRuns(hook) === 4);
    await nextMacrotask();
    expect(echo.turnHookRuns(hook)).toBe(4);
  });

  it("run for each requesting module once per turn", async () => {
    const engine = new Engine();
    engines.push(engine);
    const hooks = [
      echo.createTurnHook(engine.api, engine.handle),
      echo.createTurnHook(engine.api, engine.handle),
    ];
    for (const hook of hooks) echo.requestTurnHook(hook, 4, 0);
    await nextMacrotask();
    expect(hooks.map((h) => echo.turnHookRuns(h))).toEqual([1, 1]);
  });
});

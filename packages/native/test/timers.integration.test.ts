// Module timers (fa_timer through fa_engine_api.timer_*): they fire no earlier than asked and
// soon after, re-arming moves them, stopping cancels them, and thousands fire in deadline order.
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { Engine } from "../src/index.js";
import { loadEchoFixture, type TimerSet } from "./fixtures/echo-protocol.js";
import { waitFor } from "./fixtures/line-client.js";

const echo = loadEchoFixture();
const engines: Engine[] = [];
// Late bound: generous, the test machine is shared; the point is "not a coarse wheel tick".
const LATE_MS = 60;

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close(0)));
});

function timers(count: number): TimerSet {
  const engine = new Engine();
  engines.push(engine);
  return echo.createTimers(engine.api, engine.handle, count);
}

function fires(set: TimerSet): Array<{ index: number; elapsed: number }> {
  const flat = echo.timerFires(set);
  const out: Array<{ index: number; elapsed: number }> = [];
  for (let i = 0; i < flat.length; i += 2)
    out.push({ index: flat[i] as number, elapsed: flat[i + 1] as number });
  return out;
}

describe("module timers", () => {
  it("fire with millisecond resolution: not early, and soon after the deadline", async () => {
    const set = timers(4);
    const delays = [1, 7, 25, 120];
    for (const [i, ms] of delays.entries()) echo.armTimer(set, i, ms);
    await waitFor(() => fires(set).length === 4);
    const fired = fires(set);
    expect(fired.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    for (const { index, elapsed } of fired) {
      const ms = delays[index] as number;
      expect(elapsed).toBeGreaterThanOrEqual(ms);
      expect(elapsed).toBeLessThan(ms + LATE_MS);
    }
  });

  it("re-arming moves the deadline and stopping cancels the timer", async () => {
    const set = timers(3);
    echo.armTimer(set, 0, 20);
    echo.armTimer(set, 0, 90); // re-armed before it fired: only the later deadline counts
    echo.armTimer(set, 1, 30);
    echo.stopTimer(set, 1);
    echo.stopTimer(set, 2); // never armed: a no-op
    echo.armTimer(set, 2, 50);
    await waitFor(() => fires(set).length === 2);
    await new Promise((r) => setTimeout(r, 60));
    const fired = fires(set);
    expect(fired.map((f) => f.index)).toEqual([2, 0]);
    expect(fired[1]?.elapsed).toBeGreaterThanOrEqual(90);
  });

  it("may be started again from its own callback's aftermath, and 0 ms fires on a later turn", async () => {
    const set = timers(1);
    echo.armTimer(set, 0, 0);
    expect(fires(set)).toEqual([]); // never synchronously
    await waitFor(() => fires(set).length === 1);
    echo.armTimer(set, 0, 5);
    await waitFor(() => fires(set).length === 2);
    expect(fires(set)[1]?.elapsed).toBeGreaterThanOrEqual(5);
  });

  it("fire ten thousand timers in deadline order, none early, the stopped ones never", async () => {
    const count = 10_000;
    const set = timers(count);
    const delay = (i: number) => (i * 7919) % 200;
    const armStart = performance.now();
    for (let i = 0; i < count; i++) echo.armTimer(set, i, delay(i));
    for (let i = 0; i < count; i += 10) echo.stopTimer(set, i);
    // Deadlines count from each timer's own arming, so the order may differ by the arming span.
    const armSpan = performance.now() - armStart + 1;
    await waitFor(() => fires(set).length === count - count / 10, 10_000);
    await new Promise((r) => setTimeout(r, 20));
    const fired = fires(set);
    expect(fired.length).toBe(count - count / 10);
    expect(fired.some((f) => f.index % 10 === 0)).toBe(false);
    let previous = -1;
    for (const { index, elapsed } of fired) {
      expect(elapsed).toBeGreaterThanOrEqual(delay(index));
      expect(delay(index) + armSpan).toBeGreaterThanOrEqual(previous);
      previous = Math.max(previous, delay(index));
    }
  });

  it("do not keep the process alive on their own", () => {
    // A process whose only engine work is a one-minute timer exits at once (imports the build).
    const script = `
      import { createRequire } from "node:module";
      import { Engine, localAddonPaths } from ${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)};
      const [path] = localAddonPaths("echo_protocol_fixture", new URL(${JSON.stringify(new URL("..", import.meta.url).href)}));
      const echo = createRequire(import.meta.url)(path);
      const engine = new Engine();
      globalThis.keep = [engine, echo.createTimers(engine.api, engine.handle, 1)];
      echo.armTimer(globalThis.keep[1], 0, 60000);
    `;
    const started = Date.now();
    // The child is not under the sanitizer run's preload: it loads the normal build.
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 20_000,
      env: { ...process.env, FASTERAPI_SANITIZE: "0" },
    });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

// closeOnSignals' policy in-process. The signal is SIGUSR2 raised with process.emit so the test
// runner's own SIGTERM/SIGINT handling stays out of it; real signals to real server processes are
// in http1's graceful-shutdown and workers tests and the demo's signals test.
import { constants } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { App, closeOnSignals } from "../src/index.js";

const SIGNAL = "SIGUSR2";
let remove: (() => void) | undefined;
afterEach(() => {
  remove?.();
  remove = undefined;
});

/** Installs closeOnSignals on SIGUSR2; `exited` resolves with the first exit code. */
function install(app: App | PromiseLike<App>, options: Parameters<typeof closeOnSignals>[1] = {}) {
  let done: (code: number) => void = () => {};
  const exited = new Promise<number>((resolve) => {
    done = resolve;
  });
  const codes: number[] = [];
  remove = closeOnSignals(app, {
    signals: [SIGNAL],
    ...options,
    exit(code) {
      codes.push(code);
      done(code);
    },
  });
  return { exited, codes };
}

const raise = () => process.emit(SIGNAL, SIGNAL);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("closeOnSignals", () => {
  it("closes the app, then runs afterClose, then exits 0", async () => {
    const app = new App({ logger: false, docs: false });
    const events: string[] = [];
    app.onEvent("shutdown", () => {
      events.push("shutdown hook");
    });
    const { exited } = install(app, {
      async afterClose() {
        await sleep(10);
        events.push("afterClose");
      },
    });
    raise();
    expect(await exited).toBe(0);
    expect(events).toEqual(["shutdown hook", "afterClose"]);
  });

  it("exits 1 when afterClose fails", async () => {
    const app = new App({ logger: false, docs: false });
    const { exited } = install(app, {
      afterClose() {
        throw new Error("could not stop the database");
      },
    });
    raise();
    expect(await exited).toBe(1);
  });

  it("waits for an app that is still starting, then closes it", async () => {
    const app = new App({ logger: false, docs: false });
    let closed = false;
    app.onEvent("shutdown", () => {
      closed = true;
    });
    let ready: (app: App) => void = () => {};
    const { exited, codes } = install(
      new Promise<App>((resolve) => {
        ready = resolve;
      }),
    );
    raise();
    await sleep(20);
    expect(codes).toEqual([]);
    ready(app);
    expect(await exited).toBe(0);
    expect(closed).toBe(true);
  });

  it("exits 1 when the app it waits for fails to start", async () => {
    const failed = Promise.reject(new Error("no database"));
    const { exited } = install(failed);
    raise();
    expect(await exited).toBe(1);
  });

  it("ignores echoes of the first signal and exits at once on a later one", async () => {
    const app = new App({ logger: false, docs: false });
    app.onEvent("shutdown", () => new Promise(() => undefined)); // a close that never ends
    const { codes } = install(app, { signalEchoMs: 50 });
    raise();
    raise();
    await sleep(10);
    expect(codes).toEqual([]);
    await sleep(60);
    raise();
    expect(codes).toEqual([128 + constants.signals.SIGUSR2]);
  });

  it("rejects bad options", () => {
    const app = new App({ logger: false, docs: false });
    expect(() => closeOnSignals(app, { afterClose: "stop" as never })).toThrow(
      /afterClose must be a function/,
    );
    expect(() => closeOnSignals(app, { signalEchoMs: -1 })).toThrow(/signalEchoMs/);
  });
});

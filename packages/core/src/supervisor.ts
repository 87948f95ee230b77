// The primary of `app.run({ workers })`: starts one worker per slot (threads, or cluster
// processes when a transport cannot share its port between threads), replaces workers that die
// with a bounded exponential backoff, relays the worker bus, merges the workers' stats, and on
// close() asks every worker to drain (app.close()) before it exits. It never builds routes or
// opens sockets itself.
import { fileURLToPath } from "node:url";
import type { App } from "./app.js";
import { type ClusterStats, mergeReports, type WorkerStatsRow } from "./cluster-stats.js";
import { RestartBackoff } from "./restart-backoff.js";
import type { ResolvedRunOptions } from "./run-options.js";
import type { TransportAddress } from "./transport.js";
import { workerBus } from "./worker-bus.js";
import { spawnProcess, spawnThread, type WorkerLink } from "./worker-link.js";
import type { WorkerMessage } from "./worker-messages.js";
import type { WorkerReport } from "./worker-report.js";

type Kind = "thread" | "process";

/** How long a worker gets to answer a stats collection before its row shows `stats: null`. */
const COLLECT_TIMEOUT_MS = 1000;
/** Extra time past closeGraceMs before a worker that has not exited is killed. */
export const CLOSE_MARGIN_MS = 5000;

interface Slot {
  readonly id: number;
  readonly backoff: RestartBackoff;
  link: WorkerLink | null;
  kind: Kind;
  startedAt: number;
  restarts: number;
  listening: boolean;
  report: WorkerReport | null;
  /** The worker drained on "close" and sent its final report. */
  closedCleanly: boolean;
  restartTimer: NodeJS.Timeout | null;
  exited: Promise<void>;
}

interface Started {
  addresses: TransportAddress[];
  /** Set when the worker asked for processes instead of threads. */
  needsProcesses?: string[];
}

export class Supervisor {
  private readonly slots: Slot[] = [];
  private kind: Kind = "thread";
  private closing = false;
  private collectSeq = 0;
  private readonly pendingCollects = new Map<number, Map<number, (report: WorkerReport) => void>>();
  private latest: ClusterStats;
  private statsTimer: NodeJS.Timeout | null = null;
  /** Called when a worker asks the whole app to stop (RunningApp.close() in a worker). */
  onShutdownRequest: () => void = () => void this.app.close();

  constructor(
    private readonly app: App,
    private readonly options: ResolvedRunOptions,
  ) {
    this.latest = { ...mergeReports([]), workers: [] };
  }

  /** Starts every worker; resolves with the addresses once all of them listen. */
  async start(): Promise<TransportAddress[]> {
    const { workers, mode } = this.options;
    this.kind = mode === "processes" ? "process" : "thread";
    for (let id = 0; id < workers; id++) {
      this.slots.push({
        id,
        backoff: new RestartBackoff(this.options.restart),
        link: null,
        kind: this.kind,
        startedAt: 0,
        restarts: 0,
        listening: false,
        report: null,
        closedCleanly: false,
        restartTimer: null,
        exited: Promise.resolve(),
      });
    }
    workerBus().connect((topic, data) => this.broadcast(null, topic, data));
    try {
      // The first worker tells whether threads can serve this app's transports.
      const first = await this.spawn(this.slots[0] as Slot);
      if (first.needsProcesses !== undefined) {
        if (mode === "threads") {
          throw new Error(
            `app.run(): the transports ${first.needsProcesses.join(", ")} cannot share a port between worker threads (the node:http path); use mode "processes" or "auto", or the native transport`,
          );
        }
        await (this.slots[0] as Slot).exited;
        this.kind = "process";
        for (const slot of this.slots) slot.kind = "process";
        const again = await this.spawn(this.slots[0] as Slot);
        return await this.startRest(again.addresses);
      }
      return await this.startRest(first.addresses);
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  private async startRest(addresses: TransportAddress[]): Promise<TransportAddress[]> {
    const rest = await Promise.all(this.slots.slice(1).map((slot) => this.spawn(slot)));
    const key = (list: TransportAddress[]) => list.map((a) => `${a.scheme}://${a.host}:${a.port}`).join(" ");
    for (const other of rest) {
      if (key(other.addresses) !== key(addresses)) {
        throw new Error(
          `app.run(): workers listen on different addresses (${key(addresses)} vs ${key(other.addresses)}); give every transport a fixed port (port 0 picks one per worker thread)`,
        );
      }
    }
    await this.collect();
    this.statsTimer = setInterval(() => void this.collect(), this.options.statsIntervalMs);
    this.statsTimer.unref();
    this.app.log.info(
      {
        workers: this.slots.length,
        kind: this.kind,
        addresses: addresses.map((a) => `${a.scheme}://${a.host}:${a.port}`),
      },
      "workers listening",
    );
    return addresses;
  }

  /** Starts the worker of `slot`; resolves once it listens (or asks for processes). */
  private spawn(slot: Slot): Promise<Started> {
    const info = { id: slot.id, count: this.slots.length };
    const link =
      slot.kind === "thread"
        ? spawnThread(this.options.module, info)
        : spawnProcess(fileURLToPath(this.options.module), info);
    slot.link = link;
    slot.listening = false;
    slot.report = null;
    slot.startedAt = Date.now();
    let exitReason = "";
    let handedOver = false;
    let markExited = () => {};
    slot.exited = new Promise((resolve) => {
      markExited = resolve;
    });
    return new Promise<Started>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        fail(
          new Error(
            `worker ${slot.id} did not listen within ${this.options.startTimeoutMs} ms (does ${this.options.module.href} call app.run()?)`,
          ),
        );
        link.kill();
      }, this.options.startTimeoutMs);
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const succeed = (started: Started) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(started);
      };
      link.onMessage((message) => {
        if (message.type === "listening") {
          slot.listening = true;
          succeed({ addresses: message.addresses });
        } else if (message.type === "needs-processes") {
          handedOver = true;
          succeed({ addresses: [], needsProcesses: message.transports });
        } else if (message.type === "failed") {
          exitReason = message.message;
          fail(new Error(`worker ${slot.id} failed to start: ${message.message}`));
        } else {
          this.onWorkerMessage(slot, link, message);
        }
      });
      link.onExit((reason) => {
        clearTimeout(timer);
        markExited();
        if (slot.link === link) slot.link = null;
        const wasListening = slot.listening;
        slot.listening = false;
        fail(new Error(`worker ${slot.id} exited before listening (${exitReason || reason})`));
        if (this.closing || handedOver) return;
        // During app.run() a worker that cannot start fails the start; after it, any death
        // (a replacement that cannot start included) is one more crash of its slot.
        if (wasListening || slot.restarts > 0) this.scheduleRestart(slot, exitReason || reason);
      });
    });
  }

  private scheduleRestart(slot: Slot, reason: string): void {
    const delay = slot.backoff.next(Date.now() - slot.startedAt);
    this.app.log.error(
      { worker: slot.id, reason, consecutiveFailures: slot.backoff.consecutiveFailures, restartInMs: delay },
      "worker died; restarting it",
    );
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (this.closing) return;
      slot.restarts++;
      this.spawn(slot).then(
        () => this.app.log.info({ worker: slot.id, restarts: slot.restarts }, "worker replaced"),
        (error: Error) =>
          this.app.log.error({ worker: slot.id, err: error.message }, "replacement worker failed"),
      );
    }, delay);
  }

  private onWorkerMessage(slot: Slot, link: WorkerLink, message: WorkerMessage): void {
    switch (message.type) {
      case "report":
        this.pendingCollects.get(message.id)?.get(slot.id)?.(message.report);
        break;
      case "final-report":
        slot.report = message.report;
        slot.closedCleanly = true;
        break;
      case "publish":
        workerBus().deliver(message.topic, message.data);
        this.broadcast(slot, message.topic, message.data);
        break;
      case "collect-cluster":
        void this.collect().then((stats) => link.send({ type: "cluster-stats", id: message.id, stats }));
        break;
      case "shutdown":
        this.onShutdownRequest();
        break;
      default:
        break;
    }
  }

  private broadcast(except: Slot | null, topic: string, data: unknown): void {
    for (const slot of this.slots) {
      if (slot !== except && slot.listening) slot.link?.send({ type: "deliver", topic, data });
    }
  }

  /** The merged stats of the last collection (refreshed every statsIntervalMs). */
  stats(): ClusterStats {
    return this.latest;
  }

  /** Asks every listening worker for its stats now and merges them. */
  async collect(): Promise<ClusterStats> {
    const id = ++this.collectSeq;
    const waiting = new Map<number, (report: WorkerReport) => void>();
    this.pendingCollects.set(id, waiting);
    const answers = this.slots.map(
      (slot) =>
        new Promise<void>((resolve) => {
          if (!slot.listening || slot.link === null) return resolve();
          const timer = setTimeout(resolve, COLLECT_TIMEOUT_MS);
          waiting.set(slot.id, (report) => {
            clearTimeout(timer);
            slot.report = report;
            resolve();
          });
          slot.link.send({ type: "collect", id });
        }),
    );
    await Promise.all(answers);
    this.pendingCollects.delete(id);
    this.latest = this.merge((slot) => slot.listening);
    return this.latest;
  }

  /** The merged stats of the workers `counted` picks, from their last reports, with a row for every slot. */
  private merge(counted: (slot: Slot) => boolean): ClusterStats {
    const rows: WorkerStatsRow[] = this.slots.map((slot) => ({
      id: slot.id,
      kind: slot.kind,
      pid: slot.link?.pid ?? 0,
      threadId: slot.link?.threadId ?? 0,
      restarts: slot.restarts,
      stats: counted(slot) ? (slot.report?.stats ?? null) : null,
      collected: counted(slot) ? (slot.report?.collected ?? {}) : {},
    }));
    const reports = this.slots
      .filter((s) => counted(s) && s.report !== null)
      .map((s) => s.report as WorkerReport);
    return { ...mergeReports(reports), workers: rows };
  }

  /**
   * Drains every worker (each runs app.close()), killing those that outlast the grace period.
   * Afterwards stats() has the final figures of the workers that drained.
   */
  async close(): Promise<void> {
    if (this.closing) return Promise.all(this.slots.map((s) => s.exited)).then(() => {});
    this.closing = true;
    if (this.statsTimer !== null) clearInterval(this.statsTimer);
    workerBus().connect(null);
    const limit = (this.app.state.options.closeGraceMs ?? 10_000) + CLOSE_MARGIN_MS;
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.restartTimer !== null) clearTimeout(slot.restartTimer);
        const link = slot.link;
        if (link === null) return;
        link.send({ type: "close" });
        const timer = setTimeout(() => {
          this.app.log.warn({ worker: slot.id }, "worker did not close in time; killing it");
          link.kill();
        }, limit);
        await slot.exited;
        clearTimeout(timer);
      }),
    );
    this.latest = this.merge((slot) => slot.closedCleanly);
  }
}

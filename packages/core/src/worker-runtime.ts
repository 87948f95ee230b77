// A worker's side of `app.run({ workers })`: builds nothing itself (the user's module already
// built the app), gets it ready, checks that its transports can share their port when it is a
// thread, listens, and then answers the primary: stats collections, bus deliveries, and "close",
// which drains the app with app.close() and ends the worker. Signals are the primary's business:
// a cluster worker ignores SIGINT/SIGTERM (a terminal sends them to the whole process group) and
// drains when the primary goes away.
import type { App } from "./app.js";
import type { ClusterStats } from "./cluster-stats.js";
import type { Transport, TransportAddress } from "./transport.js";
import { workerBus } from "./worker-bus.js";
import { type ParentLink, parentLink } from "./worker-link.js";
import { buildReport } from "./worker-report.js";
import type { WorkerInfo } from "./worker-role.js";

/** Longer than the primary's own per-worker wait, so a slow worker shows as a null row, not a timeout here. */
const COLLECT_TIMEOUT_MS = 5000;

/** A transport that binds its port with SO_REUSEPORT, so several worker threads can listen on it. */
export interface PortSharingTransport extends Transport {
  readonly sharesPortAcrossThreads: true;
}

function sharesPort(transport: Transport): boolean {
  return (transport as Partial<PortSharingTransport>).sharesPortAcrossThreads === true;
}

/** What a worker's `app.run()` resolves with. */
export interface WorkerRuntime {
  addresses: TransportAddress[];
  collectStats(): Promise<ClusterStats>;
  requestShutdown(): void;
}

export async function serveAsWorker(app: App, info: WorkerInfo): Promise<WorkerRuntime> {
  const link = parentLink(info.kind);
  let closing = false;
  const closeAndExit = () => {
    if (closing) return;
    closing = true;
    app.close().then(
      // The final figures, so the primary's stats after close() count every request answered.
      async () => link.send({ type: "final-report", report: await buildReport(app) }, () => process.exit(0)),
      (error: Error) => {
        app.log.error({ err: error }, "worker close failed");
        process.exit(1);
      },
    );
  };
  const clusterStats = new Map<number, (stats: ClusterStats) => void>();
  let seq = 0;
  link.onMessage((message) => {
    if (message.type === "collect")
      void buildReport(app).then((report) => link.send({ type: "report", id: message.id, report }));
    else if (message.type === "deliver") workerBus().deliver(message.topic, message.data);
    else if (message.type === "cluster-stats") {
      clusterStats.get(message.id)?.(message.stats as ClusterStats);
      clusterStats.delete(message.id);
    } else if (message.type === "close") closeAndExit();
  });
  if (info.kind === "process") {
    process.on("SIGINT", () => {});
    process.on("SIGTERM", () => {});
    process.on("disconnect", closeAndExit);
  }
  workerBus().connect((topic, data) => link.send({ type: "publish", topic, data }));

  const addresses = await start(app, info, link);
  return {
    addresses,
    collectStats() {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          clusterStats.delete(id);
          reject(new Error(`collectStats(): the primary did not answer within ${COLLECT_TIMEOUT_MS} ms`));
        }, COLLECT_TIMEOUT_MS);
        clusterStats.set(id, (stats) => {
          clearTimeout(timer);
          resolve(stats);
        });
        link.send({ type: "collect-cluster", id });
      });
    },
    requestShutdown: () => link.send({ type: "shutdown" }),
  };
}

async function start(app: App, info: WorkerInfo, link: ParentLink): Promise<TransportAddress[]> {
  try {
    await app.ready();
    const unshared = app.state.transports.filter((t) => !sharesPort(t)).map((t) => t.name);
    if (info.kind === "thread" && info.count > 1 && unshared.length > 0) {
      link.send({ type: "needs-processes", transports: unshared });
      await app.close();
      process.exit(0);
    }
    const addresses = await app.listen();
    link.send({ type: "listening", addresses });
    return addresses;
  } catch (error) {
    // The primary reports the failure; the worker goes once the message is out.
    link.send({ type: "failed", message: (error as Error).message }, () => process.exit(1));
    throw error;
  }
}

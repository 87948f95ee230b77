// Runs against an embedded PostgreSQL 18 with its own pg_hba.conf (per-role md5 / scram / password
// lines) and ssl=on, so authentication methods and TLS are exercised for real; the machine's server
// trusts 127.0.0.1 and would never ask for a password. Restart tests restart this server, not the machine's.

import { ConnectionClosedError, PgPool } from "@fasterapi/pg-pool";
import {
  databaseUrlOrEmbedded,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from "@fasterapi/pg-pool/embedded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificates, type TestCertificates } from "./fixtures/certificates.js";

let server: EmbeddedPostgres;
let certs: TestCertificates;
let admin: PgPool;

const HBA = [
  "local all all trust",
  "hostssl all tlsonly 127.0.0.1/32 scram-sha-256",
  "hostnossl all tlsonly all reject",
  "host all md5user all md5",
  "host all clearuser all password",
  "host all all 127.0.0.1/32 scram-sha-256",
  "host all all ::1/128 scram-sha-256",
];

beforeAll(async () => {
  certs = createCertificates();
  server = await startEmbeddedPostgres({ hba: HBA, ssl: { cert: certs.cert, key: certs.key } });
  // The Unix socket (host = a directory) with trust auth, as the superuser.
  admin = new PgPool({
    host: server.socketDir,
    port: server.port,
    user: server.user,
    database: "postgres",
    max: 1,
  });
  await using conn = await admin.acquire();
  await conn.query("SET password_encryption = 'md5'");
  await conn.query("CREATE ROLE md5user LOGIN PASSWORD 'md5-secret'");
  await conn.query("SET password_encryption = 'scram-sha-256'");
  await conn.query("CREATE ROLE scramuser LOGIN PASSWORD 'scram-secret'");
  await conn.query("CREATE ROLE clearuser LOGIN PASSWORD 'clear-secret'");
  await conn.query("CREATE ROLE tlsonly LOGIN PASSWORD 'tls-secret'");
}, 120_000);

afterAll(async () => {
  await admin?.end();
  await server?.stop();
  certs?.cleanup();
});

/** Connects once with `options`, returns what the session reports, and closes the pool. */
async function probe(options: ConstructorParameters<typeof PgPool>[0]) {
  const pool = new PgPool({ host: "127.0.0.1", port: server.port, database: "postgres", max: 1, ...options });
  try {
    await using conn = await pool.acquire();
    const { ssl } = await conn.one<{ ssl: boolean }>(
      "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
    );
    return { authMethod: conn.authMethod, encrypted: conn.encrypted, ssl };
  } finally {
    await pool.end();
  }
}

describe("embedded server", () => {
  it("starts a real PostgreSQL that answers on its URL and its Unix socket", async () => {
    expect(server.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    const pool = new PgPool({ url: server.url, max: 1 });
    try {
      const { version } = await pool.one<{ version: string }>("SELECT version()");
      expect(version).toMatch(/^PostgreSQL 18/);
    } finally {
      await pool.end();
    }
    expect(await admin.one("SELECT current_user AS who")).toEqual({ who: "postgres" });
  });
});

describe("zero-setup default", () => {
  it("uses DATABASE_URL when it is set, without starting a server", async () => {
    const location = await databaseUrlOrEmbedded({ DATABASE_URL: "postgres://app@db.example:5432/app" });
    expect(location).toMatchObject({ url: "postgres://app@db.example:5432/app", embedded: false });
    await location.stop();
  });

  it("starts an embedded server with default options when DATABASE_URL is unset, and removes it on stop", async () => {
    const location = await databaseUrlOrEmbedded({});
    expect(location.embedded).toBe(true);
    const pool = new PgPool({ url: location.url, max: 1 });
    try {
      expect(await pool.one("SELECT current_setting('server_version_num')::int >= 180000 AS v18")).toEqual({
        v18: true,
      });
    } finally {
      await pool.end();
      await location.stop();
    }
    const after = new PgPool({ url: location.url, max: 1, connectTimeoutMs: 2000 });
    try {
      await expect(after.query("SELECT 1")).rejects.toThrow(/could not connect/);
    } finally {
      await after.end();
    }
  }, 120_000);
});

describe("authentication", () => {
  it("authenticates with SCRAM-SHA-256 and verifies the server signature", async () => {
    expect(await probe({ user: "scramuser", password: "scram-secret", ssl: "disable" })).toMatchObject({
      authMethod: "scram-sha-256",
    });
  });

  it("authenticates with MD5 for a role whose password is stored as MD5", async () => {
    expect(await probe({ user: "md5user", password: "md5-secret", ssl: "disable" })).toMatchObject({
      authMethod: "md5",
    });
  });

  it("authenticates with a cleartext password when pg_hba says password", async () => {
    expect(await probe({ user: "clearuser", password: "clear-secret", ssl: "require" })).toMatchObject({
      authMethod: "cleartext",
      ssl: true,
    });
  });

  it("rejects a wrong password with the server's 28P01 error", async () => {
    await expect(probe({ user: "scramuser", password: "wrong", ssl: "disable" })).rejects.toMatchObject({
      code: "28P01",
    });
    await expect(probe({ user: "md5user", password: "wrong", ssl: "disable" })).rejects.toMatchObject({
      code: "28P01",
    });
  });

  it("fails clearly when the server asks for a password and none was given", async () => {
    await expect(probe({ user: "scramuser", ssl: "disable" })).rejects.toThrow(/no password was given/);
  });

  it("takes user and password from the connection URL", async () => {
    const url = `postgres://scramuser:${encodeURIComponent("scram-secret")}@127.0.0.1:${server.port}/postgres?sslmode=disable`;
    const pool = new PgPool({ url, max: 1 });
    try {
      expect(await pool.one("SELECT current_user AS who")).toEqual({ who: "scramuser" });
    } finally {
      await pool.end();
    }
  });
});

describe("TLS", () => {
  it("encrypts with sslmode=require and reaches hostssl-only roles", async () => {
    expect(await probe({ user: "tlsonly", password: "tls-secret", ssl: "require" })).toEqual({
      authMethod: "scram-sha-256",
      encrypted: true,
      ssl: true,
    });
  });

  it("does not encrypt with sslmode=disable, so a hostssl-only role is refused", async () => {
    expect(await probe({ user: "scramuser", password: "scram-secret", ssl: "disable" })).toMatchObject({
      encrypted: false,
      ssl: false,
    });
    await expect(probe({ user: "tlsonly", password: "tls-secret", ssl: "disable" })).rejects.toMatchObject({
      code: "28000",
    });
  });

  it("upgrades with sslmode=prefer when the server supports TLS", async () => {
    expect(await probe({ user: "scramuser", password: "scram-secret", ssl: "prefer" })).toMatchObject({
      encrypted: true,
    });
  });

  it("verify-full accepts the certificate for its host name and the trusted CA", async () => {
    expect(
      await probe({
        host: "localhost",
        user: "scramuser",
        password: "scram-secret",
        ssl: { mode: "verify-full", ca: certs.ca },
      }),
    ).toMatchObject({ encrypted: true, ssl: true });
  });

  it("verify-full rejects a host name the certificate does not name; verify-ca accepts it", async () => {
    await expect(
      probe({ user: "scramuser", password: "scram-secret", ssl: { mode: "verify-full", ca: certs.ca } }),
    ).rejects.toThrow(/altnames/);
    expect(
      await probe({ user: "scramuser", password: "scram-secret", ssl: { mode: "verify-ca", ca: certs.ca } }),
    ).toMatchObject({
      encrypted: true,
    });
  });

  it("verify-full rejects a certificate from an untrusted CA", async () => {
    await expect(
      probe({ host: "localhost", user: "scramuser", password: "scram-secret", ssl: "verify-full" }),
    ).rejects.toThrow(/certificate/i);
  });

  it("reads sslmode and sslrootcert from the connection URL", async () => {
    const url = `postgres://scramuser:scram-secret@localhost:${server.port}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.caFile)}`;
    const pool = new PgPool({ url, max: 1 });
    try {
      await using conn = await pool.acquire();
      expect(conn.encrypted).toBe(true);
    } finally {
      await pool.end();
    }
  });
});

describe("server restart", () => {
  it("rejects in-flight queries and serves again after the server restarts", async () => {
    const pool = new PgPool({ url: server.url, max: 2 });
    try {
      expect(await pool.one("SELECT 1 AS ok")).toEqual({ ok: 1 });
      const inFlight = pool.query("SELECT pg_sleep(30)").catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await server.restart();
      const error = await inFlight;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect((error as Error).message).toMatch(/terminating connection/);
      expect(await pool.one("SELECT 2 AS ok")).toEqual({ ok: 2 });
      expect(pool.stats().closed).toBeGreaterThanOrEqual(1);
    } finally {
      await pool.end();
    }
    // The admin pool's idle Unix-socket connection died too; it is replaced transparently.
    expect(await admin.one("SELECT 3 AS ok")).toEqual({ ok: 3 });
  });
});

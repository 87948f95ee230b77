import { parseConnectionUrl, resolveConfig } from "@fasterapi/pg-pool";
import { describe, expect, it } from "vitest";

describe("connection URL", () => {
  it("reads user, password, host, port, database and parameters, decoding percent escapes", () => {
    expect(
      parseConnectionUrl(
        "postgresql://al%40ice:p%3Ass%2Fw@db.example.com:6543/my%20db?sslmode=verify-full&application_name=api&connect_timeout=3",
      ),
    ).toEqual({
      user: "al@ice",
      password: "p:ss/w",
      host: "db.example.com",
      port: 6543,
      database: "my db",
      sslMode: "verify-full",
      applicationName: "api",
      connectTimeoutMs: 3000,
    });
  });

  it("takes a Unix socket directory from ?host= or a percent-encoded host", () => {
    expect(parseConnectionUrl("postgres:///app?host=/var/run/postgresql")).toMatchObject({
      host: "/var/run/postgresql",
      database: "app",
    });
    expect(parseConnectionUrl("postgres://%2Ftmp%2Fpg/app").host).toBe("/tmp/pg");
  });

  it("reads an IPv6 host without brackets", () => {
    expect(parseConnectionUrl("postgres://u@[::1]:5433/d")).toMatchObject({ host: "::1", port: 5433 });
  });

  it("rejects other schemes, bad ports, unknown sslmodes and unknown parameters clearly", () => {
    expect(() => parseConnectionUrl("mysql://u@h/d")).toThrow(/postgres:\/\//);
    expect(() => parseConnectionUrl("postgres://u@h:99999/d")).toThrow(/invalid PostgreSQL connection URL/);
    expect(() => parseConnectionUrl("postgres://u@h/d?port=0")).toThrow(/invalid port "0"/);
    expect(() => parseConnectionUrl("postgres://u@h/d?sslmode=sometimes")).toThrow(/sslmode "sometimes"/);
    expect(() => parseConnectionUrl("postgres://u@h/d?frobnicate=1")).toThrow(/"frobnicate"/);
    expect(() => parseConnectionUrl("not a url")).toThrow(/invalid PostgreSQL connection URL/);
  });

  it("never puts the password into error messages", () => {
    expect(() => parseConnectionUrl("postgres://u:hunter2@h:0x/d")).toThrow(/\*\*\*/);
    expect(() => parseConnectionUrl("postgres://u:hunter2@h:0x/d")).not.toThrow(/hunter2/);
  });
});

describe("resolveConfig", () => {
  it("falls back to PG* environment variables the way libpq does", () => {
    const config = resolveConfig(
      {},
      {
        PGHOST: "pg.internal",
        PGPORT: "6000",
        PGUSER: "svc",
        PGPASSWORD: "pw",
        PGDATABASE: "appdb",
        PGSSLMODE: "require",
        PGAPPNAME: "worker",
      },
    );
    expect(config).toMatchObject({
      host: "pg.internal",
      port: 6000,
      user: "svc",
      password: "pw",
      database: "appdb",
      sslMode: "require",
      applicationName: "worker",
    });
  });

  it("lets options override the URL and the URL override the environment", () => {
    const config = resolveConfig(
      { url: "postgres://urluser:urlpw@urlhost:5555/urldb", database: "optdb" },
      { PGHOST: "envhost", PGUSER: "envuser", PGDATABASE: "envdb" },
    );
    expect(config).toMatchObject({
      host: "urlhost",
      port: 5555,
      user: "urluser",
      password: "urlpw",
      database: "optdb",
    });
  });

  it("defaults the database to the user name and sslmode to prefer, or disable for loopback and sockets", () => {
    expect(resolveConfig({ host: "db.example.com", user: "bob" }, {})).toMatchObject({
      database: "bob",
      sslMode: "prefer",
    });
    expect(resolveConfig({ host: "127.0.0.1", user: "bob" }, {}).sslMode).toBe("disable");
    expect(resolveConfig({ host: "/var/run/postgresql", user: "bob" }, {}).sslMode).toBe("disable");
    expect(resolveConfig({ user: "bob" }, {}).host).toBe("/var/run/postgresql");
  });

  it("maps ssl: true to verify-full and keeps TLS options", () => {
    expect(resolveConfig({ host: "h", user: "u", ssl: true }, {}).sslMode).toBe("verify-full");
    const config = resolveConfig({ host: "h", user: "u", ssl: { mode: "verify-ca", ca: "PEM" } }, {});
    expect(config.sslMode).toBe("verify-ca");
    expect(config.tls.ca).toBe("PEM");
  });
});

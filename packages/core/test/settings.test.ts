import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError, variableName } from "../src/index.js";

const Settings = t.Object({
  port: t.Integer({ minimum: 1, maximum: 65535, default: 8000 }),
  databaseUrl: t.Optional(t.String()),
  logLevel: t.Union([t.Literal("debug"), t.Literal("info"), t.Literal("warn")], { default: "info" }),
  metrics: t.Boolean({ default: false }),
  allowedOrigins: t.Array(t.String(), { default: [] }),
  secretKey: t.String({ minLength: 8 }),
});

describe("loadSettings", () => {
  it("maps camelCase properties to SCREAMING_SNAKE variables and converts them to their types", () => {
    const settings = loadSettings(Settings, {
      env: {
        PORT: "9000",
        DATABASE_URL: "postgres://localhost/test",
        LOG_LEVEL: "debug",
        METRICS: "true",
        ALLOWED_ORIGINS: '["https://a.example"]',
        SECRET_KEY: "0123456789",
      },
    });
    expect(settings).toEqual({
      port: 9000,
      databaseUrl: "postgres://localhost/test",
      logLevel: "debug",
      metrics: true,
      allowedOrigins: ["https://a.example"],
      secretKey: "0123456789",
    });
  });

  it("fills defaults for unset and empty variables and leaves optional ones out", () => {
    const settings = loadSettings(Settings, { env: { SECRET_KEY: "0123456789", DATABASE_URL: "" } });
    expect(settings).toEqual({
      port: 8000,
      logLevel: "info",
      metrics: false,
      allowedOrigins: [],
      secretKey: "0123456789",
    });
  });

  it("fails with one error naming every bad or missing variable", () => {
    let error: unknown;
    try {
      loadSettings(Settings, { env: { PORT: "eighty", LOG_LEVEL: "loud", ALLOWED_ORIGINS: "a,b" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const issues = (error as SettingsError).issues.map((i) => i.variable);
    expect(issues).toEqual(["PORT", "LOG_LEVEL", "ALLOWED_ORIGINS", "SECRET_KEY"]);
    expect((error as Error).message).toMatch(
      /^Invalid settings: PORT: Expected integer \(got "eighty"\); LOG_LEVEL: /,
    );
    expect((error as Error).message).toContain("SECRET_KEY: is required but not set");
  });

  it("checks constraints after conversion and reads a prefix", () => {
    expect(() =>
      loadSettings(Settings, { env: { APP_PORT: "70000", APP_SECRET_KEY: "0123456789" }, prefix: "APP_" }),
    ).toThrow(/APP_PORT: Expected integer to be less or equal to 65535 \(got "70000"\)/);
    expect(variableName("databaseUrl", "APP_")).toBe("APP_DATABASE_URL");
    expect(variableName("DATABASE_URL")).toBe("DATABASE_URL");
  });

  it("does not echo the value of a writeOnly (secret) property", () => {
    const Secret = t.Object({ databaseUrl: t.String({ pattern: "^postgres://", writeOnly: true }) });
    expect(() => loadSettings(Secret, { env: { DATABASE_URL: "mysql://root:hunter2@db" } })).toThrow(
      /^Invalid settings: DATABASE_URL: Expected string to match '\^postgres:\/\/' \(value hidden\)$/,
    );
  });

  it("reads process.env by default", () => {
    process.env.FASTERAPI_TEST_SETTING = "42";
    try {
      expect(loadSettings(t.Object({ fasterapiTestSetting: t.Number() }))).toEqual({
        fasterapiTestSetting: 42,
      });
    } finally {
      delete process.env.FASTERAPI_TEST_SETTING;
    }
  });
});

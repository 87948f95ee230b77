// The app's pino logger. `logger: true` logs at info, pino options customise it, a ready pino
// instance is used as is, and `false` silences it. Under test runners (VITEST, NODE_ENV=test) the
// default is silent so test output stays readable. Credentials in logged headers (authorization,
// cookie, set-cookie) are redacted unless the options bring their own `redact`. It does not
// decide what gets logged.
import { type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

export type LoggerSetting = boolean | LoggerOptions | Logger;

const CREDENTIAL_HEADERS = ["authorization", "cookie", '["set-cookie"]', '["proxy-authorization"]'];

/** Header credentials wherever a log line carries headers: `{ headers }`, `{ req: { headers } }`, ... */
export const REDACTED_PATHS: readonly string[] = [
  "headers",
  "req.headers",
  "res.headers",
  "*.headers",
].flatMap((base) =>
  CREDENTIAL_HEADERS.map((name) => (name.startsWith("[") ? `${base}${name}` : `${base}.${name}`)),
);

function runningUnderTest(): boolean {
  return process.env.VITEST !== undefined || process.env.NODE_ENV === "test";
}

function isLogger(value: LoggerSetting): value is Logger {
  return typeof value === "object" && typeof (value as Logger).child === "function";
}

export function createLogger(setting: LoggerSetting | undefined): Logger {
  const resolved = setting ?? !runningUnderTest();
  if (resolved === false) return pino({ enabled: false });
  const redact = { paths: [...REDACTED_PATHS], censor: "[Redacted]" };
  if (resolved === true) return pino({ level: "info", redact });
  if (isLogger(resolved)) return resolved;
  return pino({ redact, ...resolved });
}

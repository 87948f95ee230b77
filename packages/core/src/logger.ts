// The app's pino logger. `logger: true` logs at info, pino options customise it, a ready pino
// instance is used as is, and `false` silences it. Under test runners (VITEST, NODE_ENV=test) the
// default is silent so test output stays readable. It does not decide what gets logged.
import { type Logger, type LoggerOptions, pino } from "pino";

export type { Logger } from "pino";

export type LoggerSetting = boolean | LoggerOptions | Logger;

function runningUnderTest(): boolean {
  return process.env.VITEST !== undefined || process.env.NODE_ENV === "test";
}

function isLogger(value: LoggerSetting): value is Logger {
  return typeof value === "object" && typeof (value as Logger).child === "function";
}

export function createLogger(setting: LoggerSetting | undefined): Logger {
  const resolved = setting ?? !runningUnderTest();
  if (resolved === false) return pino({ enabled: false });
  if (resolved === true) return pino({ level: "info" });
  if (isLogger(resolved)) return resolved;
  return pino(resolved);
}

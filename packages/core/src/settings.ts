// Typed settings from the environment, validated once at startup (pydantic-settings for FasterAPI):
// a TypeBox object whose camelCase property names map to SCREAMING_SNAKE variables (`databaseUrl`
// -> `DATABASE_URL`, with an optional prefix). Strings are converted to the property's type, defaults
// fill what is unset, and every bad or missing variable is reported by name in one error (with the
// rejected value, unless the property is `writeOnly`, JSON Schema's mark for secrets). It reads no
// files (.env loading is the runtime's job: `node --env-file`).
import type { Static, TObject, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

export interface SettingsOptions {
  /** Where to read from. Default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Prepended to every variable name, e.g. "APP_" reads `APP_PORT` for `port`. */
  prefix?: string;
}

/** One problem with one variable. */
export interface SettingsIssue {
  variable: string;
  message: string;
}

/** Thrown by loadSettings; its message names every variable that is missing or invalid. */
export class SettingsError extends Error {
  readonly issues: readonly SettingsIssue[];
  constructor(issues: SettingsIssue[]) {
    super(`Invalid settings: ${issues.map((i) => `${i.variable}: ${i.message}`).join("; ")}`);
    this.name = "SettingsError";
    this.issues = issues;
  }
}

/** `databaseUrl` -> `DATABASE_URL`; names already in SCREAMING_SNAKE stay as they are. */
export function variableName(property: string, prefix = ""): string {
  return prefix + property.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** Objects and arrays come as JSON text; everything else through TypeBox's string conversion. */
function parseRaw(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: unknown }).type;
  if (type === "object" || type === "array") {
    try {
      return JSON.parse(raw);
    } catch {
      return raw; // reported by the type check below as "expected object/array"
    }
  }
  return Value.Convert(schema, raw);
}

/** The rejected value for the message, unless the schema marks it secret (`writeOnly: true`). */
function shown(schema: TSchema, raw: string): string {
  return (schema as { writeOnly?: unknown }).writeOnly === true
    ? "value hidden"
    : `got ${JSON.stringify(raw)}`;
}

/** Reads, converts and validates `schema`'s properties from the environment; throws SettingsError. */
export function loadSettings<S extends TObject>(schema: S, options: SettingsOptions = {}): Static<S> {
  const env = options.env ?? process.env;
  const required = new Set(schema.required ?? []);
  const issues: SettingsIssue[] = [];
  const settings: Record<string, unknown> = {};
  for (const [property, propertySchema] of Object.entries(schema.properties)) {
    const variable = variableName(property, options.prefix);
    const raw = env[variable];
    // An empty variable (`DATABASE_URL=`) means "unset", as shells and compose files produce it.
    if (raw === undefined || raw === "") {
      const fallback = Value.Default(propertySchema, undefined);
      if (fallback !== undefined) settings[property] = fallback;
      else if (required.has(property)) issues.push({ variable, message: "is required but not set" });
      continue;
    }
    const value = parseRaw(propertySchema, raw);
    const error = Value.Errors(propertySchema, value).First();
    if (error === undefined) settings[property] = value;
    else issues.push({ variable, message: `${error.message} (${shown(propertySchema, raw)})` });
  }
  if (issues.length > 0) throw new SettingsError(issues);
  return settings as Static<S>;
}

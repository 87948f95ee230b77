// Response serialization: compiles a response schema once into a fast JSON stringifier
// (fast-json-stringify) that writes only the declared fields, like FastAPI's response_model.
// It does not pick the schema for a status code or set headers; the pipeline does that.
import fastJsonStringify from "fast-json-stringify";
import { plainSchema } from "./plain-schema.js";
import { definedIds, type SharedSchemas } from "./shared-schemas.js";

export type Serializer = (value: unknown) => string;

// fast-json-stringify is CommonJS (`export =`); under NodeNext the default import is the build function.
const build = fastJsonStringify as unknown as (schema: object, options?: object) => (doc: unknown) => string;

/**
 * Compiles `schema` into a serializer. Properties not in the schema are dropped; a missing
 * required property throws (the pipeline answers 500, as Fastify does), so a handler cannot leak
 * fields its response schema does not declare. `$ref`s resolve against `shared`.
 */
export function compileSerializer(schema: object, shared?: SharedSchemas): Serializer {
  const plain = plainSchema(schema);
  const options =
    shared !== undefined && shared.size > 0 ? { schema: shared.toRecord(definedIds(plain)) } : {};
  try {
    return build(plain, options) as Serializer;
  } catch (error) {
    throw new Error(`Invalid response schema: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The default for routes without a response schema: JSON.stringify, except that BigInt values
 * (e.g. PostgreSQL int8 columns) become numbers when they fit a double exactly, strings otherwise.
 */
export function serializeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // The replacer costs on every value, so only the rare body that contains a BigInt pays for it.
    if (error instanceof TypeError && error.message.includes("BigInt"))
      return JSON.stringify(value, bigIntReplacer);
    throw error;
  }
}

function bigIntReplacer(_key: string, value: unknown): unknown {
  if (typeof value !== "bigint") return value;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}

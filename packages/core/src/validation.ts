// Request validation: compiles a JSON Schema (TypeBox or plain) once into a function that checks,
// coerces (path/query/header strings to the schema's types, body strings that parse as the
// expected number or boolean: see body-coercion.ts) and fills defaults, and reports
// failures in FastAPI's `{loc, msg, type}` shape. It does not parse bodies or decide the status code.
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { coerceBodyStrings } from "./body-coercion.js";
import type { ValidationIssue } from "./errors.js";
import { definedIds, SharedSchemas } from "./shared-schemas.js";

/** Where the validated data came from; it is the first element of every issue's `loc`. */
export type ValidationLocation = "path" | "query" | "header" | "body";

export type ValidationResult = { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] };

export type Validator = (input: unknown) => ValidationResult;

// ajv-formats is CommonJS with a default export property; NodeNext sees the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const commonOptions: Options = {
  allErrors: true, // FastAPI reports every problem at once, not just the first
  useDefaults: true,
  verbose: true, // errors carry the offending value, reported as `input`
  strict: false, // TypeBox and hand-written schemas may carry annotations Ajv does not know
};

type InputKind = "strings" | "json";

/** Each pass coerces every string Ajv reported at once; nesting inside unions may need another. */
const MAX_COERCION_PASSES = 4;

function createAjv(kind: InputKind, shared: Record<string, object>): Ajv {
  // Path, query and header values arrive as strings (or string arrays for repeated keys);
  // "array" coercion also turns a single value into a one-item array where the schema wants one.
  const ajv = new Ajv({ ...commonOptions, coerceTypes: kind === "strings" ? "array" : false });
  addFormats(ajv);
  for (const schema of Object.values(shared)) ajv.addSchema(schema);
  return ajv;
}

const NO_SHARED_SCHEMAS = new SharedSchemas();
/** One Ajv per registry and input kind, for every schema that defines no `$id` of its own. */
const reusable = new WeakMap<SharedSchemas, Partial<Record<InputKind, Ajv>>>();

function ajvFor(kind: InputKind, schema: object, shared: SharedSchemas): Ajv {
  const ownIds = definedIds(schema);
  // Ajv refuses a second schema under a taken `$id`, even an identical one; a model used by
  // several routes would collide, so a schema that defines ids gets an instance of its own.
  if (ownIds.size > 0) return createAjv(kind, shared.toRecord(ownIds));
  const byKind = reusable.get(shared) ?? {};
  reusable.set(shared, byKind);
  let ajv = byKind[kind];
  if (ajv === undefined) {
    ajv = createAjv(kind, shared.toRecord());
    byKind[kind] = ajv;
  } else {
    // Models registered after this instance was created.
    for (const [id, model] of Object.entries(shared.toRecord()))
      if (ajv.getSchema(id) === undefined) ajv.addSchema(model);
  }
  return ajv;
}

/**
 * Compiles `schema` for one request location. Call at route registration or ready(), never per
 * request: the returned function is the compiled validator. On success `value` is the (coerced,
 * defaulted) input, which is mutated in place. `$ref`s resolve against `shared`.
 */
export function compileValidator(
  schema: object,
  location: ValidationLocation,
  shared: SharedSchemas = NO_SHARED_SCHEMAS,
): Validator {
  let validate: ValidateFunction;
  try {
    validate = ajvFor(location === "body" ? "json" : "strings", schema, shared).compile(schema);
  } catch (error) {
    throw new Error(`Invalid ${location} schema: ${(error as Error).message}`, { cause: error });
  }
  const isBody = location === "body";
  return (input: unknown): ValidationResult => {
    if (validate(input)) return { ok: true, value: input };
    if (isBody) {
      // Ajv sees "no body" as a value of the wrong type; FastAPI calls it a missing field.
      if (input === undefined) {
        return {
          ok: false,
          issues: [{ type: "missing", loc: ["body"], msg: "Field required", input: null }],
        };
      }
      // Lax mode: strings that parse as the expected number/boolean are coerced, then checked again
      // (a coerced value may still break a constraint, or reveal a nested string to coerce).
      let value: unknown = input;
      for (let pass = 0; pass < MAX_COERCION_PASSES; pass++) {
        const coerced = coerceBodyStrings(value, validate.errors ?? []);
        if (!coerced.changed) break;
        value = coerced.value;
        if (validate(value)) return { ok: true, value };
      }
    }
    return { ok: false, issues: toIssues(validate.errors ?? [], location) };
  };
}

/**
 * Converts Ajv errors to FastAPI issues. A failed anyOf/oneOf would also report every branch's
 * failure; instead a union of literals becomes one literal issue, a nullable type (`T | null`)
 * reports only T's problem, and any other union one union issue.
 */
export function toIssues(errors: readonly ErrorObject[], location: ValidationLocation): ValidationIssue[] {
  const hidden: Scope[] = []; // where errors are summarised by their union's issue
  const kept: Scope[] = []; // ...except the one non-null branch of a nullable type
  const summarised = new Map<ErrorObject, ValidationIssue | null>();
  for (const error of errors) {
    if (error.keyword !== "anyOf" && error.keyword !== "oneOf") continue;
    hidden.push({ instancePath: error.instancePath, schemaPath: `${error.schemaPath}/` });
    const branches = Array.isArray(error.schema) ? (error.schema as Record<string, unknown>[]) : [];
    const nonNull = branches.flatMap((b, index) => (b.type === "null" ? [] : [index]));
    if (branches.length > 0 && branches.every((b) => "const" in b)) {
      const loc = locationOf(error, location);
      const msg = `Input should be ${listOf(branches.map((b) => b.const))}`;
      summarised.set(error, { type: "literal_error", loc, msg, input: error.data });
    } else if (nonNull.length === 1 && branches.length === 2) {
      kept.push({
        instancePath: error.instancePath,
        schemaPath: `${error.schemaPath}/${String(nonNull[0])}/`,
      });
      summarised.set(error, null);
    }
  }
  const issues: ValidationIssue[] = [];
  for (const error of errors) {
    const summary = summarised.get(error);
    if (summary !== undefined) {
      if (summary !== null) issues.push(summary);
    } else if (!hidden.some((h) => within(error, h)) || kept.some((k) => within(error, k))) {
      issues.push(toIssue(error, location));
    }
  }
  return issues;
}

/** A subtree of the data and of the schema. */
interface Scope {
  instancePath: string;
  schemaPath: string;
}

function within(error: ErrorObject, scope: Scope): boolean {
  return error.schemaPath.startsWith(scope.schemaPath) && error.instancePath.startsWith(scope.instancePath);
}

function locationOf(error: ErrorObject, location: ValidationLocation): (string | number)[] {
  const loc: (string | number)[] = [location];
  appendPointer(loc, error.instancePath);
  return loc;
}

function toIssue(error: ErrorObject, location: ValidationLocation): ValidationIssue {
  const loc = locationOf(error, location);
  const params = error.params as Record<string, unknown>;
  const data: unknown = error.data;
  let described: Described;
  switch (error.keyword) {
    case "required":
      loc.push(String(params.missingProperty));
      // FastAPI shows the surrounding body object for a missing body field, null elsewhere.
      return { type: "missing", loc, msg: "Field required", input: location === "body" ? data : null };
    case "additionalProperties": {
      const name = String(params.additionalProperty);
      loc.push(name);
      const input = (data as Record<string, unknown>)[name];
      return { type: "extra_forbidden", loc, msg: "Extra inputs are not permitted", input };
    }
    case "type":
      described = typeIssue(String(params.type), data, error.parentSchema);
      break;
    case "format":
      described = formatIssue(String(params.format));
      break;
    default:
      described = constraintIssue(error.keyword, params, data);
  }
  return { type: described.type, loc, msg: described.msg, input: data };
}

type Described = { msg: string; type: string };

function typeIssue(expected: string, data: unknown, parentSchema: unknown): Described {
  const fromString = typeof data === "string";
  switch (expected) {
    case "integer":
      if (typeof data === "number") {
        return {
          msg: "Input should be a valid integer, got a number with a fractional part",
          type: "int_from_float",
        };
      }
      return fromString
        ? {
            msg: "Input should be a valid integer, unable to parse string as an integer",
            type: "int_parsing",
          }
        : { msg: "Input should be a valid integer", type: "int_type" };
    case "number":
      return fromString
        ? { msg: "Input should be a valid number, unable to parse string as a number", type: "float_parsing" }
        : { msg: "Input should be a valid number", type: "float_type" };
    case "boolean":
      return fromString
        ? { msg: "Input should be a valid boolean, unable to interpret input", type: "bool_parsing" }
        : { msg: "Input should be a valid boolean", type: "bool_type" };
    case "string":
      return { msg: "Input should be a valid string", type: "string_type" };
    case "array":
      return { msg: "Input should be a valid list", type: "list_type" };
    case "null":
      return { msg: "Input should be None", type: "none_required" };
    case "object":
      return (parentSchema as { properties?: unknown } | undefined)?.properties !== undefined
        ? {
            msg: "Input should be a valid dictionary or object to extract fields from",
            type: "model_attributes_type",
          }
        : { msg: "Input should be a valid dictionary", type: "dict_type" };
    default:
      return { msg: `Input should be of type ${expected.split(",").join(" or ")}`, type: "type_error" };
  }
}

function formatIssue(format: string): Described {
  switch (format) {
    case "email":
      return { msg: "value is not a valid email address", type: "value_error" };
    case "uuid":
      return { msg: "Input should be a valid UUID", type: "uuid_parsing" };
    case "date-time":
      return { msg: "Input should be a valid datetime", type: "datetime_parsing" };
    case "date":
      return { msg: "Input should be a valid date", type: "date_parsing" };
    case "time":
      return { msg: "Input should be a valid time", type: "time_parsing" };
    case "uri":
    case "url":
      return { msg: "Input should be a valid URL", type: "url_parsing" };
    default:
      return { msg: `Input should match format "${format}"`, type: "value_error" };
  }
}

function plural(n: unknown, word: string): string {
  return `${String(n)} ${word}${n === 1 ? "" : "s"}`;
}

function quoted(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : JSON.stringify(value);
}

/** Pydantic's wording: "'a', 'b' or 'c'". */
function listOf(values: readonly unknown[]): string {
  const texts = values.map(quoted);
  const last = texts.pop();
  return texts.length > 0 ? `${texts.join(", ")} or ${last}` : String(last);
}

function constraintIssue(keyword: string, params: Record<string, unknown>, data: unknown): Described {
  switch (keyword) {
    case "minLength":
      return {
        msg: `String should have at least ${plural(params.limit, "character")}`,
        type: "string_too_short",
      };
    case "maxLength":
      return {
        msg: `String should have at most ${plural(params.limit, "character")}`,
        type: "string_too_long",
      };
    case "pattern":
      return {
        msg: `String should match pattern '${String(params.pattern)}'`,
        type: "string_pattern_mismatch",
      };
    case "minimum":
      return {
        msg: `Input should be greater than or equal to ${String(params.limit)}`,
        type: "greater_than_equal",
      };
    case "exclusiveMinimum":
      return { msg: `Input should be greater than ${String(params.limit)}`, type: "greater_than" };
    case "maximum":
      return {
        msg: `Input should be less than or equal to ${String(params.limit)}`,
        type: "less_than_equal",
      };
    case "exclusiveMaximum":
      return { msg: `Input should be less than ${String(params.limit)}`, type: "less_than" };
    case "multipleOf":
      return { msg: `Input should be a multiple of ${String(params.multipleOf)}`, type: "multiple_of" };
    case "minItems": {
      const actual = Array.isArray(data) ? data.length : 0;
      return {
        msg: `List should have at least ${plural(params.limit, "item")} after validation, not ${actual}`,
        type: "too_short",
      };
    }
    case "maxItems": {
      const actual = Array.isArray(data) ? data.length : 0;
      return {
        msg: `List should have at most ${plural(params.limit, "item")} after validation, not ${actual}`,
        type: "too_long",
      };
    }
    case "uniqueItems":
      return { msg: "List should have unique items", type: "unique_items" };
    case "minProperties":
      return { msg: `Dictionary should have at least ${plural(params.limit, "item")}`, type: "too_short" };
    case "maxProperties":
      return { msg: `Dictionary should have at most ${plural(params.limit, "item")}`, type: "too_long" };
    case "enum":
      return { msg: `Input should be ${listOf(params.allowedValues as unknown[])}`, type: "enum" };
    case "const":
      return { msg: `Input should be ${quoted(params.allowedValue)}`, type: "literal_error" };
    case "anyOf":
    case "oneOf":
      return { msg: "Input should match one of the allowed schemas", type: "union_error" };
    default:
      return { msg: `Input is invalid (${keyword})`, type: "value_error" };
  }
}

/** Appends the segments of a JSON Pointer ("/items/0/name") to `loc`, array indexes as numbers. */
function appendPointer(loc: (string | number)[], pointer: string): void {
  if (pointer === "") return;
  for (const raw of pointer.slice(1).split("/")) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    loc.push(/^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment);
  }
}

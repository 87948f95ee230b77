// Builds the OpenAPI 3.1 document served at /openapi.json from route descriptions: parameters
// from the params/query/headers schemas, the JSON request body, responses per status, and
// FastAPI's 422 validation-error response. It does not serve the document or collect the routes.
import { reasonPhrase } from "./errors.js";
import { plainSchema } from "./plain-schema.js";

type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** What the document needs to know about one route. `path` uses our syntax (`/items/:id`, `/files/*`). */
export interface RouteDescription {
  /** Upper- or lower-case HTTP method; "*" (app.all) is documented as get, post, put, patch and delete. */
  method: string;
  path: string;
  schemas: {
    params?: object;
    query?: object;
    headers?: object;
    body?: object;
    response?: Record<number | string, object>;
  };
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  security?: Record<string, string[]>[];
}

/** Passed through to `components`; `schemas` are merged with the ones the routes produce. */
export interface OpenApiComponents {
  schemas?: Record<string, object>;
  securitySchemes?: Record<string, object>;
  [other: string]: unknown;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: OpenApiInfo;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
}

const DOCUMENTED_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const ALL_METHODS = ["get", "post", "put", "patch", "delete"];
const WILDCARD_NAME = "wildcard";

// FastAPI's component schemas for its 422 answer, so generated clients see the same types.
const VALIDATION_ERROR: JsonSchema = {
  title: "ValidationError",
  type: "object",
  properties: {
    loc: { title: "Location", type: "array", items: { anyOf: [{ type: "string" }, { type: "integer" }] } },
    msg: { title: "Message", type: "string" },
    type: { title: "Error Type", type: "string" },
  },
  required: ["loc", "msg", "type"],
};
const HTTP_VALIDATION_ERROR: JsonSchema = {
  title: "HTTPValidationError",
  type: "object",
  properties: {
    detail: { title: "Detail", type: "array", items: { $ref: "#/components/schemas/ValidationError" } },
  },
};

/**
 * Schemas with an `$id` (shared TypeBox models) become `components.schemas` entries referenced by
 * `$ref`, as FastAPI does for Pydantic models; everything else is inlined.
 */
class SchemaRegistry {
  readonly components: Record<string, JsonSchema> = {};

  constructor(initial: Record<string, object> | undefined) {
    for (const [name, schema] of Object.entries(initial ?? {})) {
      this.components[name] = this.convert(plainSchema(schema) as JsonSchema, true);
    }
  }

  /** Plain JSON copy of `schema` with models hoisted into components. */
  inline(schema: object): JsonSchema {
    return this.convert(plainSchema(schema) as JsonSchema, false);
  }

  private convert(schema: JsonSchema, isComponentRoot: boolean): JsonSchema {
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === "$id") continue;
      if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) {
        out.$ref = `#/components/schemas/${componentName(value)}`;
      } else {
        out[key] = this.convertValue(value);
      }
    }
    const id = schema.$id;
    if (typeof id !== "string" || isComponentRoot) return out;
    const name = componentName(id);
    this.components[name] ??= out;
    return { $ref: `#/components/schemas/${name}` };
  }

  private convertValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.convertValue(v));
    if (value !== null && typeof value === "object") return this.convert(value as JsonSchema, false);
    return value;
  }
}

/** Component names must match ^[a-zA-Z0-9._-]+$; `$id`s may be URLs. */
function componentName(id: string): string {
  const last = id.replace(/#.*$/, "").split("/").pop() ?? id;
  return last.replace(/[^a-zA-Z0-9._-]/g, "_") || "Schema";
}

/** "/items/:id/*" -> "/items/{id}/{wildcard}" */
export function toOpenApiPath(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      if (segment.startsWith(":")) return `{${segment.slice(1)}}`;
      if (segment === "*") return `{${WILDCARD_NAME}}`;
      return segment;
    })
    .join("/");
}

function pathParameterNames(path: string): string[] {
  return path
    .split("/")
    .filter((s) => s.startsWith(":") || s === "*")
    .map((s) => (s === "*" ? WILDCARD_NAME : s.slice(1)));
}

function defaultOperationId(method: string, path: string): string {
  return `${method}_${toOpenApiPath(path).replace(/[^A-Za-z0-9]/g, "_")}`.replace(/_+$/, "");
}

function parametersFrom(
  schema: object | undefined,
  location: "path" | "query" | "header",
  registry: SchemaRegistry,
): Record<string, unknown>[] {
  if (schema === undefined) return [];
  const plain = registry.inline(schema);
  const properties = (plain.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((plain.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const parameter: Record<string, unknown> = {
      name: location === "path" && name === "*" ? WILDCARD_NAME : name,
      in: location,
      required: location === "path" || required.has(name),
      schema: property,
    };
    if (typeof property.description === "string") parameter.description = property.description;
    if (property.deprecated === true) parameter.deprecated = true;
    return parameter;
  });
}

/** FastAPI's wording for success; the reason phrase for other codes; ranges ("4XX") and "default" by name. */
function responseDescription(status: string, code: number): string {
  if (status === "default") return "Default Response";
  if (Number.isNaN(code)) return `${status} Response`;
  return code >= 200 && code < 300 ? "Successful Response" : reasonPhrase(code);
}

function responsesFrom(
  route: RouteDescription,
  registry: SchemaRegistry,
  validates: boolean,
): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const declared = Object.entries(route.schemas.response ?? {});
  if (declared.length === 0) {
    responses["200"] = {
      description: "Successful Response",
      content: { "application/json": { schema: {} } },
    };
  }
  for (const [status, schema] of declared) {
    const code = Number(status);
    const description = responseDescription(status, code);
    // 204 and 304 have no body by definition.
    responses[status] =
      code === 204 || code === 304
        ? { description }
        : { description, content: { "application/json": { schema: registry.inline(schema) } } };
  }
  if (validates && responses["422"] === undefined) {
    responses["422"] = {
      description: "Validation Error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPValidationError" } } },
    };
  }
  return responses;
}

function operationFor(
  route: RouteDescription,
  method: string,
  registry: SchemaRegistry,
): Record<string, unknown> {
  const { schemas } = route;
  const parameters = [
    ...parametersFrom(schemas.params, "path", registry),
    ...parametersFrom(schemas.query, "query", registry),
    ...parametersFrom(schemas.headers, "header", registry),
  ];
  // OpenAPI requires every templated path segment to be declared, schema or not.
  for (const name of pathParameterNames(route.path)) {
    if (!parameters.some((p) => p.in === "path" && p.name === name)) {
      parameters.unshift({ name, in: "path", required: true, schema: { type: "string" } });
    }
  }
  const operation: Record<string, unknown> = {};
  if (route.tags !== undefined && route.tags.length > 0) operation.tags = route.tags;
  if (route.summary !== undefined) operation.summary = route.summary;
  if (route.description !== undefined) operation.description = route.description;
  operation.operationId = route.operationId ?? defaultOperationId(method, route.path);
  if (parameters.length > 0) operation.parameters = parameters;
  if (schemas.body !== undefined) {
    operation.requestBody = {
      required: true,
      content: { "application/json": { schema: registry.inline(schemas.body) } },
    };
  }
  const validates = parameters.length > 0 || schemas.body !== undefined;
  operation.responses = responsesFrom(route, registry, validates);
  if (route.deprecated === true) operation.deprecated = true;
  if (route.security !== undefined) operation.security = route.security;
  return operation;
}

/** Builds the whole document. Routes that share a path share a path item; order is kept. */
export function buildOpenApiDocument(
  info: OpenApiInfo,
  routes: readonly RouteDescription[],
  components?: OpenApiComponents,
): OpenApiDocument {
  const registry = new SchemaRegistry(components?.schemas);
  const paths: Record<string, Record<string, unknown>> = {};
  let usesValidationError = false;
  for (const route of routes) {
    const lower = route.method.toLowerCase();
    const methods = lower === "*" || lower === "all" ? ALL_METHODS : [lower];
    const template = toOpenApiPath(route.path);
    const pathItem = paths[template] ?? {};
    paths[template] = pathItem;
    for (const method of methods) {
      if (!DOCUMENTED_METHODS.has(method) || pathItem[method] !== undefined) continue;
      const operation = operationFor(route, method, registry);
      if ((operation.responses as Record<string, unknown>)["422"] !== undefined) usesValidationError = true;
      pathItem[method] = operation;
    }
  }
  const schemas: Record<string, JsonSchema> = { ...registry.components };
  if (usesValidationError) {
    schemas.HTTPValidationError ??= HTTP_VALIDATION_ERROR;
    schemas.ValidationError ??= VALIDATION_ERROR;
  }
  const document: OpenApiDocument = {
    openapi: "3.1.0",
    info: { ...info },
    paths,
  };
  const { schemas: _userSchemas, ...otherComponents } = components ?? {};
  const allComponents: Record<string, unknown> = { ...otherComponents };
  if (Object.keys(schemas).length > 0) allComponents.schemas = schemas;
  if (Object.keys(allComponents).length > 0) document.components = allComponents;
  return document;
}

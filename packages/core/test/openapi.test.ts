import { Validator } from "@seriousme/openapi-schema-validator";
import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, type RouteDescription, toOpenApiPath } from "../src/openapi.js";
import { SharedSchemas } from "../src/shared-schemas.js";

const Item = t.Object(
  { id: t.Integer(), name: t.String(), tags: t.Optional(t.Array(t.String())) },
  { $id: "Item" },
);
const ItemCreate = t.Object({ name: t.String({ minLength: 1 }), price: t.Number({ minimum: 0 }) });
const NotFound = t.Object({ detail: t.String() });

const routes: RouteDescription[] = [
  {
    method: "GET",
    path: "/items",
    schemas: {
      query: t.Object({
        limit: t.Integer({ minimum: 1, default: 10, description: "Page size" }),
        tag: t.Optional(t.Array(t.String())),
      }),
      response: { 200: t.Array(Item) },
    },
    tags: ["items"],
    summary: "List items",
  },
  {
    method: "GET",
    path: "/items/:id",
    schemas: {
      params: t.Object({ id: t.Integer() }),
      headers: t.Object({ "x-token": t.String() }),
      response: { 200: Item, 404: NotFound, "5XX": NotFound, default: NotFound },
    },
    tags: ["items"],
  },
  {
    method: "POST",
    path: "/items",
    schemas: { body: ItemCreate, response: { 201: Item } },
    tags: ["items"],
    operationId: "createItem",
    description: "Creates an item.",
    security: [{ bearer: [] }],
  },
  { method: "DELETE", path: "/items/:id", schemas: { response: { 204: t.Null() } }, deprecated: true },
  { method: "GET", path: "/files/*", schemas: {} },
  { method: "*", path: "/hooks/:name", schemas: {} },
  { method: "GET", path: "/health", schemas: {} },
];

const document = buildOpenApiDocument({ title: "Items", version: "1.0.0", description: "Demo" }, routes, {
  securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
});

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required: boolean; schema: unknown; description?: string }[];
  requestBody?: { required: boolean; content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  [key: string]: unknown;
};
function operation(path: string, method: string): Operation {
  const op = document.paths[path]?.[method];
  if (op === undefined) throw new Error(`no operation ${method} ${path}`);
  return op as Operation;
}

function symbolKeys(value: unknown, at = "$"): string[] {
  if (value === null || typeof value !== "object") return [];
  const own = Object.getOwnPropertySymbols(value).map((s) => `${at}[${String(s)}]`);
  return own.concat(Object.entries(value).flatMap(([k, v]) => symbolKeys(v, `${at}.${k}`)));
}

describe("buildOpenApiDocument", () => {
  it("produces a document that a real OpenAPI 3.1 validator accepts", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(document)));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is checked by a validator that does reject a broken document", async () => {
    const broken = JSON.parse(JSON.stringify(document));
    broken.paths["/items"].get.parameters[0].in = "body"; // not a parameter location in 3.1
    const result = await new Validator().validate(broken);
    expect(result.valid).toBe(false);
  });

  it("converts route syntax to OpenAPI path templates", () => {
    expect(toOpenApiPath("/items/:id/parts/:partId")).toBe("/items/{id}/parts/{partId}");
    expect(Object.keys(document.paths)).toEqual([
      "/items",
      "/items/{id}",
      "/files/{wildcard}",
      "/hooks/{name}",
      "/health",
    ]);
  });

  it("documents query, path and header parameters with their required flags", () => {
    expect(operation("/items", "get").parameters).toEqual([
      {
        name: "limit",
        in: "query",
        required: true,
        description: "Page size",
        schema: { type: "integer", minimum: 1, default: 10, description: "Page size" },
      },
      { name: "tag", in: "query", required: false, schema: { type: "array", items: { type: "string" } } },
    ]);
    expect(operation("/items/{id}", "get").parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "integer" } },
      { name: "x-token", in: "header", required: true, schema: { type: "string" } },
    ]);
  });

  it("declares path parameters even when the route has no params schema", () => {
    expect(operation("/items/{id}", "delete").parameters).toEqual([
      { name: "id", in: "path", required: true, schema: { type: "string" } },
    ]);
    expect(operation("/files/{wildcard}", "get").parameters).toEqual([
      { name: "wildcard", in: "path", required: true, schema: { type: "string" } },
    ]);
  });

  it("documents the JSON request body and the declared responses", () => {
    const create = operation("/items", "post");
    expect(create.operationId).toBe("createItem");
    expect(create.description).toBe("Creates an item.");
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create.requestBody).toEqual({
      required: true,
      content: {
        "application/json": {
          schema: {
            type: "object",
            properties: { name: { type: "string", minLength: 1 }, price: { type: "number", minimum: 0 } },
            required: ["name", "price"],
          },
        },
      },
    });
    expect(create.responses["201"]).toEqual({
      description: "Successful Response",
      content: { "application/json": { schema: { $ref: "#/components/schemas/Item" } } },
    });
    const read = operation("/items/{id}", "get");
    expect(read.responses["404"]).toMatchObject({ description: "Not Found" });
    expect(read.responses["5XX"]).toMatchObject({ description: "5XX Response" });
    expect(read.responses.default).toMatchObject({ description: "Default Response" });
    expect(operation("/items/{id}", "delete")).toMatchObject({
      deprecated: true,
      responses: { 204: { description: "Successful Response" } },
    });
    expect(operation("/items/{id}", "delete").responses["204"]?.content).toBeUndefined();
  });

  it("adds FastAPI's 422 response and schemas to routes that validate input", () => {
    expect(operation("/items", "post").responses["422"]).toEqual({
      description: "Validation Error",
      content: { "application/json": { schema: { $ref: "#/components/schemas/HTTPValidationError" } } },
    });
    expect(operation("/health", "get").responses).toEqual({
      200: { description: "Successful Response", content: { "application/json": { schema: {} } } },
    });
    const schemas = (document.components as { schemas: Record<string, { properties?: object }> }).schemas;
    expect(Object.keys(schemas.ValidationError?.properties ?? {})).toEqual(["loc", "msg", "type"]);
    expect(schemas.HTTPValidationError?.properties).toEqual({
      detail: { title: "Detail", type: "array", items: { $ref: "#/components/schemas/ValidationError" } },
    });
  });

  it("hoists $id models into components and passes security schemes through", () => {
    const components = document.components as { schemas: Record<string, unknown>; securitySchemes: unknown };
    expect(components.schemas.Item).toEqual({
      type: "object",
      properties: {
        id: { type: "integer" },
        name: { type: "string" },
        tags: { type: "array", items: { type: "string" } },
      },
      required: ["id", "name"],
    });
    expect(operation("/items", "get").responses["200"]?.content?.["application/json"]?.schema).toEqual({
      type: "array",
      items: { $ref: "#/components/schemas/Item" },
    });
    expect(components.securitySchemes).toEqual({ bearer: { type: "http", scheme: "bearer" } });
  });

  it("documents an all-methods route under each standard method with distinct operation ids", () => {
    const item = document.paths["/hooks/{name}"] ?? {};
    expect(Object.keys(item)).toEqual(["get", "post", "put", "patch", "delete"]);
    const ids = Object.values(item).map((op) => (op as Operation).operationId);
    expect(new Set(ids).size).toBe(5);
  });

  it("points Type.Ref references at shared models passed as component schemas", async () => {
    const shared = new SharedSchemas();
    const Tag = t.Object({ label: t.String() }, { $id: "Tag" });
    shared.add(Tag);
    const withRef = buildOpenApiDocument(
      { title: "Tags", version: "1" },
      [
        {
          method: "PUT",
          path: "/tags/:id",
          schemas: { body: t.Ref(Tag), response: { 200: t.Array(t.Ref(Tag)) } },
        },
      ],
      { schemas: shared.toRecord() },
    );
    const put = withRef.paths["/tags/{id}"]?.put as Operation;
    expect(put.requestBody?.content["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/Tag",
    });
    expect((withRef.components as { schemas: Record<string, unknown> }).schemas.Tag).toEqual({
      type: "object",
      properties: { label: { type: "string" } },
      required: ["label"],
    });
    expect((await new Validator().validate(JSON.parse(JSON.stringify(withRef)))).valid).toBe(true);
  });

  it("contains no TypeBox Symbol metadata", () => {
    expect(symbolKeys(document)).toEqual([]);
  });
});

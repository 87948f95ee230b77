import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { SharedSchemas } from "../src/shared-schemas.js";
import { compileValidator } from "../src/validation.js";

describe("compileValidator for path, query and header strings", () => {
  const query = compileValidator(
    t.Object({
      limit: t.Integer({ minimum: 1, maximum: 100, default: 10 }),
      price: t.Optional(t.Number()),
      active: t.Optional(t.Boolean()),
      tag: t.Optional(t.Array(t.String())),
      name: t.Optional(t.String()),
    }),
    "query",
  );

  it("coerces strings to the schema's types and applies defaults", () => {
    expect(query({ limit: "5", price: "9.5", active: "true", name: "007" })).toEqual({
      ok: true,
      value: { limit: 5, price: 9.5, active: true, name: "007" },
    });
    expect(query({})).toEqual({ ok: true, value: { limit: 10 } });
  });

  it("accepts a single value and repeated values for an array parameter", () => {
    expect(query({ tag: "a" })).toEqual({ ok: true, value: { limit: 10, tag: ["a"] } });
    expect(query({ tag: ["a", "b"] })).toEqual({ ok: true, value: { limit: 10, tag: ["a", "b"] } });
  });

  it("reports every failure in FastAPI's shape with the query location", () => {
    const result = query({ limit: "abc", price: "cheap", active: "maybe" });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          type: "int_parsing",
          loc: ["query", "limit"],
          msg: "Input should be a valid integer, unable to parse string as an integer",
          input: "abc",
        },
        {
          type: "float_parsing",
          loc: ["query", "price"],
          msg: "Input should be a valid number, unable to parse string as a number",
          input: "cheap",
        },
        {
          type: "bool_parsing",
          loc: ["query", "active"],
          msg: "Input should be a valid boolean, unable to interpret input",
          input: "maybe",
        },
      ],
    });
  });

  it("reports range violations like Pydantic", () => {
    expect(query({ limit: "0" })).toEqual({
      ok: false,
      issues: [
        {
          type: "greater_than_equal",
          loc: ["query", "limit"],
          msg: "Input should be greater than or equal to 1",
          input: 0,
        },
      ],
    });
    expect(query({ limit: "101" })).toMatchObject({
      ok: false,
      issues: [{ type: "less_than_equal", msg: "Input should be less than or equal to 100" }],
    });
  });

  it("names the missing field with type missing and input null", () => {
    const path = compileValidator(t.Object({ id: t.Integer() }), "path");
    expect(path({})).toEqual({
      ok: false,
      issues: [{ type: "missing", loc: ["path", "id"], msg: "Field required", input: null }],
    });
    expect(path({ id: "42" })).toEqual({ ok: true, value: { id: 42 } });
  });

  it("validates header names as sent (lower-case) under the header location", () => {
    const headers = compileValidator(t.Object({ "x-token": t.String({ minLength: 4 }) }), "header");
    expect(headers({ "x-token": "abc", host: "h" })).toEqual({
      ok: false,
      issues: [
        {
          type: "string_too_short",
          loc: ["header", "x-token"],
          msg: "String should have at least 4 characters",
          input: "abc",
        },
      ],
    });
  });
});

describe("compileValidator for JSON bodies", () => {
  const Item = t.Object({
    name: t.String({ minLength: 1, maxLength: 5 }),
    email: t.String({ format: "email" }),
    price: t.Number({ exclusiveMinimum: 0 }),
    kind: t.Union([t.Literal("book"), t.Literal("toy")]),
    note: t.Optional(t.Union([t.String({ minLength: 2 }), t.Null()])),
    parts: t.Array(t.Object({ id: t.Integer() }), { minItems: 1 }),
    stock: t.Integer({ default: 0 }),
  });
  const body = compileValidator(Item, "body");
  const valid = { name: "pen", email: "a@b.co", price: 1.5, kind: "toy", parts: [{ id: 1 }] };

  it("fills defaults and coerces body strings that parse as the expected number, like FastAPI's lax mode", () => {
    expect(body(valid)).toEqual({ ok: true, value: { ...valid, stock: 0 } });
    expect(body({ ...valid, price: "12", stock: " 3 " })).toEqual({
      ok: true,
      value: { ...valid, price: 12, stock: 3 },
    });
    expect(body({ ...valid, parts: [{ id: "7" }] })).toEqual({
      ok: true,
      value: { ...valid, parts: [{ id: 7 }], stock: 0 },
    });
  });

  it("says what is wrong with a body string that does not parse, and keeps checking coerced values", () => {
    expect(body({ ...valid, price: "abc", stock: "2.5" })).toEqual({
      ok: false,
      issues: [
        {
          type: "float_parsing",
          loc: ["body", "price"],
          msg: "Input should be a valid number, unable to parse string as a number",
          input: "abc",
        },
        {
          type: "int_parsing",
          loc: ["body", "stock"],
          msg: "Input should be a valid integer, unable to parse string as an integer",
          input: "2.5",
        },
      ],
    });
    // "-1" parses, so what is wrong is the bound, not the type.
    expect(body({ ...valid, price: "-1" })).toMatchObject({
      ok: false,
      issues: [
        { type: "greater_than", loc: ["body", "price"], msg: "Input should be greater than 0", input: -1 },
      ],
    });
  });

  it("never turns numbers or null into strings, nor empty strings into numbers", () => {
    expect(body({ ...valid, name: 42 })).toMatchObject({
      ok: false,
      issues: [{ type: "string_type", loc: ["body", "name"], input: 42 }],
    });
    expect(body({ ...valid, price: "" })).toMatchObject({
      ok: false,
      issues: [{ type: "float_parsing", loc: ["body", "price"], input: "" }],
    });
    expect(body({ ...valid, price: null })).toMatchObject({
      ok: false,
      issues: [{ type: "float_type", loc: ["body", "price"], input: null }],
    });
  });

  it('coerces a boolean body field from "true"/"false" and a whole body that is a numeric string', () => {
    const flags = compileValidator(t.Object({ on: t.Boolean() }), "body");
    expect(flags({ on: "false" })).toEqual({ ok: true, value: { on: false } });
    expect(flags({ on: "yes" })).toMatchObject({
      ok: false,
      issues: [{ type: "bool_parsing", loc: ["body", "on"] }],
    });
    expect(compileValidator(t.Number(), "body")("1e3")).toEqual({ ok: true, value: 1000 });
  });

  it("locates nested failures with array indexes as numbers and shows the parent for missing fields", () => {
    const result = body({ ...valid, parts: [{ id: 1.5 }, {}] });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          type: "int_from_float",
          loc: ["body", "parts", 0, "id"],
          msg: "Input should be a valid integer, got a number with a fractional part",
          input: 1.5,
        },
        { type: "missing", loc: ["body", "parts", 1, "id"], msg: "Field required", input: {} },
      ],
    });
  });

  it("summarises unions: literals as one literal_error, nullable types by their own constraint", () => {
    const result = body({ ...valid, kind: "car", note: "x" });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          type: "literal_error",
          loc: ["body", "kind"],
          msg: "Input should be 'book' or 'toy'",
          input: "car",
        },
        {
          type: "string_too_short",
          loc: ["body", "note"],
          msg: "String should have at least 2 characters",
          input: "x",
        },
      ],
    });
    expect(body({ ...valid, note: null })).toMatchObject({ ok: true });
  });

  it("maps string, format, number and list constraints", () => {
    const result = body({ ...valid, name: "toolong", email: "nope", price: 0, parts: [] });
    expect(result).toMatchObject({
      ok: false,
      issues: [
        { type: "string_too_long", loc: ["body", "name"], msg: "String should have at most 5 characters" },
        { type: "value_error", loc: ["body", "email"], msg: "value is not a valid email address" },
        { type: "greater_than", loc: ["body", "price"], msg: "Input should be greater than 0" },
        {
          type: "too_short",
          loc: ["body", "parts"],
          msg: "List should have at least 1 item after validation, not 0",
        },
      ],
    });
  });

  it("reports a body of the wrong JSON type at loc ['body']", () => {
    expect(body("text")).toEqual({
      ok: false,
      issues: [
        {
          type: "model_attributes_type",
          loc: ["body"],
          msg: "Input should be a valid dictionary or object to extract fields from",
          input: "text",
        },
      ],
    });
  });

  it("reports a missing body as a missing field", () => {
    expect(body(undefined)).toEqual({
      ok: false,
      issues: [{ type: "missing", loc: ["body"], msg: "Field required", input: null }],
    });
  });

  it("rejects extra fields only when the schema forbids them", () => {
    const strict = compileValidator(t.Object({ a: t.String() }, { additionalProperties: false }), "body");
    expect(strict({ a: "x", b: 1 })).toEqual({
      ok: false,
      issues: [
        { type: "extra_forbidden", loc: ["body", "b"], msg: "Extra inputs are not permitted", input: 1 },
      ],
    });
    expect(compileValidator(t.Object({ a: t.String() }), "body")({ a: "x", b: 1 })).toMatchObject({
      ok: true,
    });
  });

  it("maps enums and string patterns", () => {
    const schema = t.Object({
      color: t.Enum({ Red: "red", Blue: "blue" }),
      code: t.String({ pattern: "^[A-Z]{3}$" }),
    });
    expect(compileValidator(schema, "body")({ color: "green", code: "abc" })).toEqual({
      ok: false,
      issues: [
        {
          type: "literal_error",
          loc: ["body", "color"],
          msg: "Input should be 'red' or 'blue'",
          input: "green",
        },
        {
          type: "string_pattern_mismatch",
          loc: ["body", "code"],
          msg: "String should match pattern '^[A-Z]{3}$'",
          input: "abc",
        },
      ],
    });
  });

  it("resolves $ref to a model in the app's shared schemas, also one added after the first compile", () => {
    const shared = new SharedSchemas();
    compileValidator(t.Object({ a: t.String() }), "body", shared);
    const Tag = t.Object({ label: t.String() }, { $id: "Tag" });
    shared.add(Tag);
    const withRef = compileValidator(t.Object({ tag: t.Ref(Tag) }), "body", shared);
    expect(withRef({ tag: { label: "x" } })).toMatchObject({ ok: true });
    expect(withRef({ tag: {} })).toMatchObject({
      ok: false,
      issues: [{ type: "missing", loc: ["body", "tag", "label"] }],
    });
    // The model itself, inline, beside a reference to it.
    const both = compileValidator(t.Object({ a: Tag, b: t.Ref(Tag) }), "body", shared);
    expect(both({ a: { label: "x" }, b: { label: 1 } })).toMatchObject({
      ok: false,
      issues: [{ type: "string_type", loc: ["body", "b", "label"] }],
    });
  });

  it("compiles the same $id model in several route schemas, and different models under one id in separate apps", () => {
    const Item = t.Object({ id: t.Integer() }, { $id: "Item" });
    const one = compileValidator(Item, "body");
    const list = compileValidator(t.Array(Item), "body");
    const nested = compileValidator(t.Object({ item: Item }), "body");
    const query = compileValidator(t.Object({ id: Item.properties.id }, { $id: "Item" }), "query");
    expect(one({ id: 1 })).toMatchObject({ ok: true });
    expect(list([{ id: "x" }])).toMatchObject({ ok: false, issues: [{ loc: ["body", 0, "id"] }] });
    expect(nested({ item: {} })).toMatchObject({
      ok: false,
      issues: [{ type: "missing", loc: ["body", "item", "id"] }],
    });
    expect(query({ id: "3" })).toEqual({ ok: true, value: { id: 3 } });
  });

  it("refuses two different shared models under one $id", () => {
    const shared = new SharedSchemas();
    shared.add(t.Object({ a: t.String() }, { $id: "M" }));
    shared.add(t.Object({ a: t.String() }, { $id: "M" }));
    expect(() => shared.add(t.Object({ b: t.String() }, { $id: "M" }))).toThrow(
      'Another schema with $id "M" is already registered',
    );
    expect(() => shared.add(t.Object({}))).toThrow("A shared schema needs a string $id");
  });

  it("throws a clear error for an invalid schema at compile time", () => {
    expect(() =>
      compileValidator({ type: "object", properties: { a: { type: "nonsense" } } }, "body"),
    ).toThrow(/^Invalid body schema/);
  });
});

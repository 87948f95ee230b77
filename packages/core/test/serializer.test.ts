import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { compileSerializer, serializeJson } from "../src/serializer.js";
import { SharedSchemas } from "../src/shared-schemas.js";

describe("compileSerializer", () => {
  const User = t.Object({
    id: t.Integer(),
    name: t.String(),
    address: t.Object({ city: t.String() }),
    roles: t.Array(t.Object({ name: t.String() })),
    nickname: t.Optional(t.Union([t.String(), t.Null()])),
  });
  const serialize = compileSerializer(User);

  it("drops fields the response schema does not declare, at every depth", () => {
    const out = serialize({
      id: 1,
      name: "Ada",
      password: "secret",
      address: { city: "London", street: "hidden" },
      roles: [{ name: "admin", internal: true }],
    });
    expect(JSON.parse(out)).toEqual({
      id: 1,
      name: "Ada",
      address: { city: "London" },
      roles: [{ name: "admin" }],
    });
    expect(out).not.toContain("secret");
  });

  it("writes optional and nullable fields when present", () => {
    const base = { id: 1, name: "Ada", address: { city: "L" }, roles: [] };
    expect(JSON.parse(serialize({ ...base, nickname: null }))).toEqual({ ...base, nickname: null });
    expect(JSON.parse(serialize({ ...base, nickname: "A" }))).toEqual({ ...base, nickname: "A" });
  });

  it("escapes strings into valid JSON", () => {
    const out = serialize({
      id: 1,
      name: 'quote " backslash \\ newline \n </script>',
      address: { city: "é" },
      roles: [],
    });
    expect(JSON.parse(out).name).toBe('quote " backslash \\ newline \n </script>');
  });

  it("serializes a top-level array of objects", () => {
    const list = compileSerializer(t.Array(t.Object({ id: t.Integer() })));
    expect(list([{ id: 1, x: 1 }, { id: 2 }])).toBe('[{"id":1},{"id":2}]');
  });

  it("resolves $ref to shared models and drops their unknown fields too", () => {
    const shared = new SharedSchemas();
    const Tag = t.Object({ label: t.String() }, { $id: "Tag" });
    shared.add(Tag);
    const withRefs = compileSerializer(
      t.Object({ main: t.Ref(Tag), all: t.Array(t.Ref(Tag)), inline: Tag }),
      shared,
    );
    const out = withRefs({
      main: { label: "a", x: 1 },
      all: [{ label: "b", y: 2 }],
      inline: { label: "c", z: 3 },
    });
    expect(JSON.parse(out)).toEqual({ main: { label: "a" }, all: [{ label: "b" }], inline: { label: "c" } });
  });

  it("throws when a required field is missing, so the handler's mistake is not sent", () => {
    expect(() => serialize({ name: "Ada" })).toThrow(/"id" is required/);
  });

  it("writes BigInt values (PostgreSQL int8) exactly", () => {
    const row = compileSerializer(t.Object({ id: t.Integer() }));
    expect(row({ id: 12345678901234567890n })).toBe('{"id":12345678901234567890}');
  });

  it("rejects an invalid schema at compile time", () => {
    expect(() => compileSerializer({ type: "object", properties: { a: { $ref: "#/nowhere" } } })).toThrow(
      /^Invalid response schema/,
    );
  });
});

describe("serializeJson", () => {
  it("keeps every field (no schema)", () => {
    expect(serializeJson({ a: 1, b: [true, null] })).toBe('{"a":1,"b":[true,null]}');
  });

  it("writes BigInt as a number when exact and as a string when too large for a double", () => {
    expect(serializeJson({ id: 42n, big: 12345678901234567890n, list: [-7n] })).toBe(
      '{"id":42,"big":"12345678901234567890","list":[-7]}',
    );
  });

  it("still fails on a circular structure", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => serializeJson(loop)).toThrow(TypeError);
  });
});

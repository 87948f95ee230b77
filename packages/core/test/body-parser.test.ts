import { describe, expect, it } from "vitest";
import { BodyParsers, parseBody } from "../src/body-parser.js";
import { HTTPException } from "../src/errors.js";

function thrown(fn: () => unknown): HTTPException {
  try {
    fn();
  } catch (error) {
    if (error instanceof HTTPException) return error;
    throw error;
  }
  throw new Error("expected an HTTPException");
}

describe("parseBody", () => {
  it("parses JSON, including +json types and parameters in the header", () => {
    expect(parseBody("application/json", Buffer.from('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
    expect(parseBody("Application/JSON; charset=utf-8", Buffer.from('"x"'))).toBe("x");
    expect(parseBody("application/merge-patch+json", Buffer.from('{"b":null}'))).toEqual({ b: null });
  });

  it("reads a body without Content-Type as JSON, as FastAPI does", () => {
    expect(parseBody(undefined, Buffer.from("[1]"))).toEqual([1]);
  });

  it("answers 400 with a json_invalid detail for malformed JSON", () => {
    const error = thrown(() => parseBody("application/json", Buffer.from('{"a":')));
    expect(error.status).toBe(400);
    expect(error.detail).toMatchObject([
      { type: "json_invalid", msg: "JSON decode error", loc: ["body", 5] },
    ]);
    const badToken = thrown(() => parseBody("application/json", Buffer.from("{x}")));
    expect(badToken.status).toBe(400);
    expect(badToken.detail).toMatchObject([
      { type: "json_invalid", ctx: { error: expect.stringContaining("x") } },
    ]);
  });

  it("returns undefined for an empty body of any type", () => {
    expect(parseBody("application/json", Buffer.alloc(0))).toBeUndefined();
    expect(parseBody("image/png", Buffer.alloc(0))).toBeUndefined();
    expect(parseBody(undefined, Buffer.alloc(0))).toBeUndefined();
  });

  it("parses url-encoded forms with repeated keys", () => {
    expect(parseBody("application/x-www-form-urlencoded", Buffer.from("name=A+B&tag=x&tag=y%21"))).toEqual({
      name: "A B",
      tag: ["x", "y!"],
    });
  });

  it("returns text as a string and octet-stream as the raw Buffer", () => {
    expect(parseBody("text/plain; charset=utf-8", Buffer.from("héllo"))).toBe("héllo");
    const raw = Buffer.from([0, 1, 2]);
    expect(parseBody("application/octet-stream", raw)).toBe(raw);
  });

  it("decodes text in the declared charset and refuses charsets it cannot decode", () => {
    expect(parseBody("text/plain; charset=ISO-8859-1", Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toBe("café");
    expect(parseBody('text/csv; charset="utf-16le"', Buffer.from("a,b", "utf16le"))).toBe("a,b");
    const error = thrown(() => parseBody("text/plain; charset=shift_jis", Buffer.from("x")));
    expect(error.status).toBe(415);
    expect(error.detail).toBe('Unsupported charset "shift_jis"');
  });

  it("answers 415 for a content type nobody parses", () => {
    const error = thrown(() => parseBody("application/xml", Buffer.from("<a/>")));
    expect(error.status).toBe(415);
    expect(error.detail).toBe('Unsupported media type "application/xml"');
  });
});

describe("BodyParsers", () => {
  it("uses a registered parser for its exact type, then for a type/* family, before the built-ins", async () => {
    const parsers = new BodyParsers();
    parsers.add("application/xml", (raw) => ({ xml: raw.toString() }));
    parsers.add("image/*", (raw, contentType) => ({ bytes: raw.length, contentType }));
    parsers.add("application/json", async (raw) => ({ custom: JSON.parse(raw.toString()) }));
    expect(parsers.parse("application/xml; charset=utf-8", Buffer.from("<a/>"))).toEqual({ xml: "<a/>" });
    expect(parsers.parse("image/png", Buffer.from([1, 2]))).toEqual({ bytes: 2, contentType: "image/png" });
    expect(await parsers.parse("application/json", Buffer.from("1"))).toEqual({ custom: 1 });
    expect(parsers.parse("text/plain", Buffer.from("t"))).toBe("t");
    expect(thrown(() => parsers.parse("video/mp4", Buffer.from("v"))).status).toBe(415);
  });

  it("refuses a second parser for the same type and malformed type names", () => {
    const parsers = new BodyParsers();
    parsers.add("application/xml", () => null);
    expect(() => parsers.add("Application/XML", () => null)).toThrow(
      'A body parser for "application/xml" is already registered',
    );
    expect(() => parsers.add("not a type", () => null)).toThrow('Invalid content type "not a type"');
  });
});

import { describe, expect, it } from "vitest";
import { parseQueryString } from "../src/query-string.js";

describe("parseQueryString", () => {
  it("parses pairs, repeated keys as arrays, and keys without values", () => {
    expect(parseQueryString("a=1&b=x&b=y&b=z&flag&empty=")).toEqual({
      a: "1",
      b: ["x", "y", "z"],
      flag: "",
      empty: "",
    });
  });

  it("decodes percent escapes and + as space in keys and values", () => {
    expect(parseQueryString("q=caf%C3%A9+au+lait&a%20b=c%26d&eq=a%3Db")).toEqual({
      q: "café au lait",
      "a b": "c&d",
      eq: "a=b",
    });
  });

  it("keeps a value's later = signs and ignores empty pairs and empty keys", () => {
    expect(parseQueryString("a=b=c&&=x&")).toEqual({ a: "b=c" });
    expect(parseQueryString("")).toEqual({});
  });

  it("leaves malformed escapes literal instead of throwing", () => {
    expect(parseQueryString("p=100%&q=%zz")).toEqual({ p: "100%", q: "%zz" });
  });

  it("cannot change the result's prototype and treats Object.prototype names as plain keys", () => {
    const parsed = parseQueryString("__proto__=x&__proto__=y&constructor=c&toString=t&toString=u");
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, "__proto__")).toBe(false);
    expect(parsed.constructor).toBe("c");
    expect(parsed.toString).toEqual(["t", "u"]);
  });
});

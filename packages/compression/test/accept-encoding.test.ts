import { describe, expect, it } from "vitest";
import { negotiateEncoding, parseAcceptEncoding } from "../src/accept-encoding.js";

const ours = ["zstd", "br", "gzip"] as const;

describe("negotiateEncoding", () => {
  it("answers identity when the request has no Accept-Encoding", () => {
    expect(negotiateEncoding(undefined, ours)).toBe("identity");
  });

  it("answers identity for an empty Accept-Encoding", () => {
    expect(negotiateEncoding("", ours)).toBe("identity");
  });

  it("breaks q-value ties by the server's preference zstd > br > gzip", () => {
    expect(negotiateEncoding("gzip, deflate, br, zstd", ours)).toBe("zstd");
    expect(negotiateEncoding("gzip, br", ours)).toBe("br");
    expect(negotiateEncoding("gzip", ours)).toBe("gzip");
  });

  it("follows the client's q-values over the server's preference", () => {
    expect(negotiateEncoding("zstd;q=0.5, br;q=0.9, gzip;q=0.1", ours)).toBe("br");
    expect(negotiateEncoding("zstd;q=0.2, gzip;q=0.8", ours)).toBe("gzip");
  });

  it("never picks a coding with q=0", () => {
    expect(negotiateEncoding("zstd;q=0, br;q=0, gzip", ours)).toBe("gzip");
    expect(negotiateEncoding("gzip;q=0", ours)).toBe("identity");
  });

  it("treats * as every coding not listed", () => {
    expect(negotiateEncoding("*", ours)).toBe("zstd");
    expect(negotiateEncoding("zstd;q=0, *", ours)).toBe("br");
    expect(negotiateEncoding("*;q=0.5, gzip", ours)).toBe("gzip");
  });

  it("answers identity when the client prefers it over every coding we have", () => {
    expect(negotiateEncoding("gzip;q=0.5, identity", ours)).toBe("identity");
  });

  it("still encodes when identity;q=0 and an acceptable coding remains", () => {
    expect(negotiateEncoding("identity;q=0, gzip;q=0.1", ours)).toBe("gzip");
  });

  it("answers null (406) when identity is refused and nothing else is acceptable", () => {
    expect(negotiateEncoding("identity;q=0", ours)).toBeNull();
    expect(negotiateEncoding("*;q=0", ours)).toBeNull();
    expect(negotiateEncoding("compress, identity;q=0", ours)).toBeNull();
  });

  it("keeps identity acceptable under *;q=0 when identity is listed", () => {
    expect(negotiateEncoding("*;q=0, identity", ours)).toBe("identity");
  });

  it("is case-insensitive and treats x-gzip as gzip", () => {
    expect(negotiateEncoding("GZIP;Q=1", ours)).toBe("gzip");
    expect(negotiateEncoding("x-gzip", ours)).toBe("gzip");
  });

  it("only offers what the server has", () => {
    expect(negotiateEncoding("zstd, gzip", ["br", "gzip"])).toBe("gzip");
    expect(negotiateEncoding("zstd", ["br", "gzip"])).toBe("identity");
  });
});

describe("parseAcceptEncoding", () => {
  it("ignores malformed q-values instead of failing", () => {
    expect(parseAcceptEncoding("gzip;q=2, br;q=abc, zstd;q=0.750, deflate;q=0.1234")).toEqual([
      { coding: "zstd", q: 0.75 },
    ]);
  });

  it("skips empty list members", () => {
    expect(parseAcceptEncoding(" , gzip ,, br;q=0.5")).toEqual([
      { coding: "gzip", q: 1 },
      { coding: "br", q: 0.5 },
    ]);
  });
});

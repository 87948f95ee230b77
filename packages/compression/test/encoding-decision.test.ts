import { describe, expect, it } from "vitest";
import { isCompressibleType } from "../src/compressible-type.js";
import { decideEncoding, type ResponseFacts } from "../src/encoding-decision.js";

const policy = { available: ["zstd", "br", "gzip"] as const, threshold: 1024, filter: isCompressibleType };
const json: ResponseFacts = {
  acceptEncoding: "gzip, br, zstd",
  status: 200,
  contentType: "application/json; charset=utf-8",
  contentEncoding: undefined,
  cacheControl: undefined,
  size: 5000,
};

describe("decideEncoding", () => {
  it("encodes a large JSON body with the preferred coding", () => {
    expect(decideEncoding(json, policy)).toEqual({ action: "encode", coding: "zstd" });
  });

  it("skips bodies under the threshold without Vary", () => {
    expect(decideEncoding({ ...json, size: 1023 }, policy)).toEqual({ action: "skip", vary: false });
    expect(decideEncoding({ ...json, size: 1024 }, policy)).toEqual({ action: "encode", coding: "zstd" });
  });

  it("encodes streams of compressible types whatever their size", () => {
    expect(decideEncoding({ ...json, contentType: "text/event-stream", size: undefined }, policy)).toEqual({
      action: "encode",
      coding: "zstd",
    });
  });

  it("leaves already-encoded responses alone", () => {
    expect(decideEncoding({ ...json, contentEncoding: "gzip" }, policy)).toEqual({
      action: "skip",
      vary: false,
    });
  });

  it("honours Cache-Control: no-transform", () => {
    expect(decideEncoding({ ...json, cacheControl: "public, no-transform" }, policy)).toEqual({
      action: "skip",
      vary: false,
    });
    expect(decideEncoding({ ...json, cacheControl: "no-transformation-here" }, policy).action).toBe("encode");
  });

  it("skips incompressible content types", () => {
    for (const contentType of [
      "image/png",
      "video/mp4",
      "audio/mpeg",
      "application/zip",
      "application/octet-stream",
    ]) {
      expect(decideEncoding({ ...json, contentType }, policy)).toEqual({ action: "skip", vary: false });
    }
  });

  it("skips statuses without a body and partial content", () => {
    for (const status of [204, 206, 304]) {
      expect(decideEncoding({ ...json, status }, policy).action).toBe("skip");
    }
  });

  it("marks Vary when the client chose identity for an eligible body", () => {
    expect(decideEncoding({ ...json, acceptEncoding: undefined }, policy)).toEqual({
      action: "skip",
      vary: true,
    });
  });

  it("encodes a small body anyway when the client refused identity", () => {
    expect(decideEncoding({ ...json, size: 10, acceptEncoding: "identity;q=0, gzip" }, policy)).toEqual({
      action: "encode",
      coding: "gzip",
    });
  });

  it("uses the filter option instead of the built-in type list", () => {
    const onlyCsv = { ...policy, filter: (t: string | undefined) => t === "text/csv" };
    expect(decideEncoding({ ...json, contentType: "text/csv" }, onlyCsv).action).toBe("encode");
    expect(decideEncoding(json, onlyCsv).action).toBe("skip");
  });
});

describe("isCompressibleType", () => {
  it("accepts text, JSON, JavaScript, XML, SVG and event streams", () => {
    for (const type of [
      "text/html; charset=utf-8",
      "text/event-stream",
      "application/json",
      "application/problem+json",
      "application/javascript",
      "application/xml",
      "image/svg+xml",
      "application/x-ndjson",
    ]) {
      expect(isCompressibleType(type), type).toBe(true);
    }
  });

  it("rejects media that is already compressed, and unknown or missing types", () => {
    for (const type of [
      "image/jpeg",
      "image/webp",
      "video/webm",
      "audio/ogg",
      "application/gzip",
      "font/woff2",
      undefined,
      "nonsense",
    ]) {
      expect(isCompressibleType(type), String(type)).toBe(false);
    }
  });
});

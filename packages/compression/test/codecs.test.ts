import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import type { ContentCoding } from "../src/codec.js";
import { createCodecs } from "../src/codec-registry.js";
import { DecodedBodyTooLargeError, decodeStream, MalformedEncodingError } from "../src/decode-stream.js";
import { nodeZstdCodec } from "../src/zlib-codec.js";
import { decodePartial, decodeWith, encodeWith, endlessZeros } from "./fixtures/independent-decoders.js";

const { codecs, zstdBackend } = createCodecs({ zstd: 3, br: 4, gzip: 6 });
const codings: ContentCoding[] = ["zstd", "br", "gzip", "deflate"];

function sampleJson(bytes: number): Buffer {
  const rows = [];
  for (let i = 0; rows.length * 60 < bytes; i++) rows.push({ id: i, name: `item ${i}`, tags: ["a", "b"] });
  return Buffer.from(JSON.stringify(rows));
}

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

it("uses the native libzstd binding for zstd when it is built", () => {
  expect(zstdBackend).toBe("native");
});

it("offers node:zlib zstd exactly when the running Node has it", () => {
  const hasZstd = typeof (zlib as unknown as Record<string, unknown>).zstdCompressSync === "function";
  expect(nodeZstdCodec(3) !== null).toBe(hasZstd);
});

describe.each(codings)("%s codec", (coding) => {
  const codec = codecs.get(coding)!;

  it("one-shot output decodes with an independent decoder", async () => {
    for (const size of [100, 5_000, 300_000]) {
      const input = sampleJson(size);
      const out = await codec.encode(input);
      expect(out.length).toBeLessThan(input.length);
      expect(decodeWith(coding, out).equals(input)).toBe(true);
    }
  });

  it("a flushed stream prefix decodes to exactly the input written so far", async () => {
    const encoder = codec.createEncoder();
    const parts = [Buffer.from("data: first event\n\n"), Buffer.from("data: second event\n\n")];
    let wire = Buffer.alloc(0);
    let written = Buffer.alloc(0);
    for (const part of parts) {
      wire = Buffer.concat([wire, await encoder.write(part), await encoder.flush()]);
      written = Buffer.concat([written, part]);
      expect(decodePartial(coding, wire).toString()).toBe(written.toString());
    }
    wire = Buffer.concat([wire, await encoder.end()]);
    expect(decodeWith(coding, wire).toString()).toBe(written.toString());
  });

  it("reuses encoders after an abandoned stream without corrupting the next one", async () => {
    const abandoned = codec.createEncoder();
    await abandoned.write(sampleJson(50_000));
    abandoned.destroy();
    const input = sampleJson(80_000);
    const encoder = codec.createEncoder();
    const wire = Buffer.concat([await encoder.write(input), await encoder.end()]);
    expect(decodeWith(coding, wire).equals(input)).toBe(true);
  });

  it("decodes a body arriving in small chunks", async () => {
    const input = sampleJson(100_000);
    const decoded = await collect(
      decodeStream(chunksOf(encodeWith(coding, input), 7), () => codec.createDecoder(), coding, 1e6),
    );
    expect(decoded.equals(input)).toBe(true);
  });

  it("rejects a truncated body as malformed", async () => {
    const encoded = encodeWith(coding, sampleJson(20_000));
    const truncated = encoded.subarray(0, encoded.length - 8);
    await expect(
      collect(decodeStream(chunksOf(truncated, 1000), () => codec.createDecoder(), coding, 1e6)),
    ).rejects.toThrow(MalformedEncodingError);
  });

  it("rejects garbage as malformed", async () => {
    const garbage = Buffer.from("this is not compressed at all, just some plain text bytes".repeat(4));
    await expect(
      collect(decodeStream(chunksOf(garbage, 64), () => codec.createDecoder(), coding, 1e6)),
    ).rejects.toThrow(MalformedEncodingError);
  });

  it("stops decoding an endless bomb once the decoded size crosses the limit", async () => {
    const limit = 3 * 1024 * 1024;
    const bomb = endlessZeros(coding);
    let decodedBytes = 0;
    const run = async () => {
      for await (const part of decodeStream(bomb.source, () => codec.createDecoder(), coding, limit))
        decodedBytes += part.length;
    };
    await expect(run()).rejects.toThrow(DecodedBodyTooLargeError);
    expect(decodedBytes).toBeLessThanOrEqual(limit);
    // Each source chunk is 1 MiB decoded: crossing 3 MiB takes 4 chunks, and nothing more is read.
    expect(bomb.pulled()).toBeLessThanOrEqual(5);
  });

  it("accepts a body exactly at the limit", async () => {
    const input = Buffer.alloc(64 * 1024, "a");
    const out = await collect(
      decodeStream(
        chunksOf(encodeWith(coding, input), 100),
        () => codec.createDecoder(),
        coding,
        input.length,
      ),
    );
    expect(out.length).toBe(input.length);
  });
});

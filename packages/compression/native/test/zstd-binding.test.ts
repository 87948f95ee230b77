import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { loadZstdBinding } from "../src/index.js";

const zstd = loadZstdBinding()!;

function cli(args: string[], input: Buffer): { out: Buffer; ok: boolean } {
  const r = spawnSync("zstd", [...args, "-q"], { input, maxBuffer: 256 * 1024 * 1024 });
  return { out: r.stdout, ok: r.status === 0 };
}

const text = Buffer.from(
  JSON.stringify(Array.from({ length: 3000 }, (_, id) => ({ id, name: `row ${id}` }))),
);

describe("zstd binding", () => {
  it("loads against the system libzstd", () => {
    expect(zstd).not.toBeNull();
    expect(zstd.zstdVersion).toMatch(/^1\.\d+\.\d+$/);
  });

  it("compress() output decodes with the zstd CLI at levels 1, 3 and 19", () => {
    for (const level of [1, 3, 19]) {
      const frame = zstd.compress(text, level);
      expect(frame.length).toBeLessThan(text.length / 3);
      const decoded = cli(["-dc"], frame);
      expect(decoded.ok).toBe(true);
      expect(decoded.out.equals(text)).toBe(true);
    }
  });

  it("compress() reads a Uint8Array view at its offset", () => {
    const backing = Buffer.concat([Buffer.from("XXXX"), text, Buffer.from("YYYY")]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, text.length);
    expect(cli(["-dc"], zstd.compress(view, 3)).out.equals(text)).toBe(true);
  });

  it("compress() of an empty input is a valid empty frame", () => {
    const decoded = cli(["-dc"], zstd.compress(Buffer.alloc(0), 3));
    expect(decoded.ok).toBe(true);
    expect(decoded.out.length).toBe(0);
  });

  it("rejects levels outside 1-19 and non-byte inputs with clear errors", () => {
    expect(() => zstd.compress(text, 0)).toThrow(/level must be an integer from 1 to 19/);
    expect(() => zstd.compress(text, 20)).toThrow(/level must be an integer from 1 to 19/);
    expect(() => zstd.compress("text" as unknown as Buffer, 3)).toThrow(/expected a Buffer or Uint8Array/);
    expect(() => new zstd.Compressor(99)).toThrow(/level must be/);
  });

  it("compressAsync() produces the same decodable frame on the thread pool, several at once", async () => {
    const big = Buffer.concat(Array.from({ length: 40 }, () => text));
    const [a, b] = await Promise.all([
      new zstd.Compressor(1).compressAsync(big),
      new zstd.Compressor(3).compressAsync(text),
    ]);
    expect(cli(["-dc"], a).out.equals(big)).toBe(true);
    expect(cli(["-dc"], b).out.equals(text)).toBe(true);
    await expect(new zstd.Compressor(3).compressAsync("nope" as unknown as Buffer)).rejects.toThrow(
      /expected a Buffer or Uint8Array/,
    );
  });

  it("a Compressor flush makes everything written so far decodable", () => {
    const c = new zstd.Compressor(3);
    const first = Buffer.concat([c.push(Buffer.from("event: one\n\n"), 0), c.push(Buffer.alloc(0), 1)]);
    // A flushed but unfinished frame: the CLI prints what it decoded, then complains of truncation.
    expect(cli(["-dc"], first).out.toString()).toBe("event: one\n\n");
    const rest = c.push(Buffer.from("event: two\n\n"), 2);
    const whole = cli(["-dc"], Buffer.concat([first, rest]));
    expect(whole.ok).toBe(true);
    expect(whole.out.toString()).toBe("event: one\n\nevent: two\n\n");
  });

  it("a Compressor reset mid-frame starts a clean frame", () => {
    const c = new zstd.Compressor(1);
    c.push(text, 1);
    c.reset();
    const frame = c.push(text, 2);
    expect(cli(["-dc"], frame).out.equals(text)).toBe(true);
  });

  it("a Decompressor decodes concatenated CLI frames fed byte-range by byte-range", () => {
    const frames = Buffer.concat([cli(["-3", "-c"], text).out, cli(["-1", "-c"], text).out]);
    const d = new zstd.Decompressor();
    const parts: Buffer[] = [];
    for (let i = 0; i < frames.length; i += 333) parts.push(d.push(frames.subarray(i, i + 333), 1e9));
    expect(d.complete).toBe(true);
    expect(Buffer.concat(parts).equals(Buffer.concat([text, text]))).toBe(true);
  });

  it("a Decompressor stops one byte past its budget", () => {
    const bomb = cli(["-19", "-c"], Buffer.alloc(50 * 1024 * 1024)).out;
    const d = new zstd.Decompressor();
    const out = d.push(bomb, 4096);
    expect(out.length).toBe(4097);
  });

  it("a Decompressor reports truncated input as incomplete and corrupt input as an error", () => {
    const frame = cli(["-3", "-c"], text).out;
    const d = new zstd.Decompressor();
    d.push(frame.subarray(0, frame.length - 10), 1e9);
    expect(d.complete).toBe(false);
    expect(() => new zstd.Decompressor().push(Buffer.from("definitely not zstd"), 1e9)).toThrow();
  });

  it("a Decompressor refuses frames that need a window above 8 MiB", () => {
    const big = Buffer.alloc(20 * 1024 * 1024, "ab");
    const frame = cli(["-1", "--zstd=wlog=24", "-c"], big).out;
    expect(() => new zstd.Decompressor().push(frame, 1e9)).toThrow(/memory|window/i);
  });
});

// Core's side of the transport contract, seen through app.handler with a hand-made RequestView
// and a recording ResponseSink: whether a body is read comes from RequestView.hasBody (never from
// framing headers), the content type is a named argument of send(), the length is left to the
// transport, and a synchronous route answers before the handler call returns.
import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { App, type HeaderPairs, type RequestView, type ResponseSink } from "../src/index.js";

interface Sent {
  status: number;
  headers: HeaderPairs;
  body: Buffer | string | null;
  contentType: string | undefined;
}

function view(
  method: string,
  url: string,
  options: { hasBody: boolean; body?: string },
): RequestView & {
  reads: number;
} {
  const headers: Record<string, string> = { "content-type": "application/json", "content-length": "7" };
  return {
    method,
    url,
    protocol: "test",
    remoteAddress: "127.0.0.1",
    hasBody: options.hasBody,
    reads: 0,
    header: (name) => headers[name],
    headers: () => headers,
    body(): Promise<Buffer> {
      this.reads++;
      return Promise.resolve(Buffer.from(options.body ?? ""));
    },
    bodyStream: async function* () {},
    onAbort: () => undefined,
  };
}

function recordingSink(): ResponseSink & { sent: Sent[] } {
  const sent: Sent[] = [];
  return {
    sent,
    aborted: false,
    send(status, headers, body, contentType) {
      sent.push({ status, headers: [...headers], body, contentType });
    },
    stream: () => {
      throw new Error("not streamed in these tests");
    },
  };
}

async function settled(sink: { sent: Sent[] }): Promise<Sent> {
  for (let i = 0; i < 100 && sink.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
  return sink.sent[0] as Sent;
}

describe("transport contract", () => {
  it("reads an optional body only when the transport says one follows, whatever the headers say", async () => {
    const app = new App({ logger: false, docs: false });
    app.delete("/items", ({ body }) => ({ body: body ?? null }));
    await app.ready();

    const without = view("DELETE", "/items", { hasBody: false, body: '{"a":1}' });
    const first = recordingSink();
    app.handler(without, first);
    expect((await settled(first)).body).toBe('{"body":null}');
    expect(without.reads).toBe(0);

    const withBody = view("DELETE", "/items", { hasBody: true, body: '{"a":1}' });
    const second = recordingSink();
    app.handler(withBody, second);
    expect((await settled(second)).body).toBe('{"body":{"a":1}}');
    expect(withBody.reads).toBe(1);
  });

  it("names the content type and leaves Content-Length out of the header list", async () => {
    const app = new App({ logger: false, docs: false });
    app.get("/plain", () => "pong");
    app.get("/tagged", ({ reply }) => {
      reply.header("x-tag", "a").type("text/csv");
      return "a,b";
    });
    await app.ready();

    const plain = recordingSink();
    app.handler(view("GET", "/plain", { hasBody: false }), plain);
    expect(plain.sent).toEqual([
      { status: 200, headers: [], body: "pong", contentType: "text/plain; charset=utf-8" },
    ]);

    const tagged = recordingSink();
    app.handler(view("GET", "/tagged", { hasBody: false }), tagged);
    expect(tagged.sent).toEqual([
      { status: 200, headers: ["x-tag", "a"], body: "a,b", contentType: "text/csv" },
    ]);
  });

  it("hands a HEAD answer the body GET would send, so the transport can announce its length", async () => {
    const app = new App({ logger: false, docs: false });
    app.get("/doc", () => ({ id: 1 }));
    await app.ready();
    const sink = recordingSink();
    app.handler(view("HEAD", "/doc", { hasBody: false }), sink);
    expect(sink.sent).toEqual([
      { status: 200, headers: [], body: '{"id":1}', contentType: "application/json; charset=utf-8" },
    ]);
  });

  it("sends no body for a status without content", async () => {
    const app = new App({ logger: false, docs: false });
    app.post("/gone", { status: 204, body: t.Object({}) }, () => "ignored");
    await app.ready();
    const sink = recordingSink();
    app.handler(view("POST", "/gone", { hasBody: true, body: "{}" }), sink);
    expect((await settled(sink)).body).toBeNull();
    expect(sink.sent[0]?.status).toBe(204);
  });

  it("answers a synchronous route without hooks before the handler call returns", async () => {
    const app = new App({ logger: false, docs: false });
    app.get("/items/:id", { params: t.Object({ id: t.Integer() }) }, ({ params }) => ({ id: params.id }));
    await app.ready();
    const sink = recordingSink();
    app.handler(view("GET", "/items/7", { hasBody: false }), sink);
    expect(sink.sent.map((s) => s.body)).toEqual(['{"id":7}']);
  });
});

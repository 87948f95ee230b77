// reply.earlyHints, reply.push and reply.trailer through core's handler: what reaches a transport
// that has the optional sink methods, what happens on one without them (inject), and the checks
// that reject bad input before anything is sent.
import { describe, expect, it } from "vitest";
import {
  App,
  type HeaderPairs,
  type RequestView,
  type ResponseSink,
  type ResponseStream,
} from "../src/index.js";

function view(url: string): RequestView {
  return {
    method: "GET",
    url,
    protocol: "test",
    remoteAddress: "127.0.0.1",
    hasBody: false,
    header: () => undefined,
    headers: () => ({}),
    body: () => Promise.resolve(Buffer.alloc(0)),
    bodyStream: async function* () {},
    onAbort: () => undefined,
  };
}

interface Recorded {
  events: string[];
  hints: HeaderPairs[];
  pushes: [string, HeaderPairs][];
  trailers: HeaderPairs | undefined;
  body: string;
  done: Promise<void>;
}

/** A sink with every optional method, recording the order of calls. */
function fullSink(acceptPush: boolean): ResponseSink & Recorded {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const sink: ResponseSink & Recorded = {
    events: [],
    hints: [],
    pushes: [],
    trailers: undefined,
    body: "",
    done,
    aborted: false,
    send(status, _headers, body) {
      sink.events.push(`send ${status}`);
      sink.body = String(body);
      finish();
    },
    stream(status): ResponseStream {
      sink.events.push(`stream ${status}`);
      return {
        write(chunk) {
          sink.body += String(chunk);
          return Promise.resolve();
        },
        end(trailers) {
          sink.events.push("end");
          sink.trailers = trailers;
          finish();
        },
      };
    },
    earlyHints(headers) {
      sink.events.push("103");
      sink.hints.push([...headers]);
    },
    push(path, headers) {
      sink.pushes.push([path, [...headers]]);
      return acceptPush;
    },
  };
  return sink;
}

async function serve(app: App, url: string, acceptPush = true) {
  await app.ready();
  const sink = fullSink(acceptPush);
  app.handler(view(url), sink);
  await sink.done;
  return sink;
}

describe("reply.earlyHints", () => {
  it("sends 103 with the hints before the final answer", async () => {
    const app = new App({ logger: false });
    app.get("/", ({ reply }) => {
      reply.earlyHints({ Link: ["</a.css>; rel=preload; as=style", "</b.js>; rel=preload; as=script"] });
      return "page";
    });
    const sink = await serve(app, "/");
    expect(sink.events).toEqual(["103", "send 200"]);
    expect(sink.hints).toEqual([
      ["link", "</a.css>; rel=preload; as=style", "link", "</b.js>; rel=preload; as=script"],
    ]);
  });

  it("rejects hints without a Link field (500, nothing sent as 103)", async () => {
    const app = new App({ logger: false });
    app.get("/", ({ reply }) => {
      reply.earlyHints({ "x-other": "1" });
      return "page";
    });
    const sink = await serve(app, "/");
    expect(sink.events).toEqual(["send 500"]);
  });

  it("is skipped on a transport without informational answers (inject)", async () => {
    const app = new App({ logger: false });
    app.get("/", ({ reply }) => {
      reply.earlyHints({ link: "</a.css>; rel=preload" });
      return "page";
    });
    const res = await app.inject({ url: "/" });
    expect([res.statusCode, res.body]).toEqual([200, "page"]);
  });
});

describe("reply.push", () => {
  it("hands the path and lower-cased request headers to the transport and returns its answer", async () => {
    const app = new App({ logger: false });
    let results: boolean[] = [];
    app.get("/", ({ reply }) => {
      results = [reply.push("/a.css", { Accept: "text/css" }), reply.push("/b.js")];
      return "page";
    });
    const sink = await serve(app, "/");
    expect(sink.pushes).toEqual([
      ["/a.css", ["accept", "text/css"]],
      ["/b.js", []],
    ]);
    expect(results).toEqual([true, true]);
    const refusing = await serve(app, "/", false);
    expect(refusing.pushes).toHaveLength(2);
    expect(results).toEqual([false, false]);
  });

  it("returns false where the transport has no push (inject), and refuses a path that is not origin-form", async () => {
    const app = new App({ logger: false });
    app.get("/", ({ reply }) => String(reply.push("/a.css")));
    app.get("/bad", ({ reply }) => String(reply.push("http://elsewhere/x")));
    expect((await app.inject({ url: "/" })).body).toBe("false");
    expect((await app.inject({ url: "/bad" })).statusCode).toBe(500);
  });
});

describe("reply.trailer", () => {
  it("sends trailers set while a body streams at its end", async () => {
    const app = new App({ logger: false });
    app.get("/", ({ reply }) =>
      (async function* () {
        yield "a";
        yield "b";
        reply.trailer("X-Checksum", "ab");
      })(),
    );
    const sink = await serve(app, "/");
    expect(sink.events).toEqual(["stream 200", "end"]);
    expect([sink.body, sink.trailers]).toEqual(["ab", ["x-checksum", "ab"]]);
  });

  it("turns a whole body with trailers into a one-chunk stream; without trailers it stays one send", async () => {
    const app = new App({ logger: false });
    app.get("/with", ({ reply }) => {
      reply.trailer("server-timing", "db;dur=2");
      return { ok: true };
    });
    app.get("/without", () => ({ ok: true }));
    const withTrailers = await serve(app, "/with");
    expect(withTrailers.events).toEqual(["stream 200", "end"]);
    expect(withTrailers.body).toBe('{"ok":true}');
    expect(withTrailers.trailers).toEqual(["server-timing", "db;dur=2"]);
    expect((await serve(app, "/without")).events).toEqual(["send 200"]);
    const injected = await app.inject({ url: "/with" });
    expect(injected.trailers).toEqual({ "server-timing": "db;dur=2" });
  });

  it.each(["content-length", "Transfer-Encoding", "host", "set-cookie", ":status"])(
    "refuses %s as a trailer field",
    async (name) => {
      const app = new App({ logger: false });
      app.get("/", ({ reply }) => {
        reply.trailer(name, "1");
        return "x";
      });
      expect((await app.inject({ url: "/" })).statusCode).toBe(500);
    },
  );

  it("is dropped by an error answer that replaces the reply", async () => {
    const app = new App({ logger: false });
    app.get("/", ({ reply }) => {
      reply.trailer("x-a", "1");
      throw new Error("boom");
    });
    const sink = await serve(app, "/");
    expect(sink.events).toEqual(["send 500"]);
  });
});

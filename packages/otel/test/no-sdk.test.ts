import { App } from "@fasterapi/core";
import { tracing } from "@fasterapi/otel";
import { trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";

describe("tracing without an SDK", () => {
  it("is a no-op: requests are answered and the active span is the non-recording one", async () => {
    const app = new App({ logger: false, docs: false });
    app.register(tracing());
    app.get("/", () => ({ recording: trace.getActiveSpan()?.isRecording() ?? false }));
    const res = await app.inject({
      url: "/",
      headers: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ recording: false });
  });
});

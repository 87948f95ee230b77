import { App, health } from "@fasterapi/core";
import { metrics, operationOf } from "@fasterapi/metrics";
import { describe, expect, it } from "vitest";
import { parseExposition } from "./fixtures/exposition.js";

describe("metrics plugin without sockets", () => {
  it("counts answers given early by later plugins' hooks (load shedding) under the route they hit", async () => {
    const app = new App({ logger: false, docs: false });
    app.register(metrics({ processMetrics: false }));
    app.register(health({ pressure: { maxHeapUsedBytes: 1 } }));
    app.get("/work", () => "done");
    expect((await app.inject("/work")).statusCode).toBe(503);
    const scrape = parseExposition((await app.inject("/metrics")).body);
    expect(scrape.value("http_request_duration_seconds_count", { route: "/work", status_code: "503" })).toBe(
      1,
    );
    expect(scrape.samples.some((s) => s.name.startsWith("process_"))).toBe(false);
    await app.close();
  });

  it("serves a custom path and exports numeric fields of every stats source as gauges", async () => {
    const app = new App({ logger: false, docs: false });
    app.addStatsSource("ws", () => ({ openSockets: 4, label: "not a number" }));
    app.register(metrics({ path: "/internal/metrics", processMetrics: false }));
    const scrape = parseExposition((await app.inject("/internal/metrics")).body);
    expect(scrape.value("fasterapi_ws_open_sockets")).toBe(4);
    expect(scrape.types.get("fasterapi_ws_open_sockets")).toBe("gauge");
    expect(scrape.samples.some((s) => s.name === "fasterapi_ws_label")).toBe(false);
    expect((await app.inject("/metrics")).statusCode).toBe(404);
  });

  it("labels queries by their first keyword only", () => {
    expect(operationOf("  select * from t where a = $1")).toBe("SELECT");
    expect(operationOf("WITH x AS (SELECT 1) SELECT * FROM x")).toBe("WITH");
    expect(operationOf("-- comment\nSELECT 1")).toBe("OTHER");
  });

  it("rejects an aggregate that is not a function", () => {
    expect(() => metrics({ aggregate: "all" as never })).toThrow(/aggregate/);
  });
});

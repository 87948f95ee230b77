import { describe, expect, it } from "vitest";
import { App } from "../src/index.js";

describe("app.inject", () => {
  it("accepts a URL string and a query object, and encodes object bodies as JSON", async () => {
    const app = new App({ logger: false, docs: false });
    app.get("/q", ({ query }) => query);
    app.post("/echo", ({ body, headers }) => ({
      body,
      type: headers["content-type"],
      length: headers["content-length"],
    }));
    expect((await app.inject("/q?a=1")).json()).toEqual({ a: "1" });
    expect((await app.inject({ url: "/q?a=1", query: { b: [2, 3], c: true } })).json()).toEqual({
      a: "1",
      b: ["2", "3"],
      c: "true",
    });
    expect((await app.inject({ method: "post", url: "/echo", body: { x: "é" } })).json()).toEqual({
      body: { x: "é" },
      type: "application/json",
      length: "10",
    });
  });

  it("sends Buffer and string bodies as given", async () => {
    const app = new App({ logger: false, docs: false });
    app.post("/raw", ({ body }) => body);
    const bytes = await app.inject({
      method: "POST",
      url: "/raw",
      body: Buffer.from([0, 255]),
      headers: { "content-type": "application/octet-stream" },
    });
    expect([...bytes.rawBody]).toEqual([0, 255]);
    const text = await app.inject({
      method: "POST",
      url: "/raw",
      body: "plain",
      headers: { "content-type": "text/plain" },
    });
    expect(text.body).toBe("plain");
  });

  it("fails ready() when a route collides with the docs routes, naming the way out", async () => {
    const app = new App({ logger: false });
    app.get("/docs", () => "mine");
    await expect(app.inject("/docs")).rejects.toThrow(/docs: false/);
    const custom = new App({ logger: false, docs: { docsUrl: "/api-docs" } });
    custom.get("/docs", () => "mine");
    expect((await custom.inject("/docs")).body).toBe("mine");
    expect((await custom.inject("/api-docs")).statusCode).toBe(200);
  });
});

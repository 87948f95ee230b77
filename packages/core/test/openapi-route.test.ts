import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Type as t } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { App, Router } from "../src/index.js";

describe("OpenAPI and docs routes", () => {
  it("serves the OpenAPI document built from the routes, without the docs routes themselves", async () => {
    const app = new App({ title: "Items", version: "2.0.0", logger: false });
    const items = new Router({ prefix: "/items", tags: ["items"] });
    items.get(
      "/:id",
      {
        params: t.Object({ id: t.Integer() }),
        response: { 200: t.Object({ id: t.Integer() }) },
        summary: "Read one",
      },
      ({ params }) => ({ id: params.id }),
    );
    app.include(items);
    app.get("/hidden", { includeInSchema: false }, () => "x");
    app.post("/created", { status: 201 }, () => ({ ok: true }));
    const res = await app.inject({ url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { tags?: string[]; summary?: string }>>;
    }>();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toEqual({ title: "Items", version: "2.0.0" });
    expect(Object.keys(doc.paths)).toEqual(["/items/{id}", "/created"]);
    const created = doc.paths["/created"]?.post as { responses: object } | undefined;
    expect(Object.keys(created?.responses ?? {})).toEqual(["201"]);
    expect(doc.paths["/items/{id}"]?.get?.tags).toEqual(["items"]);
    expect(doc.paths["/items/{id}"]?.get?.summary).toBe("Read one");
  });

  it("serves the /docs page and its assets from the local swagger-ui-dist", async () => {
    const app = new App({ logger: false });
    const page = await app.inject({ url: "/docs" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('"/openapi.json"');
    expect(page.body).toContain("/docs/assets/swagger-ui-bundle.js");
    const asset = await app.inject({ url: "/docs/assets/swagger-ui.css" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toBe("text/css; charset=utf-8");
    const folder = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/absolute-path.js"));
    expect(asset.rawBody.equals(await readFile(join(folder, "swagger-ui.css")))).toBe(true);
    expect((await app.inject({ url: "/docs/assets/../package.json" })).statusCode).toBe(404);
  });

  it("serves neither when docs are disabled", async () => {
    const app = new App({ logger: false, docs: false });
    expect((await app.inject({ url: "/openapi.json" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/docs" })).statusCode).toBe(404);
  });
});

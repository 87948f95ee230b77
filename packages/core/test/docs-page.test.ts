import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DOCS_ASSET_NAMES, docsPageHtml, readDocsAsset, swaggerUiFolder } from "../src/docs-page.js";

describe("docs page", () => {
  it("points Swagger UI at the spec and at local assets, never a CDN", () => {
    const html = docsPageHtml({ title: "Items <API>" });
    expect(html).toContain("<title>Items &#60;API&#62;</title>");
    expect(html).toContain('url: "/openapi.json"');
    expect(html).toContain('<script src="/docs/assets/swagger-ui-bundle.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/docs/assets/swagger-ui.css">');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it("escapes a spec URL that tries to close the script element", () => {
    const html = docsPageHtml({ openapiUrl: "/x</script><script>alert(1)</script>" });
    expect(html).not.toContain("</script><script>alert");
    expect(html).toContain('url: "/x\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"');
  });

  it("reads every whitelisted asset from the installed swagger-ui-dist with its content type", async () => {
    const bundle = await readDocsAsset("swagger-ui-bundle.js");
    expect(bundle?.contentType).toBe("text/javascript; charset=utf-8");
    expect(bundle?.body.equals(await readFile(join(swaggerUiFolder(), "swagger-ui-bundle.js")))).toBe(true);
    expect((await readDocsAsset("swagger-ui.css"))?.contentType).toBe("text/css; charset=utf-8");
    for (const name of DOCS_ASSET_NAMES) {
      expect((await readDocsAsset(name))?.body.length).toBeGreaterThan(0);
    }
  });

  it("refuses names outside the whitelist, including path traversal", () => {
    expect(readDocsAsset("../package.json")).toBeNull();
    expect(readDocsAsset("package.json")).toBeNull();
    expect(readDocsAsset("/etc/passwd")).toBeNull();
    expect(readDocsAsset("constructor")).toBeNull();
  });
});

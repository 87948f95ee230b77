// Mounts the OpenAPI document (/openapi.json) and the Swagger UI page (/docs, assets under
// /docs/assets/) as ordinary routes, left out of the document themselves. The document is built
// on first request from the routes known at ready(); building it is openapi.ts's job.
import { docsPageHtml, readDocsAsset } from "./docs-page.js";
import { HTTPException } from "./errors.js";
import type { OpenApiDocument } from "./openapi.js";
import type { RouteMethods } from "./route-methods.js";

export interface DocsOptions {
  /** Default "/openapi.json". */
  openapiUrl?: string;
  /** Default "/docs"; assets are served under `${docsUrl}/assets/`. */
  docsUrl?: string;
  /** Page title; default the app title. */
  title?: string;
}

export function mountDocs(
  app: RouteMethods,
  options: DocsOptions,
  buildDocument: () => OpenApiDocument,
): void {
  const openapiUrl = options.openapiUrl ?? "/openapi.json";
  const docsUrl = options.docsUrl ?? "/docs";
  const assetsPrefix = `${docsUrl}/assets`;
  const hidden = { includeInSchema: false } as const;
  let document: string | undefined;
  let page: string | undefined;

  app.get(openapiUrl, hidden, ({ reply }) => {
    document ??= JSON.stringify(buildDocument());
    reply.type("application/json; charset=utf-8");
    return document;
  });
  app.get(docsUrl, hidden, ({ reply }) => {
    page ??= docsPageHtml({ title: options.title, openapiUrl, assetsPrefix });
    reply.type("text/html; charset=utf-8");
    return page;
  });
  app.get(`${assetsPrefix}/*`, hidden, async ({ params, reply }) => {
    const asset = readDocsAsset(params["*"] ?? "");
    if (asset === null) throw new HTTPException(404);
    const { body, contentType } = await asset;
    reply.type(contentType).header("cache-control", "public, max-age=86400");
    return body;
  });
}

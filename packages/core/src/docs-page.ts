// The interactive API docs (/docs): a Swagger UI page whose scripts and styles come from the
// locally installed swagger-ui-dist package, never a CDN. It renders the page and reads the
// whitelisted asset files; mounting them as routes is the app's job.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface DocsPageOptions {
  /** Page title; default "API docs". */
  title?: string;
  /** URL of the OpenAPI document; default "/openapi.json". */
  openapiUrl?: string;
  /** URL prefix the assets are served under; default "/docs/assets". */
  assetsPrefix?: string;
}

export interface DocsAsset {
  body: Buffer;
  contentType: string;
}

/** The only files served, by name; anything else (including "../x") is not found. */
const ASSET_TYPES: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
  "oauth2-redirect.html": "text/html; charset=utf-8",
  "oauth2-redirect.js": "text/javascript; charset=utf-8",
  "favicon-16x16.png": "image/png",
  "favicon-32x32.png": "image/png",
};

export const DOCS_ASSET_NAMES: readonly string[] = Object.keys(ASSET_TYPES);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A JS string literal safe inside <script>: JSON.stringify alone would let "</script>" end the element. */
function scriptString(text: string): string {
  return JSON.stringify(text).replace(/</g, "\\u003c");
}

/** The /docs HTML page; every option is escaped for the context it lands in. */
export function docsPageHtml(options: DocsPageOptions = {}): string {
  const title = escapeHtml(options.title ?? "API docs");
  const assetsPrefix = options.assetsPrefix ?? "/docs/assets";
  const assets = escapeHtml(assetsPrefix);
  const specUrl = scriptString(options.openapiUrl ?? "/openapi.json");
  const redirectUrl = scriptString(`${assetsPrefix}/oauth2-redirect.html`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="${assets}/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script src="${assets}/swagger-ui-standalone-preset.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: ${specUrl},
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "BaseLayout",
  oauth2RedirectUrl: window.location.origin + ${redirectUrl}
});
</script>
</body>
</html>
`;
}

let assetFolder: string | undefined;

/** swagger-ui-dist's folder, found through Node's resolver (the package has no `exports` map). */
export function swaggerUiFolder(): string {
  assetFolder ??= dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/absolute-path.js"));
  return assetFolder;
}

const cache = new Map<string, Promise<DocsAsset>>();

/**
 * Reads a docs asset by file name (e.g. "swagger-ui-bundle.js"); null for names not on the
 * whitelist. Each file is read once and kept in memory.
 */
export function readDocsAsset(name: string): Promise<DocsAsset> | null {
  const contentType = ASSET_TYPES[name];
  if (contentType === undefined || !Object.hasOwn(ASSET_TYPES, name)) return null;
  let asset = cache.get(name);
  if (asset === undefined) {
    asset = readFile(join(swaggerUiFolder(), name)).then((body) => ({ body, contentType }));
    // A failed read is not cached, so a later request retries.
    asset.catch(() => cache.delete(name));
    cache.set(name, asset);
  }
  return asset;
}

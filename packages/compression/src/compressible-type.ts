// Decides from a Content-Type whether compressing the body is worth it: text, JSON, JavaScript,
// XML, SVG, event streams, WASM and fonts that are not already compressed say yes; images, audio,
// video, archives and anything unknown say no. It does not look at the bytes themselves.

const COMPRESSIBLE_APPLICATION = new Set([
  "json",
  "javascript",
  "ecmascript",
  "x-javascript",
  "xml",
  "xhtml+xml",
  "x-www-form-urlencoded",
  "graphql",
  "wasm",
  "x-ndjson",
  "ndjson",
  "geo+json",
  "ld+json",
  "manifest+json",
  "problem+json",
  "problem+xml",
  "rss+xml",
  "atom+xml",
  "vnd.api+json",
  "x-sh",
  "x-tar",
  "yaml",
  "x-yaml",
  "toml",
  "sql",
  "rtf",
  "postscript",
  "vnd.ms-fontobject",
  "x-font-ttf",
  "x-font-otf",
]);

/** Lower-case media type without parameters, e.g. "text/html" for "Text/HTML; charset=utf-8". */
function mediaType(contentType: string): string {
  const semi = contentType.indexOf(";");
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** True when a body of this Content-Type usually shrinks under a general-purpose compressor. */
export function isCompressibleType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = mediaType(contentType);
  const slash = type.indexOf("/");
  if (slash < 0) return false;
  const top = type.slice(0, slash);
  const sub = type.slice(slash + 1);
  if (top === "text") return true;
  if (top === "image")
    return sub === "svg+xml" || sub === "x-icon" || sub === "vnd.microsoft.icon" || sub === "bmp";
  if (top === "font") return sub === "ttf" || sub === "otf" || sub === "sfnt" || sub === "collection";
  if (top !== "application") return false;
  // Structured syntax suffixes (RFC 6839): anything "+json" or "+xml" is text underneath.
  return COMPRESSIBLE_APPLICATION.has(sub) || sub.endsWith("+json") || sub.endsWith("+xml");
}

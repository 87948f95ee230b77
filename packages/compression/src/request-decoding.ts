// The request side of the plugin: a preParsing hook that undoes Content-Encoding (zstd, br, gzip,
// deflate, in reverse order when several are listed) before core parses the body, with a cap on
// the decoded size. Unknown codings answer 415 with the codings we accept (RFC 7694).
import { HTTPException, type PreParsingHook } from "@fasterapi/core";
import type { Codec, ContentCoding } from "./codec.js";
import { DecodedBodyTooLargeError, decodeStream, MalformedEncodingError } from "./decode-stream.js";

/** Turns decoding failures into the HTTP answers they deserve: 413 and 400. */
async function* withHttpErrors(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* source;
  } catch (error) {
    if (error instanceof DecodedBodyTooLargeError) {
      throw new HTTPException(413, `Decoded request body is larger than ${error.limit} bytes`);
    }
    if (error instanceof MalformedEncodingError) throw new HTTPException(400, error.message);
    throw error;
  }
}

export function requestDecodingHook(
  codecs: ReadonlyMap<ContentCoding, Codec>,
  maxDecodedBodySize: number,
): PreParsingHook {
  const accepted = [...codecs.keys()].join(", ");
  return (ctx, payload) => {
    const header = ctx.request.header("content-encoding");
    if (header === undefined) return undefined;
    const codings = header
      .split(",")
      .map((coding) => coding.trim().toLowerCase())
      .filter((coding) => coding !== "" && coding !== "identity");
    if (codings.length === 0) return undefined;
    let body = payload;
    // Codings are listed in the order they were applied, so they come off last first.
    for (const listed of codings.reverse()) {
      const coding = (listed === "x-gzip" ? "gzip" : listed) as ContentCoding;
      const codec = codecs.get(coding);
      if (codec === undefined) {
        throw new HTTPException(415, `Unsupported Content-Encoding: ${listed}`, {
          "accept-encoding": accepted,
        });
      }
      body = decodeStream(body, () => codec.createDecoder(), coding, maxDecodedBodySize);
    }
    return withHttpErrors(body);
  };
}

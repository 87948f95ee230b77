// Answers a request node:http could not parse (its 'clientError' event) the way the native path
// answers a parse error: a status line with RFC 9110's reason phrase, `Content-Length: 0`, `Date`,
// `Connection: close`, then FIN. node's own answer lacks Content-Length and Date, and calls a
// well-formed but unsupported version (HTTP/1.2) or an unknown transfer coding a 400 where
// RFC 9112 says 505 and 501.
import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { REASON_PHRASES } from "@fasterapi/core";

/** The one head every refused request gets; `status` picks the line. */
function refusalHead(status: number): string {
  return (
    `HTTP/1.1 ${status} ${REASON_PHRASES[status] ?? ""}\r\n` +
    `Content-Length: 0\r\nDate: ${new Date().toUTCString()}\r\nConnection: close\r\n\r\n`
  );
}

/** "HTTP/" DIGIT "." DIGIT ending the request line: a version we can name but do not speak. */
const WELL_FORMED_VERSION = /^[^\r\n]* HTTP\/\d\.\d\r?\n/;

/** A Transfer-Encoding line naming chunked (then misplaced: 400); without it the coding is unknown (501). */
const CHUNKED_CODING = /\ntransfer-encoding:[^\r\n]*chunked/i;

function statusFor(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): number {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return 431;
    case "ERR_HTTP_REQUEST_TIMEOUT":
    case "HPE_HEADERS_TIMEOUT":
      return 408;
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return 413;
    case "HPE_INVALID_VERSION":
      return WELL_FORMED_VERSION.test(error.rawPacket?.toString("latin1") ?? "") ? 505 : 400;
    case "HPE_INVALID_TRANSFER_ENCODING":
      return CHUNKED_CODING.test(error.rawPacket?.toString("latin1") ?? "") ? 400 : 501;
    default:
      return 400;
  }
}

/** The 'clientError' listener: answers unless a response is already on the wire, then closes. */
export function answerClientError(
  error: NodeJS.ErrnoException & { rawPacket?: Buffer },
  socket: Socket,
): void {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && (inFlight === undefined || inFlight === null || !inFlight.headersSent)) {
    socket.end(refusalHead(statusFor(error)));
  }
  socket.destroySoon();
}

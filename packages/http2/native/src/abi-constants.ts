// Numbers shared with the C++ module (src/h2_module.h, src/addon.cc): the request record size,
// body event flags and readBody results.

/** Entries per stream in onRequests' records: handle, streamId, hasBody, method, path, fields. */
export const RECORD_WORDS = 6;

/** The request body is complete (trailers, if any, come with this event). */
export const BODY_END = 1;
/** More than the limit given to readBody arrived; the rest is not delivered. */
export const BODY_LIMIT = 2;
/** The stream was reset or the connection closed before the body ended. */
export const BODY_ABORTED = 8;

export const READ_BODY_TOO_LARGE = 1;
export const READ_BODY_GONE = -1;

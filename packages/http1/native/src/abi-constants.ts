// The numbers of the addon's JavaScript interface, mirrored from the enums and constants of
// http1_module.h (test/abi-constants.test.ts parses that header and fails when the two drift).
// Only what JavaScript reads is here.

/** Words before each connection's records in a batch: handleLo, handleHi, record count. */
export const GROUP_HEADER_WORDS = 3;
/** Words of a request record before its header spans (see Http1Callbacks.onRequests). */
export const RECORD_FIXED_WORDS = 9;

/** Request flags in a record's second word. */
export const FLAG_HAS_BODY = 8;
export const FLAG_PATH_NEEDS_SLASH = 32;
export const FLAG_UPGRADE = 64;

/** Body events passed to Http1Callbacks.onBody. */
export const BODY_END = 1;
export const BODY_LIMIT = 2;
export const BODY_MALFORMED = 4;
export const BODY_ABORTED = 8;

/** Results of Http1Protocol.readBody. */
export const READ_BODY_GONE = -1;
export const READ_BODY_TOO_LARGE = 1;

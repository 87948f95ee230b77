// Numbers shared with the C++ module (src/ws_module.h, src/handoff.h): event kinds and record
// size of the per-turn event batch, send results and the hand-off blob layout.

/** Event kinds in onEvents' records (ws_module.h EventKind32). */
export const EVENT_OPEN = 1;
export const EVENT_MESSAGE = 2;
export const EVENT_PING = 3;
export const EVENT_PONG = 4;
export const EVENT_DRAIN = 5;
export const EVENT_CLOSE = 6;
/** Words per event record: kind, handleLo, handleHi, arg, bytesOff, bytesLen. */
export const EVENT_WORDS = 6;

/** send() results (ws_module.h SendResult). */
export const SEND_CLOSED = -1;
export const SEND_OK = 0;
export const SEND_BACKPRESSURE = 1;
export const SEND_DROPPED = 2;

/** The hand-off blob (handoff.h): version, token (u32 LE), flags, server max window bits, a reserved 0. */
export const HANDOFF_VERSION = 1;
export const HANDOFF_SIZE = 8;
export const HANDOFF_DEFLATE = 1;
export const HANDOFF_SERVER_NO_CONTEXT_TAKEOVER = 2;
export const HANDOFF_CLIENT_NO_CONTEXT_TAKEOVER = 4;

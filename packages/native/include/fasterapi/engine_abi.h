/*
 * FasterAPI engine <-> protocol module ABI (plain C, versioned).
 *
 * The engine addon (@fasterapi/native) owns sockets, TLS, timers and write queues on Node's
 * libuv loop. A protocol module (http1-native, http2-native, ws-native...) is a separate .node
 * addon that never links against the engine: it receives the engine's function table
 * (fa_engine_api) at run time through JS and hands the engine a table of callbacks
 * (fa_protocol). This header is the whole contract; it carries no libuv, OpenSSL or N-API types.
 *
 * Versioning: FA_ENGINE_ABI_VERSION changes whenever an existing field changes meaning or
 * position. Fields are only ever appended; `size` tells how much of a struct the other side
 * knows, so a newer engine can serve an older module of the same ABI version.
 *
 * Threading: everything runs on the thread that owns the engine (the JS thread of the main
 * isolate or of a worker). No function here may be called from another thread.
 */
#ifndef FASTERAPI_ENGINE_ABI_H
#define FASTERAPI_ENGINE_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FA_ENGINE_ABI_VERSION 2

/* napi_type_tag values (lower, upper) the addons use on the JS externals they exchange: the
 * engine API table, protocol modules and engines. A protocol addon checks the API external with
 * napi_check_object_type_tag before trusting its pointer; the engine does the same for protocol
 * externals passed to listen()/registerProtocol()/adopt(). */
#define FA_ENGINE_API_TAG_LOWER 0x6661737465726170ULL /* "fasterap" */
#define FA_ENGINE_API_TAG_UPPER 0x69656e67696e6502ULL /* "iengine" v2 */
#define FA_PROTOCOL_TAG_LOWER 0x6661737465726170ULL
#define FA_PROTOCOL_TAG_UPPER 0x6970726f746f0002ULL /* "iproto" v2 */
/* Engine.handle: the fa_engine* of one engine, for modules that arm timers or turn hooks (or
 * adopt descriptors) outside any connection. Valid while that Engine object lives. */
#define FA_ENGINE_TAG_LOWER 0x6661737465726170ULL
#define FA_ENGINE_TAG_UPPER 0x69656e67696e0002ULL /* "iengin" v2 */

typedef struct fa_engine fa_engine; /* opaque: one per engine instance (per JS thread) */
typedef struct fa_engine_api fa_engine_api;
typedef struct fa_protocol fa_protocol;
struct fa_udp_api; /* UDP endpoint services, defined at the end of this header */

/* One accepted connection. Only this public prefix is visible; the engine's state follows it.
 * Callbacks get only the conn, so everything a module needs is reachable from here without
 * any global: `conn->api->conn_write(conn, ...)`, `conn->protocol->data` (module instance),
 * `conn->user_data` (per-connection state, the module may assign it directly). The engine
 * sets `api` and `protocol`; modules must not change them. */
typedef struct fa_conn {
  const fa_engine_api *api;
  fa_protocol *protocol;
  void *user_data;
} fa_conn;

typedef struct fa_iovec {
  const uint8_t *base;
  size_t len;
} fa_iovec;

/* A module-owned timer (millisecond resolution). The module embeds it in its own state (per
 * connection or per module: no allocation per arm), sets it up once with timer_init and then
 * starts, re-arms and stops it as often as it likes (O(log n) in the number of armed timers of
 * the engine). The fields after `arg` belong to the engine. A timer never keeps the loop alive
 * on its own, and the engine never stops one for the module: stop it before freeing its
 * storage (for per-connection timers: in on_close, or before a hand-over). */
typedef struct fa_timer fa_timer;
typedef void (*fa_timer_fn)(fa_timer *timer, void *arg);
struct fa_timer {
  fa_timer_fn fire;
  void *arg;
  fa_engine *engine; /* engine-private from here on */
  uint64_t deadline; /* loop time in ms */
  uint64_t order;    /* arming order: equal deadlines fire first-armed first */
  uint32_t slot;     /* heap position + 1; 0 while not armed */
};

/* A module-owned end-of-turn hook: turn_hook_request makes the engine call fn(arg) once at the
 * end of the current loop turn, however often it was requested in that turn. The fields after
 * `arg` belong to the engine. */
typedef struct fa_turn_hook fa_turn_hook;
struct fa_turn_hook {
  void (*fn)(void *arg);
  void *arg;
  struct fa_turn_hook *next; /* engine-private from here on */
  int queued;
};

/* Special return values of fa_protocol.on_data (any value >= 0 is "bytes consumed"). */
#define FA_DATA_CLOSE ((ptrdiff_t)-1) /* flush queued writes, then close (graceful) */
#define FA_DATA_ABORT ((ptrdiff_t)-2) /* drop queued writes and reset the connection */

/* fa_engine_api.conn_close modes. */
#define FA_CLOSE_GRACEFUL 1 /* stop reading, flush queued writes (+ TLS close_notify), FIN, close */
#define FA_CLOSE_ABORT 0    /* drop queued writes, send RST, close */

/* Reasons given to fa_protocol.on_close. */
typedef enum fa_close_reason {
  FA_CLOSE_REASON_LOCAL = 0,    /* the module (or the engine on its behalf) closed it */
  FA_CLOSE_REASON_PEER = 1,     /* peer sent EOF / closed */
  FA_CLOSE_REASON_ERROR = 2,    /* socket or TLS error */
  FA_CLOSE_REASON_SHUTDOWN = 3, /* engine close() grace period ran out */
  FA_CLOSE_REASON_TEARDOWN = 4  /* the JS environment is being torn down: do NOT call into JS */
} fa_close_reason;

/* fa_engine_api.conn_write return values. */
#define FA_WRITE_OK 0          /* queued; buffered bytes below the high-water mark */
#define FA_WRITE_BACKPRESSURE 1 /* queued; buffered bytes above the high-water mark: wait for on_drain */
#define FA_WRITE_CLOSED (-1)    /* connection is closing/closed; nothing was queued */

typedef void (*fa_release_fn)(void *arg);

/*
 * A protocol module: a table of callbacks plus a version. The module allocates it (one per
 * module instance, e.g. per JS thread) and keeps it alive while the engine holds a reference:
 * the engine calls `retain` when it stores the pointer (registration, each open connection)
 * and `release` when it drops it. Both may be NULL for a table with static lifetime.
 *
 * Callbacks are never re-entered for the same connection: the engine does not call on_data
 * from inside conn_write, conn_resume_reading, conn_handover, etc. All writes made during a
 * callback are corked and flushed in one writev when the callback returns.
 */
struct fa_protocol {
  uint32_t abi_version; /* FA_ENGINE_ABI_VERSION */
  uint32_t size;        /* sizeof(fa_protocol) as the module was compiled */
  const char *name;     /* registry name; an ALPN id ("http/1.1", "h2") or another ("websocket") */
  void *data;           /* module instance state, handed to on_open */

  /* A connection was accepted (after the TLS handshake for TLS listeners) or adopted. Return 0
   * to keep it, non-zero to refuse it (the engine aborts it; on_close is then NOT called). */
  int (*on_open)(fa_conn *conn, void *data);

  /* Bytes arrived. Return how many were consumed (0..len), or FA_DATA_CLOSE / FA_DATA_ABORT.
   * Unconsumed bytes are kept by the engine and handed again, with newer bytes appended, on
   * the next call: a parser may simply return 0 on "incomplete". Consume as many complete
   * messages as possible per call. If the module pauses reading inside on_data, the engine
   * re-delivers the unconsumed rest (on a later loop turn) after conn_resume_reading. The
   * engine enforces no size limit on kept bytes: the module decides (e.g. 431/413). */
  ptrdiff_t (*on_data)(fa_conn *conn, const uint8_t *data, size_t len);

  /* Optional. The write queue drained below the low-water mark after conn_write returned
   * FA_WRITE_BACKPRESSURE. */
  void (*on_drain)(fa_conn *conn);

  /* Optional. Peer half-closed (EOF) while the module may still owe responses. If NULL the
   * engine closes gracefully (queued writes are flushed first). */
  void (*on_end)(fa_conn *conn);

  /* Optional. The engine is closing gracefully: finish in-flight work, then close; close
   * right away if idle. If NULL the engine closes the connection gracefully itself. */
  void (*on_shutdown)(fa_conn *conn);

  /* The connection is gone. Called exactly once per connection this module accepted (on_open
   * or on_handover returned 0) and did not hand over; the conn pointer is invalid once it
   * returns. Release per-connection state (and stop its timers) here. */
  void (*on_close)(fa_conn *conn, fa_close_reason reason);

  void (*retain)(fa_protocol *self);  /* optional */
  void (*release)(fa_protocol *self); /* optional */

  /* Optional. The connection was handed to this module by conn_handover, with the previous
   * module's hand-off blob (valid during the call only; NULL when len is 0). conn->user_data
   * is NULL. Every unconsumed byte follows through on_data. Return 0 to keep the connection,
   * non-zero to refuse it (it is aborted; on_close is NOT called). If NULL, on_open runs. */
  int (*on_handover)(fa_conn *conn, void *data, const uint8_t *handoff, size_t len);
};

/*
 * Services the engine offers. The engine addon exports one immutable table; JS passes it to
 * a protocol addon as a type-tagged external (FA_ENGINE_API_TAG_*). The protocol addon checks
 * `abi_version == FA_ENGINE_ABI_VERSION` and `size >= sizeof(fa_engine_api)` (as it was
 * compiled) before use.
 */
struct fa_engine_api {
  uint32_t abi_version;
  uint32_t size;

  /* Registry: name -> protocol, per engine. TLS listeners pick by ALPN from the registered
   * names (the listener's `alpn` preference order, else registration order). Returns 0, or -1
   * (bad version/name). */
  int (*register_protocol)(fa_engine *engine, fa_protocol *proto);
  fa_protocol *(*find_protocol)(fa_engine *engine, const char *name);
  int (*engine_is_closing)(fa_engine *engine);
  /* Serves an already connected stream socket (TCP or Unix) with `proto` (its on_open runs
   * before this returns). The engine works on a duplicate of `fd`: the caller still closes its
   * own. Returns the connection id, or 0 (closing engine, bad descriptor or protocol). */
  uint64_t (*engine_adopt)(fa_engine *engine, int fd, fa_protocol *proto);

  fa_engine *(*conn_engine)(fa_conn *conn);
  uint64_t (*conn_id)(fa_conn *conn); /* unique per engine, never reused */

  /* Queue bytes (copied). Flushed when the current engine callback returns, at uncork, or at
   * the end of the current loop turn, whichever comes first. See FA_WRITE_*. */
  int (*conn_write)(fa_conn *conn, const fa_iovec *iov, size_t n);
  /* Queue bytes without copying; the engine calls release(arg) once it no longer needs them
   * (written, encrypted, or connection closed). release is called even on FA_WRITE_CLOSED. */
  int (*conn_write_ref)(fa_conn *conn, const fa_iovec *iov, size_t n, fa_release_fn release,
                        void *arg);
  void (*conn_cork)(fa_conn *conn);   /* nestable */
  void (*conn_uncork)(fa_conn *conn); /* flushes when the cork depth drops to 0 */
  size_t (*conn_buffered_bytes)(fa_conn *conn); /* queued + in flight, plaintext bytes */

  void (*conn_close)(fa_conn *conn, int mode); /* FA_CLOSE_GRACEFUL or FA_CLOSE_ABORT */
  void (*conn_pause_reading)(fa_conn *conn);
  void (*conn_resume_reading)(fa_conn *conn);

  void *(*conn_user_data)(fa_conn *conn);
  void (*conn_set_user_data)(fa_conn *conn, void *user);

  /* Writes the peer IP as text (NUL-terminated) and its port. Returns 0, or -1 if unknown or
   * the buffer is too small (46 bytes always suffice). */
  int (*conn_remote_address)(fa_conn *conn, char *ip, size_t ip_len, int *port);
  int (*conn_local_port)(fa_conn *conn);
  int (*conn_is_tls)(fa_conn *conn);
  const char *(*conn_alpn)(fa_conn *conn);        /* negotiated ALPN id or NULL */
  const char *(*conn_server_name)(fa_conn *conn); /* TLS SNI or NULL */

  /* Hands the connection to `next` (e.g. HTTP/1.1 Upgrade -> "websocket") with a hand-off
   * blob (copied; may be NULL with len 0), without leaving C++. Callable from inside any
   * callback of the current module or from outside every callback (a call JS starts later).
   * From this call on the current module gets no callback for this connection, not even
   * on_close: it releases its per-connection state (and stops its timers) itself. Bytes that
   * arrive meanwhile are kept. Right after the current on_data returns (or, from elsewhere, at
   * the end of the loop turn) conn->user_data is reset to NULL, `next` gets on_handover (or
   * on_open) and then every unconsumed byte through on_data. Returns 0, or -1 (connection not
   * open, a hand-over already pending, or `next` unusable) with nothing changed. */
  int (*conn_handover)(fa_conn *conn, fa_protocol *next, const void *handoff, size_t len);

  /* Timers (see fa_timer). timer_init binds the timer to `engine` (call it once, before any
   * other use; the timer must not be armed). timer_start arms it to fire `ms` milliseconds from
   * now (re-arms an armed one; ms 0 fires on the next timers phase, never synchronously): it
   * fires no earlier than that and normally within 1 ms after. timer_stop disarms (a no-op for
   * a timer that is not armed); a fired timer is disarmed before `fire` runs, so `fire` may
   * start it again. The engine stops firing, and forgets armed timers, at teardown. */
  void (*timer_init)(fa_engine *engine, fa_timer *timer, fa_timer_fn fire, void *arg);
  void (*timer_start)(fa_timer *timer, uint64_t ms);
  void (*timer_stop)(fa_timer *timer);

  /* Asks for hook->fn(hook->arg) once at the end of the current loop turn (after this turn's
   * I/O callbacks, before the loop waits again). Requests of a hook that is already queued are
   * coalesced; a request made while the hook runs queues it for the engine's next end-of-turn
   * pass (never re-entered, never run in a loop within one pass). Set fn and arg
   * before the first request and keep the hook alive while it is queued. */
  void (*turn_hook_request)(fa_engine *engine, fa_turn_hook *hook);

  /* UDP endpoint services (see "UDP endpoints" below). */
  const struct fa_udp_api *udp;
};

/* ---- UDP endpoints (for QUIC / HTTP/3) ----------------------------------------------------
 *
 * An endpoint is one bound, non-blocking UDP socket the engine polls on its loop. It reads in
 * batches (recvmmsg) into pooled slots and hands a whole batch to the module's on_datagrams,
 * each datagram with its peer address, the local address it was sent to (IP_PKTINFO /
 * IPV6_PKTINFO, so a wildcard-bound server can answer from the right address) and its ECN
 * bits. The module sends in batches (sendmmsg; one buffer cut into equal datagrams with UDP GSO
 * where the kernel offers it). Connection-ID routing and everything QUIC are the module's. */

#include <netinet/in.h>
#include <sys/socket.h>

#define FA_UDP_PROTOCOL_TAG_LOWER 0x6661737465726170ULL
#define FA_UDP_PROTOCOL_TAG_UPPER 0x6975647070000002ULL /* "iudpp" v2 */

/* Largest UDP payload in one datagram. IPv4: 65535 - 20 (IP header) - 8 (UDP header); IPv6's
 * 65535-byte payload length excludes its fixed header: 65535 - 8. IPv4-mapped peers get the
 * IPv4 limit. */
#define FA_UDP_MAX_PAYLOAD_V4 65507
#define FA_UDP_MAX_PAYLOAD_V6 65527
/* Most datagrams one GSO send may carry (the kernel's UDP_MAX_SEGMENTS). */
#define FA_UDP_MAX_SEGMENTS 64

/* An IPv4 or IPv6 socket address (sa.sa_family tells which; AF_UNSPEC = none). Ports and
 * addresses are in network byte order, as the kernel gives them. */
typedef union fa_udp_addr {
  struct sockaddr sa;
  struct sockaddr_in in4;
  struct sockaddr_in6 in6;
} fa_udp_addr;

typedef struct fa_udp_protocol fa_udp_protocol;
typedef struct fa_udp_api fa_udp_api;

/* One endpoint; like fa_conn, only this prefix is public. `api->udp` holds the services,
 * `protocol->data` the module instance; `user_data` is the module's (it may assign it). */
typedef struct fa_udp_endpoint {
  const fa_engine_api *api;
  fa_udp_protocol *protocol;
  void *user_data;
} fa_udp_endpoint;

/* A received datagram. `data` points into the engine's receive slots and is valid only until
 * on_datagrams returns: copy what you keep. */
typedef struct fa_udp_datagram {
  const uint8_t *data;
  size_t len;
  fa_udp_addr peer;  /* who sent it */
  fa_udp_addr local; /* the address it was sent to (port = the endpoint's port) */
  uint8_t ecn;       /* ECN codepoint from the IP header: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE */
} fa_udp_datagram;

/* A datagram (or, with segment_size, a GSO train of datagrams) to send. */
typedef struct fa_udp_send {
  const uint8_t *data;
  size_t len;
  fa_udp_addr peer;      /* destination */
  fa_udp_addr local;     /* source address (e.g. a received datagram's `local`), or AF_UNSPEC */
  uint16_t segment_size; /* 0: one datagram; else cut `len` into datagrams of this size, the
                          * last may be shorter (at most FA_UDP_MAX_SEGMENTS of them) */
  uint8_t ecn;           /* ECN codepoint to set (0..3) */
} fa_udp_send;

/* fa_udp_api.send results. */
#define FA_UDP_SEND_OK 0       /* all handed to the kernel */
#define FA_UDP_SEND_QUEUED 1   /* the socket was full: the rest was copied into the endpoint's
                                * queue and goes out as the socket drains; on_writable follows */
#define FA_UDP_SEND_DROPPED 2  /* the socket was full and the queue reached its limit: the
                                * datagrams past the limit were dropped (counted as sendDropped);
                                * on_writable follows */
#define FA_UDP_SEND_CLOSED (-1)    /* the endpoint is closing; nothing was sent */
#define FA_UDP_SEND_TOO_LARGE (-2) /* a datagram or segment exceeds the payload limit, or a GSO
                                    * train has more than FA_UDP_MAX_SEGMENTS: nothing was sent */
#define FA_UDP_SEND_INVALID (-3)   /* a peer address is not IPv4/IPv6: nothing was sent */

/* A UDP module: like fa_protocol, a table the module allocates and reference-counts. */
struct fa_udp_protocol {
  uint32_t abi_version; /* FA_ENGINE_ABI_VERSION */
  uint32_t size;        /* sizeof(fa_udp_protocol) as the module was compiled */
  const char *name;     /* for diagnostics ("h3") */
  void *data;           /* module instance state, handed to on_open */

  /* Optional. The endpoint is bound. Return 0 to keep it, non-zero to refuse it (the bind then
   * fails; on_close is NOT called). */
  int (*on_open)(fa_udp_endpoint *ep, void *data);

  /* A batch of n >= 1 datagrams arrived (at most one recvmmsg batch per call). Sends made here
   * go out before this returns. Datagrams longer than the receive slot never arrive here:
   * the engine drops and counts them as truncated. */
  void (*on_datagrams)(fa_udp_endpoint *ep, const fa_udp_datagram *datagrams, size_t n);

  /* Optional. The send queue emptied after send returned FA_UDP_SEND_QUEUED or _DROPPED. */
  void (*on_writable)(fa_udp_endpoint *ep);

  /* Optional. The engine is closing gracefully: finish (e.g. send CONNECTION_CLOSE), then call
   * udp->close. If NULL the engine closes the endpoint at once. After the grace period the
   * engine closes it (reason FA_CLOSE_REASON_SHUTDOWN). */
  void (*on_shutdown)(fa_udp_endpoint *ep);

  /* The endpoint is gone; exactly once per endpoint on_open accepted, never inside another
   * callback of this endpoint. The pointer is invalid once it returns. TEARDOWN: no JS. */
  void (*on_close)(fa_udp_endpoint *ep, fa_close_reason reason);

  void (*retain)(fa_udp_protocol *self);  /* optional */
  void (*release)(fa_udp_protocol *self); /* optional */
};

/* UDP services: `ep->api->udp`. Every call is for an endpoint whose on_close has not run. */
struct fa_udp_api {
  uint32_t abi_version;
  uint32_t size;

  /* Sends n messages in order, batched with sendmmsg (GSO for segment_size > 0 when the kernel
   * offers it, else the engine cuts the train itself). Data is not kept past the call unless
   * queued (then copied). While anything is queued, new messages queue behind it so order
   * holds. A datagram the kernel refuses (e.g. unreachable network) is skipped and counted as
   * a send error. Returns FA_UDP_SEND_*. */
  int (*send)(fa_udp_endpoint *ep, const fa_udp_send *messages, size_t n);

  /* Payload bytes waiting in the endpoint's send queue (0 when the socket keeps up). */
  size_t (*queued_bytes)(fa_udp_endpoint *ep);

  /* The bound address (getsockname). Returns 0, or -1. */
  int (*local_address)(fa_udp_endpoint *ep, fa_udp_addr *out);

  /* FA_UDP_MAX_SEGMENTS when the kernel does UDP GSO for this endpoint, 1 when the engine
   * cuts GSO trains itself (both work; GSO is fewer syscalls and skbs). */
  size_t (*max_segments)(fa_udp_endpoint *ep);

  /* Stops receiving, tries once more to send what is queued (the rest is dropped and counted),
   * closes the socket; on_close(LOCAL) follows on a later callback. Idempotent. */
  void (*close)(fa_udp_endpoint *ep);

  fa_engine *(*endpoint_engine)(fa_udp_endpoint *ep);
};

#ifdef __cplusplus
}
#endif

#endif /* FASTERAPI_ENGINE_ABI_H */

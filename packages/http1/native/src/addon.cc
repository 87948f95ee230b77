// N-API glue of the HTTP/1.1 protocol addon: createProtocol() checks the engine's function table,
// builds a Module and returns its protocol external plus the few functions JS answers with.
// Conversions only: every protocol decision lives in http1_module.cc.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "fasterapi/napi_args.h"
#include "fasterapi/napi_module.h"
#include "http1_module.h"

namespace fasterapi::http1 {
namespace {

// A reusable conversion buffer that grows and never shrinks. Not a std::string: resizing one to
// its capacity before each conversion would zero-fill it, a cost that grows with the largest body.
struct Scratch {
  std::unique_ptr<char[]> data;
  size_t capacity = 0;
  size_t size = 0;
  void reserve(size_t n) {
    if (n <= capacity) return;
    data.reset(new char[n]);
    capacity = n;
  }
  std::string_view view() const { return {data.get(), size}; }
};

// The JS callbacks, by index into JsState::js.
enum Callback : size_t { kOnRequests, kOnBody, kOnDrain, kOnClosed };
constexpr const char* kCallbackNames[] = {"onRequests", "onBody", "onDrain", "onClosed"};

struct JsState {
  napi::JsModule<4> js;
  // The request slab: an ArrayBuffer JS keeps whole-slab views of. Batches are appended and never
  // rewritten, so a request's lazy fields stay valid however long its exchange lives; a full slab
  // is replaced (JS gets the new one with the batch), never reused.
  Scratch name;   // header name
  Scratch value;  // header value, joined headers or string body
};

JsState* js_of(Module* m) { return static_cast<JsState*>(m->js); }

using napi::number;

// String conversions into a Scratch: one N-API call when the text fits the capacity already
// there (the usual case once warm), a length query and a second call when it does not. `slack`:
// UTF-8 never writes a partial character, so a truncated copy can stop up to 3 bytes early.
template <typename Copy>
bool copy_string(Scratch& out, size_t slack, Copy copy) {
  out.reserve(256);
  size_t len = 0;
  if (copy(out.data.get(), out.capacity, &len) != napi_ok) return false;
  if (len + slack + 1 < out.capacity) {
    out.size = len;
    return true;
  }
  if (copy(nullptr, 0, &len) != napi_ok) return false;
  out.reserve(len + 1);
  copy(out.data.get(), len + 1, &len);
  out.size = len;
  return true;
}

// Reads a string argument as latin1 (what node:http writes for header text) into `out`.
bool latin1(napi_env env, napi_value v, Scratch& out) {
  return copy_string(out, 0, [&](char* buf, size_t size, size_t* len) {
    return napi_get_value_string_latin1(env, v, buf, size, len);
  });
}

bool utf8(napi_env env, napi_value v, Scratch& out) {
  return copy_string(out, 3, [&](char* buf, size_t size, size_t* len) {
    return napi_get_value_string_utf8(env, v, buf, size, len);
  });
}

using Args = napi::CallArgs<Module, 7>;
using napi::arg_double;
using napi::arg_u32;
using napi::boolean;
using napi::get_args;

bool throw_bad_field(napi_env env, const char* kind, std::string_view name) {
  std::string msg = std::string("invalid response ") + kind + " \"" + std::string(name) +
                    "\": names must be tokens, values without CR, LF or NUL";
  napi_throw_type_error(env, nullptr, msg.c_str());
  return false;
}

bool throw_bad_header(napi_env env, std::string_view name) { return throw_bad_field(env, "header", name); }

// The fast path: `joined` is fields.join("\0"), read in one conversion instead of two per element.
// NUL is invalid in names and values, so the split is exact when it yields one piece per element;
// returns false (nothing added) when it does not, and the element-wise path then reports the culprit.
template <typename Add>
bool add_joined(napi_env env, Module* m, uint32_t n, napi_value joined, const char* kind, Add add, bool& ok) {
  JsState* js = js_of(m);
  if (!latin1(env, joined, js->value)) return false;
  const std::string_view all = js->value.view();
  uint32_t pieces = 1;
  for (char ch : all) pieces += ch == '\0' ? 1 : 0;
  if (pieces != n) return false;
  size_t at = 0;
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    const size_t name_end = all.find('\0', at);
    const size_t value_end = all.find('\0', name_end + 1);
    const size_t value_len = (value_end == std::string_view::npos ? all.size() : value_end) - name_end - 1;
    if (!add(all.data() + at, name_end - at, all.data() + name_end + 1, value_len)) {
      ok = throw_bad_field(env, kind, all.substr(at, name_end - at));
      return true;
    }
    at = value_end + 1;
  }
  ok = true;
  return true;
}

// Passes each pair of `fields` ([name, value, ...], or undefined for none) to `add`, which validates
// and appends it; `joined` (optional) is that array joined with NUL (see add_joined). Throws a
// TypeError (naming the `kind` of field, "header" or "trailer", that `add` refused) on bad input.
template <typename Add>
bool add_fields(napi_env env, Module* m, napi_value fields, napi_value joined, const char* kind, Add add) {
  uint32_t n = 0;
  if (!napi::header_pairs_length(env, fields, &n)) return false;
  napi_valuetype joined_type = napi_undefined;
  if (joined != nullptr) napi_typeof(env, joined, &joined_type);
  bool ok = false;
  if (n > 1 && joined_type == napi_string && add_joined(env, m, n, joined, kind, add, ok)) return ok;
  JsState* js = js_of(m);
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    napi_value name, value;
    napi_get_element(env, fields, i, &name);
    napi_get_element(env, fields, i + 1, &value);
    if (!latin1(env, name, js->name) || !latin1(env, value, js->value) ||
        !add(js->name.data.get(), js->name.size, js->value.data.get(), js->value.size)) {
      return throw_bad_field(env, kind, js->name.view());
    }
  }
  return true;
}

// Builds the head into m->out: the status line, Content-Type when `content_type` is a string, then
// `headers` (see add_fields). Throws a RangeError for a status outside 100-999, a TypeError on bad input.
bool build_head(napi_env env, Module* m, int status, napi_value content_type, napi_value headers,
                napi_value joined) {
  if (status < 100 || status > 999) {
    napi_throw_range_error(env, nullptr, "status must be an integer between 100 and 999");
    return false;
  }
  m->head.begin(m->out, status);
  JsState* js = js_of(m);
  bool has_type = false;
  if (!napi::content_type_arg(env, content_type, &has_type)) return false;
  if (has_type && (!latin1(env, content_type, js->value) ||
                   !m->head.add(m->out, "content-type", 12, js->value.data.get(), js->value.size))) {
    return throw_bad_header(env, "content-type");
  }
  return add_fields(env, m, headers, joined, "header",
                    [m](const char* name, size_t name_len, const char* value, size_t value_len) {
                      return m->head.add(m->out, name, name_len, value, value_len);
                    });
}

// Reads a response body argument (Buffer, string or null); false after throwing a TypeError.
struct BodyArg {
  const char* data = nullptr;
  size_t len = 0;
  bool present = false;
};

bool body_arg(napi_env env, Module* m, napi_value v, BodyArg& out) {
  napi_valuetype type;
  napi_typeof(env, v, &type);
  if (type == napi_string) {
    JsState* js = js_of(m);
    utf8(env, v, js->value);
    out = {js->value.data.get(), js->value.size, true};
    return true;
  }
  if (type == napi_object) {
    if (!napi::buffer_arg(env, v, &out.data, &out.len)) {
      napi_throw_type_error(env, nullptr, "body must be a Buffer, a string or null");
      return false;
    }
    out.present = true;
  }
  return true;
}

// send(handle, seq, status, body: Buffer | string | null, contentType?, headers?, joined?) -> boolean
// (false: the client is gone). The usual answer passes no headers: nothing to join or walk.
napi_value js_send(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  if (c == nullptr) return boolean(env, false);
  const uint32_t seq = arg_u32(env, a.argv[1]);
  const int status = static_cast<int>(arg_u32(env, a.argv[2]));
  BodyArg body;
  if (!build_head(env, a.m, status, a.argv[4], a.argv[5], a.argv[6]) || !body_arg(env, a.m, a.argv[3], body)) {
    return nullptr;
  }
  return boolean(env, a.m->send(c, seq, status, a.m->head, body.data, body.len, body.present));
}

// writeHead(handle, seq, status, contentType?, headers?, joined?) -> boolean
napi_value js_write_head(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  if (c == nullptr) return boolean(env, false);
  const int status = static_cast<int>(arg_u32(env, a.argv[2]));
  if (!build_head(env, a.m, status, a.argv[3], a.argv[4], a.argv[5])) return nullptr;
  return boolean(env, a.m->start_stream(c, arg_u32(env, a.argv[1]), status));
}

// earlyHints(handle, seq, headers, joined?) -> boolean: a 103 Early Hints head before the answer.
napi_value js_early_hints(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  if (c == nullptr) return boolean(env, false);
  napi_value none;
  napi_get_undefined(env, &none);
  if (!build_head(env, a.m, 103, none, a.argv[2], a.argv[3])) return nullptr;
  a.m->out.append("\r\n", 2);
  return boolean(env, a.m->informational(c, arg_u32(env, a.argv[1]), a.m->out));
}

// write(handle, seq, chunk: Buffer) -> 1 (more), 0 (wait for drain), -1 (gone)
napi_value js_write(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  if (c == nullptr) return number(env, -1);
  void* data = nullptr;
  size_t len = 0;
  if (napi_get_buffer_info(env, a.argv[2], &data, &len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "chunk must be a Buffer");
    return nullptr;
  }
  return number(env, a.m->write_chunk(c, arg_u32(env, a.argv[1]), static_cast<const char*>(data), len));
}

// end(handle, seq, trailers?, joined?) -> boolean: the last chunk, carrying `trailers`
// ([name, value, ...]) when the answer is chunked; a TypeError for a bad or forbidden trailer.
napi_value js_end(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Module* m = a.m;
  m->out.assign("0\r\n", 3);
  if (!add_fields(env, m, a.argv[2], a.argv[3], "trailer",
                  [m](const char* name, size_t name_len, const char* value, size_t value_len) {
                    return append_trailer(m->out, name, name_len, value, value_len);
                  })) {
    return nullptr;
  }
  m->out.append("\r\n", 2);
  Conn* c = m->lookup(arg_double(env, a.argv[0]));
  return boolean(env, c != nullptr && m->end_stream(c, arg_u32(env, a.argv[1]), m->out));
}

// readBody(handle, seq, limit) -> 0 started, 1 too large, -1 gone
napi_value js_read_body(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  if (c == nullptr) return number(env, -1);
  const uint64_t lim = napi::arg_limit(env, a.argv[2]);
  return number(env, static_cast<double>(static_cast<int>(a.m->read_body(c, arg_u32(env, a.argv[1]), lim))));
}

// resumeBody(handle): JS caught up with the body chunks it was given.
napi_value js_resume_body(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  if (Conn* c = a.m->lookup(arg_double(env, a.argv[0]))) a.m->resume_body(c);
  return nullptr;
}

// upgrade(handle, seq, protocol, handoff: Buffer, upgradeToken: string, headers?) -> boolean: the 101
// head (Upgrade: upgradeToken, Connection: Upgrade, then `headers`), and the connection goes to
// `protocol` (another module's external) with `handoff`. false: not an Upgrade request awaiting its
// answer, or the connection is gone.
napi_value js_upgrade(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  auto* next = static_cast<fa_protocol*>(napi::tagged_external(env, a.argv[2], FA_PROTOCOL_TAG_LOWER,
                                                                FA_PROTOCOL_TAG_UPPER, "upgrade", "a protocol module"));
  if (next == nullptr) return nullptr;
  void* handoff = nullptr;
  size_t handoff_len = 0;
  if (napi_get_buffer_info(env, a.argv[3], &handoff, &handoff_len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "upgrade: handoff must be a Buffer");
    return nullptr;
  }
  JsState* js = js_of(a.m);
  if (!latin1(env, a.argv[4], js->name)) {
    napi_throw_type_error(env, nullptr, "upgrade: upgradeToken must be a string");
    return nullptr;
  }
  const std::string token(js->name.view());
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  if (!build_head(env, a.m, 101, undefined, a.argv[5], nullptr)) return nullptr;
  a.m->head.finish_upgrade(a.m->out, token.data(), token.size(), a.m->date);
  Conn* c = a.m->lookup(arg_double(env, a.argv[0]));
  return boolean(env, c != nullptr && a.m->upgrade(c, arg_u32(env, a.argv[1]), next, a.m->out.data(), a.m->out.size(),
                                                   static_cast<const uint8_t*>(handoff), handoff_len));
}

napi_value js_stats(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  const ModuleStats& s = a.m->stats;
  const napi::NamedNumber fields[] = {
      {"connections", s.connections}, {"activeConnections", s.active_connections},
      {"requests", s.requests},       {"bytesIn", s.bytes_in},
      {"bytesOut", s.bytes_out},      {"parseErrors", s.parse_errors},
  };
  return napi::number_object(env, fields);
}

bool read_options(napi_env env, napi_value options, ModuleOptions* opts) {
  Limits& limits = opts->limits;
  const struct { const char* name; uint32_t* field; } fields[] = {
      {"maxHeaderBytes", &limits.max_head_bytes},
      {"maxRequestLine", &limits.max_request_line},
      {"maxHeaders", &limits.max_headers},
      {"headersTimeoutMs", &opts->header_timeout_ms},
      {"keepAliveTimeoutMs", &opts->keep_alive_timeout_ms},
      {"maxRequestsPerSocket", &opts->max_requests_per_conn},
      {"requestTimeoutMs", &opts->body_timeout_ms},
  };
  for (const auto& f : fields) {
    if (!napi::option_u32(env, options, f.name, f.field)) return false;
  }
  if (limits.max_request_line > limits.max_head_bytes) limits.max_request_line = limits.max_head_bytes;
  return true;
}

// createProtocol(engineApi, { onRequests, onBody, onDrain, onClosed }, options)
//   -> { protocol, send, writeHead, write, end, readBody, resumeBody, remoteAddress, stats }
napi_value create_protocol(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  const fa_engine_api* api = napi::create_call_args(env, info, argv, "createProtocol", "createProtocol(engineApi, callbacks, options)");
  ModuleOptions opts{};
  if (api == nullptr || !read_options(env, argv[2], &opts)) return nullptr;
  const napi::Method methods[] = {
      {"send", js_send},           {"writeHead", js_write_head}, {"earlyHints", js_early_hints},
      {"write", js_write},
      {"end", js_end},             {"readBody", js_read_body},   {"resumeBody", js_resume_body},
      {"upgrade", js_upgrade},     {"remoteAddress", napi::remote_address_method<Module>}, {"stats", js_stats},
  };
  return napi::new_module<Module, JsState>(env, api, opts, argv[1], kCallbackNames, "fasterapi.http1", methods);
}

}  // namespace

// ---- events from the module to JS ------------------------------------------------------------

/** A slab holds many batches: one ArrayBuffer allocation per this many bytes of request heads. */
constexpr size_t kSlabBytes = 256 * 1024;

constexpr size_t align4(size_t n) { return (n + 3) & ~static_cast<size_t>(3); }

// Copies the module's batch into the slab (a new one when it does not fit) and fills argv with
// (metaAt, metaWords, newSlab | undefined); false when no slab memory could be had.
// Layout: the head bytes, then (4-byte aligned) the groups, span offsets rebased to the slab.
bool copy_to_slab(JsState* js, const Module* m, napi_value argv[3]) {
  const size_t bytes_len = m->batch_bytes.size();
  const size_t words = m->batch_meta.size();
  napi_env env = js->js.env;
  napi_get_undefined(env, &argv[2]);
  if (js->js.slab.ref == nullptr || align4(js->js.slab.used + bytes_len) + words * 4 > js->js.slab.size) {
    argv[2] = js->js.slab.replace(env, align4(bytes_len) + words * 4, kSlabBytes);
    if (argv[2] == nullptr) return false;
  }
  const uint32_t base = static_cast<uint32_t>(js->js.slab.used);
  std::memcpy(js->js.slab.data + base, m->batch_bytes.data(), bytes_len);
  const size_t meta_at = align4(base + bytes_len);
  auto* meta = reinterpret_cast<uint32_t*>(js->js.slab.data + meta_at);
  std::memcpy(meta, m->batch_meta.data(), words * 4);
  for (size_t at = 0; at < words;) {
    const uint32_t records = meta[at + 2];
    at += kGroupHeaderWords;
    for (uint32_t r = 0; r < records; ++r) {
      meta[at + 4] += base;  // method
      meta[at + 6] += base;  // path
      const uint32_t headers = meta[at + 8];
      for (uint32_t i = 0, p = static_cast<uint32_t>(at + kRecordFixedWords); i < headers; ++i, p += 4) {
        meta[p] += base;      // header name
        meta[p + 2] += base;  // header value
      }
      at += kRecordFixedWords + 4 * headers;
    }
  }
  js->js.slab.used = meta_at + words * 4;
  argv[0] = number(env, static_cast<double>(meta_at / 4));
  argv[1] = number(env, static_cast<double>(words));
  return true;
}

void js_requests(Module* m) {
  JsState* js = js_of(m);
  if (!js->js.alive) {
    m->clear_batch();
    return;
  }
  napi::HandleScope scope(js->js.env);
  napi_value argv[3];
  const bool copied = copy_to_slab(js, m, argv);
  // Emptied before JS runs: anything JS causes to be parsed starts a new batch.
  m->clear_batch();
  if (copied) js->js.call(kOnRequests, 3, argv);
}

bool js_body(Module* m, Conn* c, uint32_t seq, uint32_t events) {
  m->deliver_batch();  // JS hears of requests before any later event of theirs
  JsState* js = js_of(m);
  if (!js->js.alive) return true;
  napi_env env = js->js.env;
  napi::HandleScope scope(env);
  napi_value argv[5], result = nullptr;
  argv[0] = number(env, c->handle);
  argv[1] = number(env, seq);
  if (m->body_bytes.empty()) napi_get_undefined(env, &argv[2]);
  else napi_create_buffer_copy(env, m->body_bytes.size(), m->body_bytes.data(), nullptr, &argv[2]);
  argv[3] = number(env, events);
  // The trailer section as one string (JS splits it), only when there is one: the usual body has none.
  const size_t argc = m->body_trailers.empty() ? 4 : 5;
  if (argc == 5) napi_create_string_latin1(env, m->body_trailers.data(), m->body_trailers.size(), &argv[4]);
  bool want_more = true;
  if (js->js.call(kOnBody, argc, argv, &result) && result != nullptr) napi_get_value_bool(env, result, &want_more);
  return want_more;
}

// onDrain(handle) / onClosed(handle), after the batch so JS knows the connection's requests.
static void js_connection_event(Module* m, Conn* c, Callback callback) {
  m->deliver_batch();
  JsState* js = js_of(m);
  if (!js->js.alive) return;
  napi::HandleScope scope(js->js.env);
  napi_value argv[1] = {number(js->js.env, c->handle)};
  js->js.call(callback, 1, argv);
}

void js_drain(Module* m, Conn* c) { js_connection_event(m, c, kOnDrain); }
void js_closed(Module* m, Conn* c) { js_connection_event(m, c, kOnClosed); }

void js_release(Module* m) { delete js_of(m); }

}  // namespace fasterapi::http1

NAPI_MODULE_INIT() { return fasterapi::napi::export_function(env, exports, "createProtocol", fasterapi::http1::create_protocol); }

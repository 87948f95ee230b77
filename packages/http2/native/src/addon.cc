// N-API glue of the HTTP/2 protocol addon: createProtocol() checks the engine's function table,
// builds a Module and returns its protocol external plus the functions JS answers with, and
// nghttp2Address() says where its nghttp2 calls go. Conversions only: every protocol
// decision lives in h2_module.cc.
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "borrowed_body.h"
#include "fasterapi/napi_args.h"
#include "fasterapi/napi_module.h"
#include "h2_module.h"

namespace fasterapi::http2 {
namespace {

using napi::number;

// The JS callbacks, by index into JsState::js.
enum Callback : size_t { kOnRequests, kOnBody, kOnDrain, kOnStreamClosed };
constexpr const char* kCallbackNames[] = {"onRequests", "onBody", "onDrain", "onStreamClosed"};

struct JsState {
  napi::JsCallbacks<4> js;
  std::vector<std::string> headers;  // response header scratch (capacity reused)
  std::string text;
};

JsState* js_of(Module* m) { return static_cast<JsState*>(m->js); }

using Args = napi::CallArgs<Module, 6>;
using napi::arg_double;
using napi::boolean;
using napi::get_args;
using napi::string_arg;

// The stream (handle, id) names, or null when it is gone.
Stream* stream_arg(napi_env env, const Args& a) {
  Session* s = a.m->lookup(arg_double(env, a.argv[0]));
  return a.m->stream(s, static_cast<int32_t>(arg_double(env, a.argv[1])));
}

// Up to this many UTF-16 units, a string body is encoded in one pass into room for the worst
// case (3 bytes a unit), then shrunk; longer ones are measured first, so room stays near size.
constexpr size_t kOnePassUnits = 64 * 1024;

// A string or Buffer body as a payload the answer's DATA frames point into: a string is encoded
// once, a short Buffer copied once, a long one borrowed (borrowed_body.h).
Payload* body_payload(napi_env env, napi_value v, bool is_string) {
  Payload* p = nullptr;
  if (is_string) {
    size_t units = 0;
    if (napi_get_value_string_utf16(env, v, nullptr, 0, &units) != napi_ok) return nullptr;
    size_t room = units * 3;
    if (units > kOnePassUnits && napi_get_value_string_utf8(env, v, nullptr, 0, &room) != napi_ok) return nullptr;
    p = Payload::make(room + 1);  // napi writes a NUL after the text
    if (p == nullptr) return nullptr;
    if (napi_get_value_string_utf8(env, v, p->bytes(), room + 1, &p->size) != napi_ok) {
      Payload::release(p);
      return nullptr;
    }
    return room - p->size > 4096 ? Payload::shrink(p) : p;
  }
  void* data = nullptr;
  size_t len = 0;
  if (napi_get_buffer_info(env, v, &data, &len) != napi_ok) return nullptr;
  if (len >= kBorrowMin) return borrow_buffer(v);
  if ((p = Payload::make(len)) == nullptr) return nullptr;
  std::memcpy(p->bytes(), data, len);
  p->size = len;
  return p;
}

// RFC 9113 8.2.2: connection-specific fields are HTTP/1.1 framing and must not appear in HTTP/2.
bool connection_specific(const std::string& name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade";
}

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (unsigned char ch : name) {
    if (ch <= 0x20 || ch >= 0x7f || ch == ':' || (ch >= 'A' && ch <= 'Z')) return false;
  }
  return true;
}

bool valid_value(const std::string& value) {
  for (char ch : value) {
    if (ch == '\r' || ch == '\n' || ch == '\0') return false;
  }
  return true;
}

// Reads `headers` ([name, value, ...] or undefined) and the content type into js->headers,
// lower-casing names and dropping connection-specific ones; false after throwing a TypeError.
bool header_list(napi_env env, JsState* js, napi_value content_type, napi_value headers) {
  js->headers.clear();
  bool has_type = false;
  if (!napi::content_type_arg(env, content_type, &has_type)) return false;
  if (has_type) {
    js->headers.emplace_back("content-type");
    js->headers.emplace_back();
    string_arg(env, content_type, js->headers.back(), false);
  }
  uint32_t n = 0;
  if (!napi::header_pairs_length(env, headers, &n)) return false;
  std::string name, value;
  for (uint32_t i = 0; i + 1 < n; i += 2) {
    napi_value nv, vv;
    napi_get_element(env, headers, i, &nv);
    napi_get_element(env, headers, i + 1, &vv);
    if (!string_arg(env, nv, name, false) || !string_arg(env, vv, value, false)) {
      napi_throw_type_error(env, nullptr, "header names and values must be strings");
      return false;
    }
    for (char& ch : name) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
    if (!valid_name(name) || !valid_value(value)) {
      const std::string msg = "invalid response header \"" + name + "\": names must be tokens, values without CR, LF or NUL";
      napi_throw_type_error(env, nullptr, msg.c_str());
      return false;
    }
    if (connection_specific(name)) continue;
    js->headers.push_back(name);
    js->headers.push_back(value);
  }
  return true;
}

bool status_arg(napi_env env, napi_value v, int* status) {
  const double d = arg_double(env, v);
  if (!(d >= 100 && d <= 999) || d != static_cast<double>(static_cast<int>(d))) {
    napi_throw_range_error(env, nullptr, "status must be an integer between 100 and 999");
    return false;
  }
  *status = static_cast<int>(d);
  return true;
}

// send(handle, id, status, body: Buffer | string | null, contentType?, headers?) -> boolean
napi_value js_send(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  EntryGuard guard(a.m);
  Stream* st = stream_arg(env, a);
  int status = 0;
  JsState* js = js_of(a.m);
  if (!status_arg(env, a.argv[2], &status) || !header_list(env, js, a.argv[4], a.argv[5])) return nullptr;
  if (st == nullptr) return boolean(env, false);
  napi_valuetype type;
  napi_typeof(env, a.argv[3], &type);
  bool is_buffer = false;
  if (type == napi_object) napi_is_buffer(env, a.argv[3], &is_buffer);
  if (type == napi_object && !is_buffer) {
    napi_throw_type_error(env, nullptr, "body must be a Buffer, a string or null");
    return nullptr;
  }
  const bool has_body = type == napi_string || is_buffer;
  Payload* body = nullptr;
  if (has_body && (body = body_payload(env, a.argv[3], type == napi_string)) == nullptr) {
    napi_throw_error(env, nullptr, "out of memory for the response body");
    return nullptr;
  }
  return boolean(env, a.m->respond(st, status, js->headers, body, has_body, false));
}

// writeHead(handle, id, status, contentType?, headers?) -> boolean
napi_value js_write_head(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  EntryGuard guard(a.m);
  Stream* st = stream_arg(env, a);
  int status = 0;
  JsState* js = js_of(a.m);
  if (!status_arg(env, a.argv[2], &status) || !header_list(env, js, a.argv[3], a.argv[4])) return nullptr;
  return boolean(env, st != nullptr && a.m->respond(st, status, js->headers, nullptr, false, true));
}

// earlyHints(handle, id, headers) -> boolean: a 103 ahead of the answer.
napi_value js_early_hints(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  EntryGuard guard(a.m);
  Stream* st = stream_arg(env, a);
  JsState* js = js_of(a.m);
  napi_value none;
  napi_get_undefined(env, &none);
  if (!header_list(env, js, none, a.argv[2])) return nullptr;
  return boolean(env, st != nullptr && a.m->informational(st, 103, js->headers));
}

// push(handle, id, path, headers) -> boolean
napi_value js_push(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  EntryGuard guard(a.m);
  Stream* st = stream_arg(env, a);
  JsState* js = js_of(a.m);
  napi_value none;
  napi_get_undefined(env, &none);
  std::string path;
  napi_valuetype type;
  napi_typeof(env, a.argv[2], &type);
  if (type != napi_string || !string_arg(env, a.argv[2], path, false) || path.empty() || path[0] != '/' ||
      !valid_value(path)) {
    napi_throw_type_error(env, nullptr, "push: path must be a string starting with \"/\"");
    return nullptr;
  }
  if (!header_list(env, js, none, a.argv[3])) return nullptr;
  return boolean(env, st != nullptr && a.m->push(st, path, js->headers) > 0);
}

// write(handle, id, chunk: Buffer) -> 1 (more), 0 (wait for onDrain), -1 (gone)
napi_value js_write(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  EntryGuard guard(a.m);
  void* data = nullptr;
  size_t len = 0;
  if (napi_get_buffer_info(env, a.argv[2], &data, &len) != napi_ok) {
    napi_throw_type_error(env, nullptr, "chunk must be a Buffer");
    return nullptr;
  }
  Stream* st = stream_arg(env, a);
  return number(env, st == nullptr ? -1 : a.m->write(st, static_cast<const char*>(data), len));
}

// end(handle, id, trailers?: [name, value, ...]) -> boolean
napi_value js_end(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  EntryGuard guard(a.m);
  JsState* js = js_of(a.m);
  napi_value none;
  napi_get_undefined(env, &none);
  if (!header_list(env, js, none, a.argv[2])) return nullptr;
  Stream* st = stream_arg(env, a);
  return boolean(env, st != nullptr && a.m->end(st, std::move(js->headers)));
}

// readBody(handle, id, limit) -> 0 started, 1 too large, -1 gone
napi_value js_read_body(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  EntryGuard guard(a.m);
  Stream* st = stream_arg(env, a);
  if (st == nullptr) return number(env, -1);
  return number(env, a.m->read_body(st, napi::arg_limit(env, a.argv[2])));
}

// resumeBody(handle, id): JS caught up with the body chunks it was given.
napi_value js_resume_body(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  EntryGuard guard(a.m);
  if (Stream* st = stream_arg(env, a)) a.m->resume_body(st);
  return nullptr;
}

napi_value js_stats(napi_env env, napi_callback_info info) {
  Args a;
  if (!get_args(env, info, a)) return nullptr;
  const ModuleStats& s = a.m->stats;
  const napi::NamedNumber fields[] = {
      {"connections", s.connections}, {"activeConnections", s.active_connections},
      {"requests", s.requests},       {"batches", s.batches},         {"bytesIn", s.bytes_in},
      {"bytesOut", s.bytes_out},      {"protocolErrors", s.protocol_errors},
      {"calmGoaways", s.calm_goaways}, {"resetFloods", s.reset_floods},
      {"settingsTimeouts", s.settings_timeouts}, {"pushes", s.pushes},
  };
  return napi::number_object(env, fields);
}

bool read_options(napi_env env, napi_value options, ModuleOptions* o) {
  const struct {
    const char* name;
    uint32_t* field;
  } fields[] = {
      {"maxConcurrentStreams", &o->max_concurrent_streams},
      {"initialWindowSize", &o->initial_window_size},
      {"connectionWindowSize", &o->connection_window_size},
      {"maxFrameSize", &o->max_frame_size},
      {"maxHeaderListSize", &o->max_header_list_size},
      {"headerTableSize", &o->header_table_size},
      {"idleTimeoutMs", &o->idle_timeout_ms},
      {"settingsTimeoutMs", &o->settings_timeout_ms},
      {"maxSessionMemory", &o->max_session_memory},
      {"maxResetsPerSecond", &o->max_resets_per_second},
  };
  for (const auto& f : fields) {
    if (!napi::option_u32(env, options, f.name, f.field)) return false;
  }
  if (o->max_resets_per_second == 0) o->max_resets_per_second = 1;
  return true;
}

// createProtocol(engineApi, { onRequests, onBody, onDrain, onStreamClosed }, options)
napi_value create_protocol(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  const fa_engine_api* api =
      napi::create_call_args(env, info, argv, "createProtocol", "createProtocol(engineApi, callbacks, options)");
  ModuleOptions opts{};
  if (api == nullptr || !read_options(env, argv[2], &opts)) return nullptr;
  const napi::Method methods[] = {
      {"send", js_send},         {"writeHead", js_write_head},   {"earlyHints", js_early_hints}, {"push", js_push},
      {"write", js_write},       {"end", js_end},                {"readBody", js_read_body},
      {"resumeBody", js_resume_body}, {"remoteAddress", napi::remote_address_method<Module>}, {"stats", js_stats},
  };
  return napi::new_module<Module, JsState>(env, api, opts, argv[1], kCallbackNames, "fasterapi.http2", methods);
}

// nghttp2Address() -> number: where nghttp2_session_mem_recv resolved at load time, so a test can
// find in /proc/self/maps which loaded object's nghttp2 this addon runs on (README "Which nghttp2").
napi_value nghttp2_address_js(napi_env env, napi_callback_info) {
  return number(env, static_cast<double>(reinterpret_cast<uintptr_t>(&nghttp2_session_mem_recv)));
}

}  // namespace

// ---- events from the module to JS ------------------------------------------------------------

// onRequests(records): one flat array, RECORD_WORDS entries per stream of the batch: handle, id,
// hasBody (0/1), :method, :path, then every field as "name\0value\0..." in one string (NUL cannot
// occur in HPACK-decoded fields nghttp2 accepts), which JS splits only when a header is read.
void js_requests(Module* m) {
  JsState* js = js_of(m);
  std::vector<Stream*> batch;
  batch.swap(m->batch);
  for (Stream* st : batch) {
    if (st != nullptr) st->in_batch = false;
  }
  if (!js->js.alive) return;
  napi_env env = js->js.env;
  napi::HandleScope scope(env);
  napi_value records;
  napi_create_array(env, &records);
  uint32_t at = 0;
  std::string& joined = js->text;
  for (Stream* st : batch) {
    if (st == nullptr) continue;
    const std::string* method = nullptr;
    const std::string* path = nullptr;
    joined.clear();
    for (size_t i = 0; i + 1 < st->headers.size(); i += 2) {
      if (st->headers[i] == ":method") method = &st->headers[i + 1];
      else if (st->headers[i] == ":path") path = &st->headers[i + 1];
      if (i != 0) joined.push_back('\0');
      joined.append(st->headers[i]).push_back('\0');
      joined.append(st->headers[i + 1]);
    }
    napi_value method_v, path_v, fields_v;
    napi_create_string_latin1(env, method != nullptr ? method->data() : "GET", method != nullptr ? method->size() : 3, &method_v);
    napi_create_string_latin1(env, path != nullptr ? path->data() : "/", path != nullptr ? path->size() : 1, &path_v);
    napi_create_string_latin1(env, joined.data(), joined.size(), &fields_v);
    napi_set_element(env, records, at++, number(env, st->session->handle));
    napi_set_element(env, records, at++, number(env, st->id));
    napi_set_element(env, records, at++, number(env, st->has_body ? 1 : 0));
    napi_set_element(env, records, at++, method_v);
    napi_set_element(env, records, at++, path_v);
    napi_set_element(env, records, at++, fields_v);
    std::vector<std::string>().swap(st->headers);
  }
  batch.clear();
  if (m->batch.empty()) m->batch.swap(batch);  // keep the capacity
  if (at == 0) return;
  m->stats.batches += 1;
  js->js.call(kOnRequests, 1, &records);
}

// onBody(handle, id, chunk | undefined, events, trailers | undefined) -> boolean (keep reading)
bool js_body(Module* m, Stream* st, uint32_t events) {
  JsState* js = js_of(m);
  if (!js->js.alive) return true;
  napi_env env = js->js.env;
  napi::HandleScope scope(env);
  napi_value argv[5], result = nullptr;
  argv[0] = number(env, st->session->handle);
  argv[1] = number(env, st->id);
  if (st->body.empty()) napi_get_undefined(env, &argv[2]);
  else napi_create_buffer_copy(env, st->body.size(), st->body.data(), nullptr, &argv[2]);
  argv[3] = number(env, events);
  napi_get_undefined(env, &argv[4]);
  if ((events & kBodyEnd) != 0 && !st->trailers_in.empty()) {
    napi_create_array_with_length(env, st->trailers_in.size(), &argv[4]);
    for (uint32_t i = 0; i < st->trailers_in.size(); ++i) {
      napi_value v;
      napi_create_string_latin1(env, st->trailers_in[i].data(), st->trailers_in[i].size(), &v);
      napi_set_element(env, argv[4], i, v);
    }
  }
  bool want_more = true;
  if (js->js.call(kOnBody, 5, argv, &result) && result != nullptr) napi_get_value_bool(env, result, &want_more);
  return want_more;
}

static void js_stream_event(Module* m, double handle, int32_t id, Callback callback) {
  JsState* js = js_of(m);
  if (!js->js.alive) return;
  napi::HandleScope scope(js->js.env);
  napi_value argv[2] = {number(js->js.env, handle), number(js->js.env, id)};
  js->js.call(callback, 2, argv);
}

void js_drain(Module* m, Stream* st) { js_stream_event(m, st->session->handle, st->id, kOnDrain); }
void js_stream_closed(Module* m, Session* s, int32_t id) { js_stream_event(m, s->handle, id, kOnStreamClosed); }
void js_release(Module* m) { delete js_of(m); }

}  // namespace fasterapi::http2

NAPI_MODULE_INIT() {
  if (!fasterapi::http2::borrowing_supported(env)) return nullptr;
  fasterapi::napi::export_function(env, exports, "nghttp2Address", fasterapi::http2::nghttp2_address_js);
  return fasterapi::napi::export_function(env, exports, "createProtocol", fasterapi::http2::create_protocol);
}

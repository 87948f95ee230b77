#include "ws_module.h"

#include <cstring>

#include "close_code.h"
#include "fasterapi/protocol_table.h"
#include "utf8.h"

namespace fasterapi::ws {

namespace {


Conn* conn_of(fa_conn* fc) { return static_cast<Conn*>(fc->user_data); }

// A framed message shared by every subscriber's write queue; freed with the last write.
struct SharedFrame {
  int refs = 1;
  std::string bytes;
};

void release_frame(void* arg) {
  auto* frame = static_cast<SharedFrame*>(arg);
  if (--frame->refs == 0) delete frame;
}

void frame_into(std::string& out, uint8_t opcode, bool rsv1, const uint8_t* data, size_t len) {
  uint8_t header[10];
  const size_t n = write_frame_header(header, opcode, true, rsv1, len);
  out.reserve(n + len);
  out.assign(reinterpret_cast<const char*>(header), n);
  out.append(reinterpret_cast<const char*>(data), len);
}

}  // namespace

Conn* Module::lookup(double handle) const {
  return handles.find(handle);
}

void Module::add_event(Conn* c, uint32_t kind, uint32_t arg, const uint8_t* bytes, size_t len) {
  events.add(kind, static_cast<uint64_t>(c->handle), arg, bytes, len);
  api->turn_hook_request(c->engine, &turn_hook);
}

void Module::commit_event(Conn* c, uint32_t kind, uint32_t arg, size_t len) {
  events.commit(kind, static_cast<uint64_t>(c->handle), arg, len);
  api->turn_hook_request(c->engine, &turn_hook);
}

int Module::write_frame(Conn* c, uint8_t opcode, bool rsv1, const uint8_t* data, size_t len) {
  uint8_t header[10];
  const size_t n = write_frame_header(header, opcode, true, rsv1, len);
  const fa_iovec iov[2] = {{header, n}, {data, len}};
  return api->conn_write(c->conn, iov, len > 0 ? 2 : 1);
}

int Module::write_message(Conn* c, uint8_t opcode, const uint8_t* data, size_t len, EventBlock* from) {
  uint8_t header[10];
  const size_t n = write_frame_header(header, opcode, true, false, len);
  uint8_t* room = from == nullptr ? nullptr : frame_room(from, data, len, header, n);
  if (room == nullptr) return write_frame(c, opcode, false, data, len);
  // Header and payload are adjacent in the block: one borrowed range, no copy of the payload.
  block_retain(from);
  const fa_iovec iov = {room, n + len};
  return api->conn_write_ref(c->conn, &iov, 1, [](void* b) { block_release(static_cast<EventBlock*>(b)); }, from);
}

bool Module::compress_for(Conn* c, const uint8_t* data, size_t len) {
  if (!c->deflate.deflate || len < kCompressThreshold) return false;
  const int bits = c->deflate.server_max_window_bits;
  if (c->deflater != nullptr) return c->deflater->compress(data, len, bits, true, scratch);
  std::unique_ptr<Deflater>& shared = shared_deflaters[bits];
  if (shared == nullptr) shared = std::make_unique<Deflater>();
  return shared->compress(data, len, bits, false, scratch);
}

bool Module::admit(Conn* c, SendResult* result) {
  if (c->closed || c->close_sent) {
    *result = kSendClosed;
    return false;
  }
  if (api->conn_buffered_bytes(c->conn) <= opts.max_backpressure) return true;
  stats.dropped += 1;
  *result = kSendDropped;
  c->drain_wanted = true;  // the sender hears when it may send again
  // The peer is not reading: cut it off instead of dropping, when configured to.
  if (opts.close_on_backpressure_limit) terminate(c);
  return false;
}

SendResult Module::send(Conn* c, const uint8_t* data, size_t len, bool binary, bool compress, EventBlock* from) {
  SendResult result = kSendOk;
  if (!admit(c, &result)) return result;
  const uint8_t opcode = binary ? kOpBinary : kOpText;
  const bool deflated = compress && compress_for(c, data, len);
  const int rc = deflated ? write_frame(c, opcode, true, scratch.data(), scratch.size())
                          : write_message(c, opcode, data, len, from);
  if (rc == FA_WRITE_CLOSED) return kSendClosed;
  stats.messages_out += 1;
  stats.bytes_out += static_cast<double>(len);
  if (rc == FA_WRITE_BACKPRESSURE) {
    c->drain_wanted = true;
    return kSendBackpressure;
  }
  return kSendOk;
}

void Module::ping(Conn* c, const uint8_t* data, size_t len) {
  if (c->closed || c->close_sent) return;
  write_frame(c, kOpPing, false, data, len > 125 ? 125 : len);
}

void Module::send_close(Conn* c, uint16_t code, const uint8_t* reason, size_t reason_len) {
  if (c->close_sent || c->closed) return;
  c->close_sent = true;
  uint8_t payload[125];
  size_t n = 0;
  if (code != kCloseNoStatus) {
    payload[0] = static_cast<uint8_t>(code >> 8);
    payload[1] = static_cast<uint8_t>(code);
    n = 2 + (reason_len > 123 ? 123 : reason_len);
    if (n > 2) std::memcpy(payload + 2, reason, n - 2);
  }
  write_frame(c, kOpClose, false, payload, n);
}

void Module::close(Conn* c, uint16_t code, const uint8_t* reason, size_t reason_len) {
  if (c->close_sent || c->closed) return;
  send_close(c, code, reason, reason_len);
  api->timer_stop(&c->idle_timer);
  api->timer_start(&c->close_timer, kCloseTimeoutMs);
}

void Module::terminate(Conn* c) {
  if (c->closed) return;
  c->closed = true;
  api->conn_close(c->conn, FA_CLOSE_ABORT);
}

bool Module::subscribe(Conn* c, const std::string& name) {
  if (is_subscribed(c, name)) return false;
  std::unique_ptr<Topic>& slot = topics[name];
  if (slot == nullptr) {
    slot = std::make_unique<Topic>();
    slot->name = name;
  }
  c->subscriptions.push_back(Subscription{slot.get(), slot->subscribers.size()});
  slot->subscribers.push_back(c);
  return true;
}

void Module::remove_subscription(Conn* c, size_t at) {
  Topic* topic = c->subscriptions[at].topic;
  const size_t index = c->subscriptions[at].index;
  // Swap-remove from the topic, then fix the index the moved subscriber keeps for it.
  Conn* moved = topic->subscribers.back();
  topic->subscribers[index] = moved;
  topic->subscribers.pop_back();
  if (moved != c) {
    for (Subscription& s : moved->subscriptions) {
      if (s.topic == topic) s.index = index;
    }
  }
  c->subscriptions[at] = c->subscriptions.back();
  c->subscriptions.pop_back();
  if (topic->subscribers.empty()) topics.erase(topic->name);
}

bool Module::unsubscribe(Conn* c, const std::string& name) {
  for (size_t i = 0; i < c->subscriptions.size(); ++i) {
    if (c->subscriptions[i].topic->name == name) {
      remove_subscription(c, i);
      return true;
    }
  }
  return false;
}

bool Module::is_subscribed(const Conn* c, const std::string& name) const {
  for (const Subscription& s : c->subscriptions) {
    if (s.topic->name == name) return true;
  }
  return false;
}

size_t Module::subscriber_count(const std::string& name) const {
  const auto it = topics.find(name);
  return it == topics.end() ? 0 : it->second->subscribers.size();
}

uint32_t Module::publish(const std::string& name, const uint8_t* data, size_t len, bool binary, bool compress,
                         const Conn* except) {
  const auto it = topics.find(name);
  if (it == topics.end()) return 0;
  const uint8_t opcode = binary ? kOpBinary : kOpText;
  // Framed once, uncompressed; compressed once per window size for sockets without context takeover.
  auto* plain = new SharedFrame();
  frame_into(plain->bytes, opcode, false, data, len);
  SharedFrame* deflated[16] = {};
  uint32_t delivered = 0;
  for (Conn* c : it->second->subscribers) {
    if (c == except) continue;
    SendResult result = kSendOk;
    if (!admit(c, &result)) continue;
    if (compress && c->deflate.deflate && c->deflater != nullptr) {
      // This socket's window must see every compressed message it gets: compress for it alone.
      if (send(c, data, len, binary, true) != kSendClosed) ++delivered;
      continue;
    }
    SharedFrame* frame = plain;
    if (compress && c->deflate.deflate && len >= kCompressThreshold) {
      SharedFrame*& d = deflated[c->deflate.server_max_window_bits];
      if (d == nullptr && compress_for(c, data, len)) {
        d = new SharedFrame();
        frame_into(d->bytes, opcode, true, scratch.data(), scratch.size());
      }
      if (d != nullptr) frame = d;
    }
    ++frame->refs;
    const fa_iovec iov = {reinterpret_cast<const uint8_t*>(frame->bytes.data()), frame->bytes.size()};
    const int rc = api->conn_write_ref(c->conn, &iov, 1, release_frame, frame);
    if (rc == FA_WRITE_CLOSED) continue;
    if (rc == FA_WRITE_BACKPRESSURE) c->drain_wanted = true;
    stats.messages_out += 1;
    stats.bytes_out += static_cast<double>(len);
    ++delivered;
  }
  release_frame(plain);
  for (SharedFrame* d : deflated) {
    if (d != nullptr) release_frame(d);
  }
  return delivered;
}

void Module::arm_idle(Conn* c) {
  c->ping_sent = false;
  if (opts.idle_timeout_ms != 0 && !c->close_sent) api->timer_start(&c->idle_timer, opts.idle_timeout_ms);
}

// ---- engine callbacks -----------------------------------------------------------------------

namespace {

void on_idle(fa_timer* /*timer*/, void* arg) {
  Conn* c = static_cast<Conn*>(arg);
  Module* m = c->mod;
  if (c->closed) return;
  if (!c->ping_sent) {  // silent for idleTimeout: ask for a sign of life, then wait once more
    m->write_frame(c, kOpPing, false, nullptr, 0);
    c->ping_sent = true;
    m->api->timer_start(&c->idle_timer, m->opts.idle_timeout_ms);
    return;
  }
  static constexpr char kReason[] = "idle timeout";
  m->send_close(c, kCloseGoingAway, reinterpret_cast<const uint8_t*>(kReason), sizeof kReason - 1);
  c->closed = true;
  m->api->conn_close(c->conn, FA_CLOSE_GRACEFUL);
}

// The peer did not answer our close frame in time.
void on_close_timeout(fa_timer* /*timer*/, void* arg) {
  Conn* c = static_cast<Conn*>(arg);
  c->mod->terminate(c);
}

int on_open(fa_conn* /*fc*/, void* /*data*/) {
  return 1;  // only an HTTP/1.1 Upgrade (a hand-over) starts a WebSocket connection
}

int on_handover(fa_conn* fc, void* data, const uint8_t* blob, size_t len) {
  Module* m = static_cast<Module*>(data);
  Handoff handoff;
  if (!parse_handoff(blob, len, handoff)) return 1;
  ParserConfig config;
  config.max_payload = m->opts.max_payload;
  config.deflate = handoff.deflate;
  Conn* c = new Conn(config);
  c->mod = m;
  c->conn = fc;
  c->engine = m->api->conn_engine(fc);
  c->deflate = handoff;
  if (handoff.deflate) {
    if (m->opts.dedicated_compressor && !handoff.server_no_context_takeover) c->deflater = std::make_unique<Deflater>();
    if (!handoff.client_no_context_takeover) c->inflater = std::make_unique<Inflater>();
  }
  m->api->timer_init(c->engine, &c->idle_timer, on_idle, c);
  m->api->timer_init(c->engine, &c->close_timer, on_close_timeout, c);
  c->handle = m->handles.add(c);
  char ip[46];
  int port = 0;
  if (m->api->conn_remote_address(fc, ip, sizeof ip, &port) == 0) c->remote = ip;
  m->api->conn_set_user_data(fc, c);
  m->stats.open += 1;
  m->add_event(c, kEventOpen, handoff.token, reinterpret_cast<const uint8_t*>(c->remote.data()), c->remote.size());
  m->arm_idle(c);
  return 0;
}

// Fails the connection: a close frame with `code` and `reason`, then close once it is written.
ptrdiff_t fail(Module* m, Conn* c, uint16_t code, const char* reason) {
  m->send_close(c, code, reinterpret_cast<const uint8_t*>(reason), std::strlen(reason));
  c->close_code = code;
  c->close_reason = reason;
  c->closed = true;
  return FA_DATA_CLOSE;
}

// A whole message from the parser: inflated and checked if compressed, then queued for JS.
ptrdiff_t deliver_message(Module* m, Conn* c, const Event& e) {
  const uint8_t* data = e.data;
  size_t len = e.len;
  if (e.compressed) {
    Inflater& inflater = c->inflater != nullptr ? *c->inflater : m->shared_inflater;
    const Inflater::Result r = inflater.inflate(e.data, e.len, c->inflater != nullptr, m->opts.max_payload, m->scratch);
    if (r == Inflater::Result::kTooBig) return fail(m, c, kCloseTooBig, "message over maxPayload");
    if (r == Inflater::Result::kError) return fail(m, c, kCloseInvalidPayload, "invalid compressed data");
    data = m->scratch.data();
    len = m->scratch.size();
    if (!e.binary && !is_valid_utf8(data, len)) return fail(m, c, kCloseInvalidPayload, "invalid UTF-8 in a text message");
  }
  m->stats.messages_in += 1;
  m->stats.bytes_in += static_cast<double>(len);
  if (e.in_sink) {
    m->commit_event(c, kEventMessage, e.binary ? 1 : 0, len);
  } else {
    m->add_event(c, kEventMessage, e.binary ? 1 : 0, data, len);
  }
  return 0;
}

ptrdiff_t on_data(fa_conn* fc, const uint8_t* data, size_t len) {
  Conn* c = conn_of(fc);
  Module* m = c->mod;
  if (c->closed) return static_cast<ptrdiff_t>(len);
  m->arm_idle(c);
  size_t pos = 0;
  for (;;) {
    const Event e = c->parser.next(data + pos, len - pos, &m->sink);
    pos += e.consumed;
    switch (e.kind) {
      case EventKind::kNeedMore:
        return static_cast<ptrdiff_t>(pos);
      case EventKind::kMessage:
        if (c->close_sent) break;  // closing: data after our close frame is dropped
        if (deliver_message(m, c, e) == FA_DATA_CLOSE) return FA_DATA_CLOSE;
        break;
      case EventKind::kPing:
        if (!c->close_sent) m->write_frame(c, kOpPong, false, e.data, e.len);
        m->add_event(c, kEventPing, 0, e.data, e.len);
        break;
      case EventKind::kPong:
        m->add_event(c, kEventPong, 0, e.data, e.len);
        break;
      case EventKind::kClose:
        c->close_code = e.code;
        c->close_reason.assign(reinterpret_cast<const char*>(e.data), e.len);
        // Echo the code (none for an empty close) unless we started the handshake; then close.
        m->send_close(c, e.code, e.data, e.len);
        c->closed = true;
        return FA_DATA_CLOSE;
      case EventKind::kError:
        return fail(m, c, e.code, e.reason);
    }
  }
}

void on_drain(fa_conn* fc) {
  Conn* c = conn_of(fc);
  if (!c->drain_wanted || c->closed) return;
  c->drain_wanted = false;
  c->mod->add_event(c, kEventDrain, 0, nullptr, 0);
}

void on_shutdown(fa_conn* fc) {
  static constexpr char kReason[] = "server shutting down";
  Conn* c = conn_of(fc);
  c->mod->close(c, kCloseGoingAway, reinterpret_cast<const uint8_t*>(kReason), sizeof kReason - 1);
}

void on_close(fa_conn* fc, fa_close_reason reason) {
  Conn* c = conn_of(fc);
  Module* m = c->mod;
  m->api->timer_stop(&c->idle_timer);
  m->api->timer_stop(&c->close_timer);
  while (!c->subscriptions.empty()) m->remove_subscription(c, c->subscriptions.size() - 1);
  if (reason != FA_CLOSE_REASON_TEARDOWN) {
    m->add_event(c, kEventClose, c->close_code, reinterpret_cast<const uint8_t*>(c->close_reason.data()),
                 c->close_reason.size());
  }
  m->handles.remove(c->handle);
  m->stats.open -= 1;
  delete c;
}

struct Callbacks : RefCounted<Module> {
  static constexpr auto on_open = ws::on_open;
  static constexpr auto on_handover = ws::on_handover;
  static constexpr auto on_data = ws::on_data;
  static constexpr auto on_drain = ws::on_drain;
  static constexpr auto on_shutdown = ws::on_shutdown;
  static constexpr auto on_close = ws::on_close;
};

}  // namespace

void init_protocol(Module* m) {
  m->proto = protocol_table<Callbacks>("websocket", m);
  m->turn_hook.fn = [](void* arg) { js_events(static_cast<Module*>(arg)); };
  m->turn_hook.arg = m;
}

void module_release(Module* m) {
  if (--m->refs > 0) return;
  js_release(m);
  delete m;
}

}  // namespace fasterapi::ws

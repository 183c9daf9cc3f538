#include "lab/http2_session.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "lab/response_writer.h"

namespace pageload::lab {
namespace {

std::string_view view(const uint8_t* data, std::size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Header text must not break a field: CR, LF and NUL become spaces (as over HTTP/1.1).
std::string sanitize(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
  return out;
}

// Headers HTTP/2 forbids in a response (RFC 9113 8.2.2); a client resets a stream that
// carries one, so they are left out.
bool connection_specific(std::string_view lower_name) {
  for (std::string_view n : {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te"})
    if (lower_name == n) return true;
  return false;
}

// Nanoseconds of a plan's millisecond pause, as a steady_clock duration.
Http2Session::Clock::duration span(milliseconds ms) { return std::chrono::duration_cast<Http2Session::Clock::duration>(ms); }

}  // namespace

struct Http2Session::Stream {
  // A stream's life on the server, one state at a time.
  enum class State {
    kReceiving,    // request headers or body still arriving
    kWaitingHead,  // the plan's head_delay runs (timer `due`)
    kSending,      // HEADERS submitted; the body, if any, flows through read_body
    kPaused,       // the body waits out a piece's pause (deferred; timer `due`)
    kEnded,        // answered, refused or reset; waiting for nghttp2 to close it
  };

  int32_t id = 0;
  State state = State::kReceiving;
  Request request;
  std::size_t header_bytes = 0;
  bool head_too_large = false;
  bool body_too_large = false;
  ResponsePlan plan;
  std::unique_ptr<BodyCursor> cursor;  // over plan.body; the Stream never moves
  Clock::time_point due{};
};

// nghttp2's C callbacks, forwarding to the session (user_data).
struct Http2Session::Callbacks {
  static Http2Session& self(void* user_data) { return *static_cast<Http2Session*>(user_data); }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Http2Session& s = self(user_data);
    auto stream = std::make_unique<Stream>();
    stream->id = frame->hd.stream_id;
    stream->request.major_version = 2;
    stream->request.minor_version = 0;
    stream->request.local_port = s.options_.local_port;
    s.streams_[stream->id] = std::move(stream);
    ++s.streams_opened_;
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, std::size_t namelen,
                       const uint8_t* value, std::size_t valuelen, uint8_t, void* user_data) {
    Http2Session& s = self(user_data);
    Stream* stream = s.find(frame->hd.stream_id);
    if (stream == nullptr || stream->state != Stream::State::kReceiving) return 0;
    stream->header_bytes += namelen + valuelen + 32;  // RFC 9113's per-field accounting
    Request& r = stream->request;
    if (stream->header_bytes > s.options_.limits.max_head_bytes || r.headers.size() >= s.options_.limits.max_headers) {
      stream->head_too_large = true;
      return 0;
    }
    std::string_view n = view(name, namelen), v = view(value, valuelen);
    if (n == ":method") r.method = v;
    else if (n == ":path") r.target = v;
    else if (n == ":authority") r.authority = v;
    else if (!n.empty() && n.front() != ':') r.headers.emplace_back(n, v);  // :scheme and the like aside
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, std::size_t len,
                           void* user_data) {
    Http2Session& s = self(user_data);
    Stream* stream = s.find(stream_id);
    if (stream == nullptr || stream->state != Stream::State::kReceiving) return 0;
    std::string& body = stream->request.body;
    if (body.size() + len > s.options_.limits.max_body_bytes) stream->body_too_large = true;
    else body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    bool carries_request = frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA;
    if (!carries_request || (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) return 0;
    Http2Session& s = self(user_data);
    Stream* stream = s.find(frame->hd.stream_id);
    if (stream != nullptr && stream->state == Stream::State::kReceiving) s.on_request_complete(*stream);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
    self(user_data).streams_.erase(stream_id);
    return 0;
  }

  // Hands nghttp2 the next body bytes of a stream, or defers it for a pause.
  static ssize_t read_body(nghttp2_session*, int32_t stream_id, uint8_t* buf, std::size_t length,
                           uint32_t* data_flags, nghttp2_data_source*, void* user_data) {
    Http2Session& s = self(user_data);
    Stream* stream = s.find(stream_id);
    if (stream == nullptr || !stream->cursor) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    BodyCursor& cursor = *stream->cursor;
    std::size_t copied = 0;
    while (copied < length && !cursor.done()) {
      if (cursor.pause_pending()) {
        if (copied > 0) break;  // send these first; the pause starts on the next call
        stream->due = s.now_ + span(cursor.take_pause());
        stream->state = Stream::State::kPaused;
        return NGHTTP2_ERR_DEFERRED;
      }
      copied += cursor.read(reinterpret_cast<char*>(buf) + copied, length - copied);
    }
    if (!cursor.done()) return static_cast<ssize_t>(copied);
    switch (stream->plan.ending) {
      case Ending::kResetStream:
        // RST_STREAM INTERNAL_ERROR, once the bytes so far are out.
        if (copied == 0) {
          stream->state = Stream::State::kEnded;
          return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        }
        return static_cast<ssize_t>(copied);
      case Ending::kReset:
        s.reset_requested_ = true;
        stream->state = Stream::State::kEnded;
        // The stream never ends: the connection is reset once these bytes are written.
        return copied > 0 ? static_cast<ssize_t>(copied) : static_cast<ssize_t>(NGHTTP2_ERR_DEFERRED);
      default:
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
        s.after_body(*stream);
        return static_cast<ssize_t>(copied);
    }
  }
};

Http2Session::Http2Session(const Options& options, RouteState& state) : options_(options), state_(state) {}

std::unique_ptr<Http2Session> Http2Session::create(const Options& options, RouteState& state) {
  std::unique_ptr<Http2Session> s(new Http2Session(options, state));
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) return nullptr;
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::on_stream_close);
  int rv = nghttp2_session_server_new(&s->session_, callbacks, s.get());
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) return nullptr;
  std::array settings{
      nghttp2_settings_entry{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams},
      nghttp2_settings_entry{NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
                             static_cast<uint32_t>(std::min<std::size_t>(options.limits.max_head_bytes, UINT32_MAX))},
  };
  if (nghttp2_submit_settings(s->session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size()) != 0) return nullptr;
  return s;
}

Http2Session::~Http2Session() {
  // nghttp2_session_del may call on_stream_close for open streams: streams_ is still
  // alive here, as members are destroyed only after this body.
  nghttp2_session_del(session_);
}

Http2Session::Stream* Http2Session::find(int32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

bool Http2Session::receive(std::string_view bytes, Clock::time_point now) {
  now_ = now;
  if (failed_) return false;
  ssize_t n = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (n < 0) failed_ = true;
  return !failed_;
}

void Http2Session::on_request_complete(Stream& stream) {
  if (stream.head_too_large) {
    stream.plan = ResponsePlan::whole(431, {{"Content-Type", "text/plain; charset=utf-8"}}, "431 Request Header Fields Too Large\n");
  } else if (stream.body_too_large) {
    stream.plan = ResponsePlan::whole(413, {{"Content-Type", "text/plain; charset=utf-8"}}, "413 Content Too Large\n");
  } else {
    if (options_.on_request) options_.on_request(stream.request);
    try {
      stream.plan = plan_response(stream.request, state_);
    } catch (...) {  // a bug or bad_alloc in one route must not take the connection down
      stream.plan = ResponsePlan::whole(500, {{"Content-Type", "text/plain; charset=utf-8"}}, "500 Internal Server Error\n");
    }
  }
  if (stream.plan.ending == Ending::kRefuseStream) {
    stream.state = Stream::State::kEnded;
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_REFUSED_STREAM);
    return;
  }
  if (stream.plan.head_delay.count() > 0) {
    stream.state = Stream::State::kWaitingHead;
    stream.due = now_ + span(stream.plan.head_delay);
    return;
  }
  start_response(stream);
}

void Http2Session::start_response(Stream& stream) {
  const ResponsePlan& plan = stream.plan;
  bool has_body = stream.request.method != "HEAD" && !has_no_body(plan.status);

  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back(":status", std::to_string(plan.status));
  fields.emplace_back("server", "pageload-lab");
  auto add = [&fields](std::string_view name, std::string_view value) {
    std::string lower = lowercase(name);
    if (!connection_specific(lower) && lower != "content-length") fields.emplace_back(std::move(lower), sanitize(value));
  };
  for (const auto& [name, value] : plan.headers) add(name, value);
  if (!has_no_body(plan.status) && plan.content_length)
    fields.emplace_back("content-length", std::to_string(*plan.content_length));
  bool close_asked = false;
  for (const auto& [name, value] : plan.extra_headers) {
    if (iequals(name, "Connection") && value.find("close") != std::string::npos) close_asked = true;
    add(name, value);
  }
  std::vector<nghttp2_nv> nva;
  for (auto& [name, value] : fields)
    nva.push_back({reinterpret_cast<uint8_t*>(name.data()), reinterpret_cast<uint8_t*>(value.data()), name.size(),
                   value.size(), NGHTTP2_NV_FLAG_NONE});

  if (plan.ending == Ending::kGoAway)
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, stream.id, NGHTTP2_NO_ERROR, nullptr, 0);
  if (close_asked) goaway_pending_ = true;

  if (plan.keep_alive) keep_alive_ = plan.keep_alive;
  stream.state = Stream::State::kSending;
  if (has_body) {
    stream.cursor = std::make_unique<BodyCursor>(plan.body);
    nghttp2_data_provider provider{};
    provider.read_callback = Callbacks::read_body;
    nghttp2_submit_response(session_, stream.id, nva.data(), nva.size(), &provider);
    return;
  }
  nghttp2_submit_response(session_, stream.id, nva.data(), nva.size(), nullptr);
  after_body(stream);
  if (plan.ending == Ending::kReset) reset_requested_ = true;
}

void Http2Session::after_body(Stream& stream) {
  stream.state = Stream::State::kEnded;
  if (stream.plan.ending == Ending::kClose) goaway_pending_ = true;
}

void Http2Session::advance(Clock::time_point now) {
  now_ = now;
  for (auto& [id, stream] : streams_) {
    if (stream->due > now) continue;
    if (stream->state == Stream::State::kWaitingHead) {
      start_response(*stream);
    } else if (stream->state == Stream::State::kPaused) {
      stream->state = Stream::State::kSending;
      nghttp2_session_resume_data(session_, id);
    }
  }
}

std::optional<Http2Session::Clock::time_point> Http2Session::next_deadline() const {
  std::optional<Clock::time_point> next;
  for (const auto& [id, stream] : streams_)
    if (stream->state == Stream::State::kWaitingHead || stream->state == Stream::State::kPaused)
      if (!next || stream->due < *next) next = stream->due;
  return next;
}

void Http2Session::produce(std::size_t limit) {
  while (output_.size() < limit) {
    if (goaway_pending_) {
      goaway_pending_ = false;
      goaway_sent_ = true;
      // Graceful: the streams already taken finish; the session ends after them.
      nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                            NGHTTP2_NO_ERROR, nullptr, 0);
    }
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      failed_ = true;
      return;
    }
    if (n == 0 && !goaway_pending_) return;
    output_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
}

bool Http2Session::finished() const {
  if (failed_) return true;
  return !nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_) && !goaway_pending_;
}

}  // namespace pageload::lab

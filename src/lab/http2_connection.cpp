#include "lab/http2_connection.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace pageload::lab {
namespace {

using Clock = Http2Session::Clock;

// Frames are produced until this much waits to be written: enough to keep the socket
// busy, little enough that a /large stream does not fill memory.
constexpr std::size_t kOutputLimit = 256 * 1024;
constexpr std::size_t kWriteChunk = 64 * 1024;
// The longest poll, so a raised stop flag is seen even if no shutdown() woke us.
constexpr std::chrono::milliseconds kMaxPoll{500};

int poll_timeout_ms(Clock::time_point now, std::optional<Clock::time_point> deadline) {
  auto wait = std::chrono::duration_cast<Clock::duration>(kMaxPoll);
  if (deadline) wait = std::min(wait, std::max(Clock::duration::zero(), *deadline - now));
  // Rounded up, so the loop wakes at or after the deadline, not just before it.
  return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

enum class Io { kProgress, kWouldBlock, kClosed };

// Writes output until it is empty or the socket is full. `retry` is the length of an
// SSL_write that must be repeated with the same bytes (OpenSSL's rule).
Io write_output(SSL* ssl, Http2Session& session, std::size_t& retry, bool& wrote) {
  while (!session.output().empty()) {
    std::string_view out = session.output();
    std::size_t length = retry != 0 ? retry : std::min(out.size(), kWriteChunk);
    ERR_clear_error();
    int n = SSL_write(ssl, out.data(), static_cast<int>(length));
    if (n > 0) {
      session.consume(static_cast<std::size_t>(n));
      retry = 0;
      wrote = true;
      continue;
    }
    int err = SSL_get_error(ssl, n);
    if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
      retry = length;
      return Io::kWouldBlock;
    }
    return Io::kClosed;
  }
  return Io::kProgress;
}

// Reads every TLS record available into the session. kClosed at end of stream or on an
// error (the client is gone, or broke the protocol).
Io read_input(SSL* ssl, Http2Session& session, Clock::time_point now, bool& got) {
  char buffer[32 * 1024];
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl, buffer, sizeof buffer);
    if (n > 0) {
      got = true;
      if (!session.receive(std::string_view(buffer, static_cast<std::size_t>(n)), now)) return Io::kProgress;
      continue;
    }
    int err = SSL_get_error(ssl, n);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return Io::kWouldBlock;
    return Io::kClosed;
  }
}

}  // namespace

ConnectionThreads::Close serve_http2(int fd, SslPtr ssl, const Http2ConnectionOptions& options, RouteState& state,
                                     const StopFlag& stop) {
  auto session = Http2Session::create(options.session, state);
  if (!session) return ConnectionThreads::Close::kGraceful;
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return ConnectionThreads::Close::kGraceful;

  Clock::time_point last_input = Clock::now();
  std::size_t retry = 0;
  bool write_blocked = false;
  bool idled_out = false;
  while (!stop.raised()) {
    Clock::time_point now = Clock::now();
    session->advance(now);
    session->produce(kOutputLimit);
    bool wrote = false;
    Io written = write_output(ssl.get(), *session, retry, wrote);
    if (written == Io::kClosed) return ConnectionThreads::Close::kGraceful;
    write_blocked = written == Io::kWouldBlock;
    if (session->output().empty()) {
      if (session->reset_requested()) return ConnectionThreads::Close::kReset;
      if (session->finished()) break;
      if (wrote) continue;  // the session may have more ready at once
    }

    // The idle timeout: the server's, or a shorter keep-alive one a response asked for.
    const std::chrono::milliseconds idle_timeout = session->keep_alive().value_or(options.idle_timeout);
    if (!session->has_streams() && now - last_input >= idle_timeout) {
      session->shut_down();  // a GOAWAY first, so the client knows not to reuse it
      last_input = now;      // and if it never finishes, the next idle round ends it
      if (idled_out) break;
      idled_out = true;
      continue;
    }
    std::optional<Clock::time_point> deadline = session->next_deadline();
    if (!session->has_streams()) {
      Clock::time_point idle_end = last_input + std::chrono::duration_cast<Clock::duration>(idle_timeout);
      if (!deadline || idle_end < *deadline) deadline = idle_end;
    }
    pollfd p{fd, static_cast<short>(POLLIN | (write_blocked ? POLLOUT : 0)), 0};
    // SSL may hold decrypted bytes already read from the socket: no waiting then.
    int timeout = SSL_pending(ssl.get()) > 0 ? 0 : poll_timeout_ms(now, deadline);
    if (::poll(&p, 1, timeout) < 0 && errno != EINTR) break;
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0 || SSL_pending(ssl.get()) > 0) {
      bool got = false;
      Io read = read_input(ssl.get(), *session, Clock::now(), got);
      if (got) last_input = Clock::now();
      if (read == Io::kClosed) break;  // answered with our close_notify below
    }
  }
  // close_notify; we do not wait for the client's. Without it OpenSSL takes the
  // connection for broken and drops its session from the cache: the client's next
  // connection could not resume it.
  ERR_clear_error();
  SSL_shutdown(ssl.get());
  ::shutdown(fd, SHUT_WR);
  return ConnectionThreads::Close::kGraceful;
}

}  // namespace pageload::lab

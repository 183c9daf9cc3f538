// A connection's byte stream as the HTTP server sees it: plain TCP or TLS over the
// same socket. Writes never raise SIGPIPE (send(MSG_NOSIGNAL), and a BIO that uses it
// for TLS), so the lab needs no process-wide signal disposition.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <memory>
#include <string_view>

namespace pageload::lab {

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

// The stream does not own the socket: the server's connection record does, so that
// stop() can shutdown() it from another thread without racing a close().
class Stream {
 public:
  virtual ~Stream() = default;
  // Reads up to `size` bytes. Returns the count read, 0 on orderly end of stream,
  // -1 on error or timeout. Blocking.
  virtual long read(char* data, std::size_t size) = 0;
  // Writes every byte or fails. Returns false on error (peer gone, reset, timeout).
  virtual bool write_all(std::string_view bytes) = 0;
  // Ends our side cleanly: TLS close_notify (if TLS), then a TCP FIN.
  virtual void finish() = 0;
  int fd() const { return fd_; }

 protected:
  explicit Stream(int fd) : fd_(fd) {}
  int fd_;
};

// Writes all of `bytes` to a plain socket with MSG_NOSIGNAL, retrying on EINTR.
// False when the peer is gone or the socket failed.
bool send_all(int fd, std::string_view bytes);

// A plain TCP stream over `fd`.
std::unique_ptr<Stream> make_tcp_stream(int fd);

// A TLS stream over `fd` for an SSL object whose handshake has completed. `ssl` must
// have been attached to `fd` with attach_nosigpipe_bio().
std::unique_ptr<Stream> make_tls_stream(int fd, SslPtr ssl);

// Connects `ssl` to socket `fd` through a BIO that sends with MSG_NOSIGNAL.
// Returns false when the BIO cannot be created.
bool attach_nosigpipe_bio(SSL* ssl, int fd);

}  // namespace pageload::lab

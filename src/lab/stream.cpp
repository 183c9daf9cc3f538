#include "lab/stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstdint>

namespace pageload::lab {
namespace {

long recv_retrying(int fd, char* data, std::size_t size) {
  for (;;) {
    ssize_t n = ::recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    return static_cast<long>(n);
  }
}


class TcpStream final : public Stream {
 public:
  explicit TcpStream(int fd) : Stream(fd) {}
  long read(char* data, std::size_t size) override { return recv_retrying(fd_, data, size); }
  bool write_all(std::string_view bytes) override { return send_all(fd_, bytes); }
  void finish() override { ::shutdown(fd_, SHUT_WR); }
};

class TlsStream final : public Stream {
 public:
  TlsStream(int fd, SslPtr ssl) : Stream(fd), ssl_(std::move(ssl)) {}
  long read(char* data, std::size_t size) override {
    ERR_clear_error();
    int n = SSL_read(ssl_.get(), data, static_cast<int>(size > INT_MAX ? INT_MAX : size));
    if (n > 0) return n;
    int err = SSL_get_error(ssl_.get(), n);
    // A peer that closes without close_notify is an end of stream too, for our purposes.
    if (err == SSL_ERROR_ZERO_RETURN) return 0;
    return -1;
  }
  bool write_all(std::string_view bytes) override {
    while (!bytes.empty()) {
      ERR_clear_error();
      int chunk = static_cast<int>(bytes.size() > (1u << 20) ? (1u << 20) : bytes.size());
      int n = SSL_write(ssl_.get(), bytes.data(), chunk);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  void finish() override {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // sends close_notify; we do not wait for the peer's
    ::shutdown(fd_, SHUT_WR);
  }

 private:
  SslPtr ssl_;
};

// --- A socket BIO whose writes use MSG_NOSIGNAL. The fd lives in the BIO's data. ---

int fd_of(BIO* bio) { return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

// Whether a failed call on a non-blocking socket only has to wait (the HTTP/2 loop's
// sockets). On a blocking socket EAGAIN means SO_RCVTIMEO/SO_SNDTIMEO ran out, which
// stays a hard error.
bool would_block(int fd) {
  if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
  int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && (flags & O_NONBLOCK) != 0;
}

int bio_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  for (;;) {
    ssize_t n = ::send(fd_of(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && would_block(fd_of(bio))) BIO_set_retry_write(bio);
    return static_cast<int>(n);
  }
}

int bio_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  // Timeouts (SO_RCVTIMEO) are deliberately reported as hard errors, not retries.
  long n = recv_retrying(fd_of(bio), data, static_cast<std::size_t>(size));
  if (n < 0 && would_block(fd_of(bio))) BIO_set_retry_read(bio);
  return static_cast<int>(n);
}

int bio_puts(BIO* bio, const char* text) {
  return bio_write(bio, text, static_cast<int>(std::string_view(text).size()));
}

long bio_ctrl(BIO*, int cmd, long, void*) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // unbuffered
    default:
      return 0;
  }
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int bio_destroy(BIO*) { return 1; }  // the socket is not ours to close

// Never freed: a connection thread may still free its SSL (and so this method's BIOs)
// while the process exits, after a function-local static's destructor would have run.
const BIO_METHOD* nosigpipe_method() {
  static const BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "pageload-lab-socket");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_puts(m, bio_puts);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    BIO_meth_set_destroy(m, bio_destroy);
    return m;
  }();
  return method;
}

}  // namespace

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::unique_ptr<Stream> make_tcp_stream(int fd) { return std::make_unique<TcpStream>(fd); }

std::unique_ptr<Stream> make_tls_stream(int fd, SslPtr ssl) {
  return std::make_unique<TlsStream>(fd, std::move(ssl));
}

bool attach_nosigpipe_bio(SSL* ssl, int fd) {
  const BIO_METHOD* method = nosigpipe_method();
  if (method == nullptr) return false;
  BIO* bio = BIO_new(method);
  if (bio == nullptr) return false;
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  SSL_set_bio(ssl, bio, bio);  // ssl owns the BIO (one reference for both directions)
  return true;
}

}  // namespace pageload::lab

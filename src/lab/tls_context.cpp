#include "lab/tls_context.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "lab/query.h"

namespace pageload::lab {
namespace {

// ALPN protocol lists (length-prefixed names), in the server's order of preference.
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kAlpnH2Http11[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// The context's session-ID context: OpenSSL refuses to resume a session on a connection
// that verifies the client (client-cert names) without one.
constexpr unsigned char kSessionIdContext[] = "pageload-lab";

// The host name of a ClientHello's server_name extension (RFC 6066 3), or "".
std::string_view client_hello_server_name(SSL* ssl) {
  const unsigned char* p = nullptr;
  size_t len = 0;
  if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &p, &len) != 1 || len < 5) return {};
  // list length (2), name type (1: 0 = host_name), name length (2), name.
  const size_t list = (static_cast<size_t>(p[0]) << 8) | p[1];
  if (list + 2 != len || p[2] != TLSEXT_NAMETYPE_host_name) return {};
  const size_t name = (static_cast<size_t>(p[3]) << 8) | p[4];
  if (5 + name > len) return {};
  return std::string_view(reinterpret_cast<const char*>(p + 5), name);
}

// Index of the per-SSL StopFlag pointer.
int stop_flag_index() {
  static int index = [] { return SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr); }();
  return index;
}

}  // namespace

std::string_view selected_alpn(const SSL* ssl) {
  const unsigned char* name = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl, &name, &length);
  if (name == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(name), length);
}

// The server's first protocol that the client also offers (SSL_select_next_proto walks
// the server's list first).
int TlsServerContext::on_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                              unsigned int inlen, void* self) {
  bool h2 = static_cast<const TlsServerContext*>(self)->offer_ == AlpnOffer::kH2AndHttp11;
  const unsigned char* ours = h2 ? kAlpnH2Http11 : kAlpnHttp11;
  unsigned int ours_size = h2 ? sizeof kAlpnH2Http11 : sizeof kAlpnHttp11;
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, ours, ours_size, in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // nothing in common: carry on without ALPN
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

int tls_delay_ms(std::string_view server_name) {
  constexpr std::string_view kLabel = "tls-delay-";
  while (!server_name.empty()) {
    std::size_t dot = server_name.find('.');
    std::string_view label = server_name.substr(0, dot);
    if (label.size() > kLabel.size() && label.substr(0, kLabel.size()) == kLabel)
      if (auto ms = parse_clamped(label.substr(kLabel.size()), 0, 60'000)) return static_cast<int>(*ms);
    if (dot == std::string_view::npos) break;
    server_name.remove_prefix(dot + 1);
  }
  return 0;
}

bool has_label(std::string_view server_name, std::string_view label) {
  while (!server_name.empty()) {
    std::size_t dot = server_name.find('.');
    std::string_view here = server_name.substr(0, dot);
    if (here.size() == label.size() &&
        std::equal(here.begin(), here.end(), label.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return true;
    if (dot == std::string_view::npos) break;
    server_name.remove_prefix(dot + 1);
  }
  return false;
}

int TlsServerContext::on_client_hello(SSL* ssl, int*, void*) {
  std::string_view name = client_hello_server_name(ssl);
  // Only P-256: a client whose key share is X25519 (OpenSSL's and curl's default) is
  // asked again (TLS 1.3 HelloRetryRequest); in TLS 1.2 it simply agrees on P-256.
  if (has_label(name, "hello-retry") && SSL_set1_groups_list(ssl, "P-256") != 1) return SSL_CLIENT_HELLO_ERROR;
  // A client certificate is required, and none is trusted: the server asks for one
  // (CertificateRequest) and refuses the handshake without it.
  if (has_label(name, "client-cert"))
    SSL_set_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return SSL_CLIENT_HELLO_SUCCESS;
}

StatusOr<std::shared_ptr<TlsServerContext>> TlsServerContext::create(std::shared_ptr<LabCertificates> certs,
                                                                     AlpnOffer offer, TlsVersions versions) {
  auto context = std::shared_ptr<TlsServerContext>(new TlsServerContext());
  context->certs_ = std::move(certs);
  context->offer_ = offer;
  context->ctx_.reset(SSL_CTX_new(TLS_server_method()));
  SSL_CTX* ctx = context->ctx_.get();
  if (ctx == nullptr) return Status(Code::kInternal, "lab TLS: SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (versions == TlsVersions::kTls12Only) SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1);
  SSL_CTX_set_client_hello_cb(ctx, &TlsServerContext::on_client_hello, nullptr);
  SSL_CTX_set_alpn_select_cb(ctx, &TlsServerContext::on_alpn, context.get());
  // The HTTP/2 connection loop writes from a buffer that grows while a write waits.
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // The certificate is chosen per connection, once the ClientHello's SNI is known.
  SSL_CTX_set_cert_cb(ctx, &TlsServerContext::on_certificate, context.get());
  stop_flag_index();
  return context;
}

SslPtr TlsServerContext::new_session(int fd, const StopFlag* stop) const {
  SslPtr ssl(SSL_new(ctx_.get()));
  if (!ssl) return nullptr;
  SSL_set_ex_data(ssl.get(), stop_flag_index(), const_cast<StopFlag*>(stop));
  if (!attach_nosigpipe_bio(ssl.get(), fd)) return nullptr;
  return ssl;
}

// Runs during the handshake after the ClientHello is parsed and before the server's
// first flight, so a sleep here lengthens the client's TLS phase.
int TlsServerContext::on_certificate(SSL* ssl, void* self) {
  auto* context = static_cast<TlsServerContext*>(self);
  const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  std::string_view name = sni != nullptr ? sni : "";
  if (int delay = tls_delay_ms(name); delay > 0) {
    auto* stop = static_cast<const StopFlag*>(SSL_get_ex_data(ssl, stop_flag_index()));
    if (stop == nullptr) std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    else if (!stop->sleep_for(std::chrono::milliseconds(delay))) return 0;  // stopping: fail
  }
  auto identity = context->certs_->identity_for(name);
  if (!identity) return 0;
  // SSL_use_* take their own references, so the identity may go out of scope.
  if (SSL_use_certificate(ssl, identity->cert.get()) != 1) return 0;
  if (SSL_use_PrivateKey(ssl, identity->key.get()) != 1) return 0;
  return 1;
}

}  // namespace pageload::lab

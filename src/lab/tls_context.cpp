#include "lab/tls_context.h"

#include <chrono>
#include <thread>

#include "lab/query.h"

namespace pageload::lab {
namespace {

constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

// Index of the per-SSL StopFlag pointer.
int stop_flag_index() {
  static int index = [] { return SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr); }();
  return index;
}

int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
                void*) {
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kAlpnHttp11, sizeof kAlpnHttp11, in, inlen) !=
      OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // e.g. only h2 offered: carry on without ALPN
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

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

StatusOr<std::shared_ptr<TlsServerContext>> TlsServerContext::create(std::shared_ptr<LabCertificates> certs) {
  auto context = std::shared_ptr<TlsServerContext>(new TlsServerContext());
  context->certs_ = std::move(certs);
  context->ctx_.reset(SSL_CTX_new(TLS_server_method()));
  SSL_CTX* ctx = context->ctx_.get();
  if (ctx == nullptr) return Status(Code::kInternal, "lab TLS: SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
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

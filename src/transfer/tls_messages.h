// Names what OpenSSL's message callback (SSL_CTX_set_msg_callback) reports: each TLS
// handshake message, ChangeCipherSpec and alert as a TlsStep. The bytes are the message
// as OpenSSL parsed or built it (TLS 1.3's encrypted handshake messages decrypted), so
// they are well-formed by the time they get here; still, nothing is read past `bytes`.
#pragma once

#include <optional>
#include <string_view>

#include "pageload/result.h"

namespace pageload::transfer {

// OpenSSL's content types (SSL3_RT_*), as the callback reports them.
inline constexpr int kContentChangeCipherSpec = 20;
inline constexpr int kContentAlert = 21;
inline constexpr int kContentHandshake = 22;
inline constexpr int kRecordHeader = 256;  // SSL3_RT_HEADER: a record's 5-byte header

// The step one callback reports, without its time (at_ms) or after_handshake; nullopt
// for what is no message of its own: record headers, TLS 1.3's inner content type,
// application data, and an empty or cut-short message. One exception: OpenSSL 3.0
// reports a ChangeCipherSpec it receives only by its record's header (content type 20),
// so a received record header of that type is the ChangeCipherSpec step (its bytes the
// record's length).
std::optional<TlsStep> describe_tls_message(bool sent, int content_type, std::string_view bytes);

// The name of handshake message type `type` (RFC 8446 4, RFC 5246 7.4): "ClientHello";
// "Handshake(N)" for a type without one. A ServerHello that is a HelloRetryRequest is
// told apart by describe_tls_message, which sees its random.
std::string handshake_message_name(int type);

}  // namespace pageload::transfer

#include "transfer/tls_messages.h"

#include <algorithm>
#include <array>

#include "core/tls_handshake.h"

namespace pageload::transfer {
namespace {

// RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello whose random is SHA-256 of
// "HelloRetryRequest".
constexpr std::array<unsigned char, 32> kHelloRetryRandom{
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

constexpr int kServerHello = 2;
// type (1), length (3), legacy_version (2), then the random.
constexpr std::size_t kRandomOffset = 6;

bool is_hello_retry(std::string_view bytes) {
  if (bytes.size() < kRandomOffset + kHelloRetryRandom.size()) return false;
  return std::equal(kHelloRetryRandom.begin(), kHelloRetryRandom.end(),
                    reinterpret_cast<const unsigned char*>(bytes.data()) + kRandomOffset);
}

}  // namespace

std::string handshake_message_name(int type) {
  switch (type) {
    case 0: return "HelloRequest";
    case 1: return "ClientHello";
    case 2: return "ServerHello";
    case 3: return "HelloVerifyRequest";
    case 4: return "NewSessionTicket";
    case 5: return "EndOfEarlyData";
    case 8: return "EncryptedExtensions";
    case 11: return "Certificate";
    case 12: return "ServerKeyExchange";
    case 13: return "CertificateRequest";
    case 14: return "ServerHelloDone";
    case 15: return "CertificateVerify";
    case 16: return "ClientKeyExchange";
    case 20: return "Finished";
    case 21: return "CertificateURL";
    case 22: return "CertificateStatus";
    case 23: return "SupplementalData";
    case 24: return "KeyUpdate";
    case 25: return "CompressedCertificate";
    case 254: return "MessageHash";
    default: return "Handshake(" + std::to_string(type) + ")";
  }
}

std::optional<TlsStep> describe_tls_message(bool sent, int content_type, std::string_view bytes) {
  TlsStep step;
  step.direction = sent ? TlsStep::Direction::kSent : TlsStep::Direction::kReceived;
  step.bytes = static_cast<int64_t>(bytes.size());
  switch (content_type) {
    case kContentHandshake: {
      if (bytes.empty()) return std::nullopt;
      const int type = static_cast<unsigned char>(bytes[0]);
      step.message = type == kServerHello && is_hello_retry(bytes) ? "HelloRetryRequest" : handshake_message_name(type);
      return step;
    }
    case kContentChangeCipherSpec:
      if (bytes.empty()) return std::nullopt;
      step.message = "ChangeCipherSpec";
      return step;
    case kContentAlert:
      if (bytes.size() < 2) return std::nullopt;
      step.message = "Alert";
      step.fatal = static_cast<unsigned char>(bytes[0]) == 2;
      step.alert = tls_alert_name(static_cast<unsigned char>(bytes[1]));
      return step;
    case kRecordHeader:
      // type (1), version (2), length (2)
      if (sent || bytes.size() < 5 || static_cast<unsigned char>(bytes[0]) != kContentChangeCipherSpec)
        return std::nullopt;
      step.message = "ChangeCipherSpec";
      step.bytes = (static_cast<unsigned char>(bytes[3]) << 8) | static_cast<unsigned char>(bytes[4]);
      return step;
    default:
      return std::nullopt;  // inner content type (257), data
  }
}

}  // namespace pageload::transfer

// Error codes and the Status value that carries them.
//
// Expected failures (NXDOMAIN, refused, bad certificate...) are data: they travel as a
// Status inside results, are stored and drawn. Codes are grouped by origin so callers
// compare codes, never message strings. Each code has one stable name (stored in the
// database as `error_class`) and one exit status.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace pageload {

// Where a failure came from.
enum class Origin {
  kNone,     // no failure
  kServer,   // what a server answered: DNS rcode, certificate, HTTP protocol
  kNetwork,  // the path: refused, reset, unreachable, timeout
  kLocal,    // our side: database, file system, out of memory, internal
  kUsage,    // what the user gave us: bad URL, bad flag
};

enum class Code {
  kOk = 0,
  // DNS (server answers and network)
  kDnsNxdomain,      // name does not exist
  kDnsServfail,      // server failed
  kDnsNoData,        // name exists, no record of the wanted family
  kDnsRefused,       // server refused the query
  kDnsTimeout,       // no answer in time
  kDnsBadReply,      // malformed or truncated reply
  kDnsError,         // any other resolver failure
  // DNS walked from the root (--dns-trace)
  kDnsLameDelegation,  // every server a zone was delegated to refused it or did not answer for it
  kDnsUnreachable,     // every server of a zone was silent or unreachable
  kDnsReferralLoop,    // the referrals (or the name servers' own names) lead back where they came from
  kDnsTooDeep,         // a CNAME chain or name-server lookups deeper than the walk's bounds
  // Connect
  kConnectRefused,
  kConnectTimeout,
  kConnectUnreachable,
  kConnectError,
  // TLS
  kTlsCertExpired,
  kTlsCertUntrusted,   // self-signed, unknown CA
  kTlsCertHostname,    // certificate does not match the host name
  kTlsHandshake,       // handshake failed or was cut off
  kTlsAlert,           // the server refused the handshake with a fatal alert
  // HTTP exchange
  kSendError,
  kRecvError,          // reset or closed mid-response
  kProtocolError,      // malformed response
  kTimeout,            // --max-time reached
  kTooLarge,           // --max-filesize reached
  // Redirects
  kRedirectLoop,
  kTooManyRedirects,
  kBadRedirect,        // Location missing, unparsable or to an unsupported scheme
  // The user stopped it
  kInterrupted,        // SIGINT (Ctrl-C) or SIGTERM ended the load
  // Usage
  kBadUrl,
  kUsage,
  // Local
  kDatabase,
  kFile,
  kLocalResource,      // the machine ran out: no file descriptor (EMFILE, ENFILE), buffers
  kInternal,
};

struct CodeInfo {
  Code code;
  std::string_view name;  // stable identifier, stored as error_class
  Origin origin;
  int exit_status;        // the process exit status a run failing with this code gets
};

// The table row for a code; every enumerator has one.
const CodeInfo& code_info(Code code);
// The code whose name is `name`, or kInternal if none.
Code code_from_name(std::string_view name);
std::string_view code_name(Code code);

// Exit statuses (README "Exit status").
inline constexpr int kExitOk = 0;
inline constexpr int kExitHttpError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNetwork = 3;
inline constexpr int kExitLocal = 4;
// Interrupted by a signal: 128 + its number, as shells report it (130 for SIGINT).
inline constexpr int kExitInterrupted = 130;

// A cheap result value: ok(), or a code with a human message. Copyable.
class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string_view name() const { return code_name(code_); }
  Origin origin() const { return code_info(code_).origin; }
  int exit_status() const { return code_info(code_).exit_status; }
  // "name: message", for one-line error output.
  std::string to_string() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}                 // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {}         // NOLINT: must not be ok
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace pageload

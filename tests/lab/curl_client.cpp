#include "curl_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace pageload::lab::testing {
namespace {

// Every *.test name the tests use, pinned to the lab (no DNS needed).
const char* const kNames[] = {"a.test", "b.test", "c.test", "expired.test", "wronghost.test",
                              "selfsigned.test", "untrusted.test", "tls-delay-300.test", "localhost",
                              "www.test", "widgets.delay-300.test"};  // names the pages use

struct BodySink {
  std::string* body;
  long abort_after;
};

size_t append_body(char* data, size_t size, size_t n, void* out) {
  auto* sink = static_cast<BodySink*>(out);
  sink->body->append(data, size * n);
  if (sink->abort_after >= 0 && sink->body->size() >= static_cast<size_t>(sink->abort_after)) return 0;
  return size * n;
}

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

int debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* out) {
  if (type == CURLINFO_TEXT) {
    std::string line(data, size);
    auto* fetch = static_cast<Fetch*>(out);
    fetch->trace += line;
    const std::string marker = "ALPN: server accepted ";
    const std::string marker_old = "ALPN, server accepted to use ";
    for (const auto& m : {marker, marker_old}) {
      auto pos = line.find(m);
      if (pos != std::string::npos) {
        fetch->alpn = line.substr(pos + m.size());
        while (!fetch->alpn.empty() && std::isspace(static_cast<unsigned char>(fetch->alpn.back())))
          fetch->alpn.pop_back();
      }
    }
  }
  return 0;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::optional<std::string> Fetch::find_header(const std::string& name) const {
  // Heads are separated by blank lines; the last non-empty block is the final response.
  std::string last;
  for (size_t pos = 0; pos < head.size();) {
    size_t end = head.find("\r\n\r\n", pos);
    std::string block = head.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (!block.empty()) last = block;
    if (end == std::string::npos) break;
    pos = end + 4;
  }
  std::string want = lower(name) + ":";
  size_t pos = 0;
  while (pos < last.size()) {
    size_t nl = last.find("\r\n", pos);
    std::string line = last.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (lower(line.substr(0, want.size())) == want) {
      std::string value = line.substr(want.size());
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      return value;
    }
    if (nl == std::string::npos) break;
    pos = nl + 2;
  }
  return std::nullopt;
}

std::string Fetch::header(const std::string& name) const { return find_header(name).value_or(""); }

Client::Client(std::string ca_file, std::vector<int> ports) : curl_(curl_easy_init()), ca_file_(std::move(ca_file)) {
  for (int port : ports)
    for (const char* name : kNames)
      resolve_ = curl_slist_append(resolve_, (std::string(name) + ":" + std::to_string(port) + ":127.0.0.1").c_str());
}

Client::~Client() {
  curl_easy_cleanup(curl_);
  curl_slist_free_all(resolve_);
}

struct Client::Transfer {
  Fetch fetch;
  char error[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  BodySink sink{nullptr, -1};
  ~Transfer() { curl_slist_free_all(headers); }
};

void Client::configure(CURL* curl, Transfer& t, const std::string& url, const FetchOptions& options) {
  for (const auto& h : options.headers) t.headers = curl_slist_append(t.headers, h.c_str());
  t.sink = BodySink{&t.fetch.body, options.abort_after_bytes};
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve_);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t.sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t.fetch.head);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (!ca_file_.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options.verify ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options.verify ? 2L : 0L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, options.follow ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &t.fetch);
  if (options.http_version != 0) curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, options.http_version);
  if (!options.accept_encoding.empty()) curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, options.accept_encoding.c_str());
  if (options.has_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, options.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(options.body.size()));
  }
  if (!options.method.empty()) curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, options.method.c_str());
  if (options.head_request) curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (t.headers != nullptr) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, t.headers);
}

void Client::collect(CURL* curl, Transfer& t) {
  Fetch& f = t.fetch;
  f.error = t.error;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &f.status);
  curl_easy_getinfo(curl, CURLINFO_SSL_VERIFYRESULT, &f.verify_result);
  curl_easy_getinfo(curl, CURLINFO_REDIRECT_COUNT, &f.redirects);
  curl_easy_getinfo(curl, CURLINFO_HTTP_VERSION, &f.http_version);
  curl_off_t v = 0;
  curl_easy_getinfo(curl, CURLINFO_APPCONNECT_TIME_T, &v);
  f.appconnect_ms = static_cast<double>(v) / 1000.0;
  curl_easy_getinfo(curl, CURLINFO_PRETRANSFER_TIME_T, &v);
  f.pretransfer_ms = static_cast<double>(v) / 1000.0;
  curl_easy_getinfo(curl, CURLINFO_STARTTRANSFER_TIME_T, &v);
  f.starttransfer_ms = static_cast<double>(v) / 1000.0;
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &v);
  f.total_ms = static_cast<double>(v) / 1000.0;
  curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &f.size_download);
  char* effective = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective != nullptr) f.effective_url = effective;
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
}

Fetch Client::fetch(const std::string& url, const FetchOptions& options) {
  Transfer t;
  curl_easy_reset(curl_);  // keeps the connection cache
  configure(curl_, t, url, options);
  t.fetch.code = curl_easy_perform(curl_);
  collect(curl_, t);
  return std::move(t.fetch);
}

std::vector<Fetch> Client::fetch_all(const std::vector<std::string>& urls, const FetchOptions& options) {
  CURLM* multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
  std::vector<std::unique_ptr<Transfer>> transfers;
  std::vector<CURL*> handles;
  for (const auto& url : urls) {
    transfers.push_back(std::make_unique<Transfer>());
    CURL* easy = curl_easy_init();
    configure(easy, *transfers.back(), url, options);
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfers.back().get());
    handles.push_back(easy);
    curl_multi_add_handle(multi, easy);
  }
  auto start = std::chrono::steady_clock::now();
  int running = 1;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      t->fetch.code = msg->data.result;
      t->fetch.done_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  std::vector<Fetch> out;
  for (std::size_t i = 0; i < handles.size(); ++i) {
    collect(handles[i], *transfers[i]);
    curl_multi_remove_handle(multi, handles[i]);
    curl_easy_cleanup(handles[i]);
    out.push_back(std::move(transfers[i]->fetch));
  }
  curl_multi_cleanup(multi);
  return out;
}

}  // namespace pageload::lab::testing

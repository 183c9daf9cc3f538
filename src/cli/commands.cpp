#include "cli/commands.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <set>

#include "cli/curl_headers.h"
#include "cli/group_output.h"
#include "cli/output.h"
#include "cli/parse.h"
#include "cli/run_sink.h"
#include "cli/url_feed.h"
#include "cli/write_out.h"
#include "core/file.h"
#include "core/header_removal.h"
#include "core/redact.h"
#include "core/resources.h"
#include "core/url.h"
#include "cache/http_cache.h"
#include "har/har_export.h"
#include "har/har_import.h"
#include "loader/loader.h"
#include "loader/redirect.h"
#include "report/html.h"
#include "store/http_cache_file.h"
#include "store/store.h"
#include "transfer/cookie_jar.h"
#include "transfer/proxy.h"
#include "transfer/transfer.h"

namespace pageload::cli {

int fail(const Status& status) {
  // One line, whatever the message quotes (a -H value with a line break, a 20 KB URL),
  // and no password of a URL it quotes, even one that does not parse.
  std::cerr << "pageload: " << safe(redact_text(status.message()), 300) << "\n";
  return status.exit_status();
}

std::string database_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("PAGELOAD_DB"); env && *env) return env;
  return "pageload.db";
}

Status refuse_database(const std::string& flag, const std::string& path, const std::string& db) {
  if (path.empty() || path == "-") return Status::Ok();
  std::error_code ec;
  const auto canonical = [&ec](const std::string& p) { return std::filesystem::weakly_canonical(p, ec); };
  struct stat out {};
  const bool out_exists = ::stat(path.c_str(), &out) == 0;
  const auto out_name = canonical(path);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    const std::string file = db + suffix;
    struct stat st {};
    const bool same_file = out_exists && ::stat(file.c_str(), &st) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino;
    if (same_file || (!ec && out_name == canonical(file)))
      return Status(Code::kUsage, flag + " " + path + ": that is the database" +
                                      (*suffix ? std::string(" (its ") + (suffix + 1) + " file)" : std::string()) +
                                      " (" + db + "): writing it would destroy every stored run; name another file");
  }
  return Status::Ok();
}

namespace {

// -d @FILE and --data-binary @FILE, as curl reads them ('@-': standard input): -d
// drops carriage returns and line feeds, --data-binary keeps every byte.
Status read_body(RunCommand& cmd) {
  const bool binary = !cmd.data_binary.empty();
  std::vector<RunCommand::DataPart> parts = cmd.raw_data;
  for (const std::string& part : cmd.data_binary) parts.push_back({part, true});
  if (parts.empty()) return Status::Ok();
  const std::string flag = binary ? "--data-binary" : "-d";
  std::string data;
  for (const auto& [part, reads_file] : parts) {
    if (!data.empty()) data += '&';
    if (!reads_file || part.empty() || part.front() != '@') {
      data += part;
      continue;
    }
    const std::string name = part.substr(1);
    if (name == "-" && cmd.input == "-")
      return Status(Code::kUsage, flag + " @- and --input - cannot both read standard input");
    std::ifstream file;
    if (name != "-") file.open(name, std::ios::binary);
    std::istream& in = name == "-" ? std::cin : file;
    if (name != "-" && !file)
      return Status(Code::kUsage, flag + " @" + name + ": cannot read " + name + ": " + std::strerror(errno));
    std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return Status(Code::kUsage, flag + " @" + name + ": cannot read " + name);
    if (!binary) std::erase_if(body, [](char c) { return c == '\r' || c == '\n'; });
    data += body;
  }
  cmd.options.data = std::move(data);
  return Status::Ok();
}

// -H @FILE (curl 7.55): a header per line of FILE ('@-': standard input); line ends
// (CRLF too) are not part of them, empty lines are skipped.
StatusOr<std::vector<std::string>> read_header_file(const std::string& name, const std::string& input) {
  if (name == "-" && input == "-") return Status(Code::kUsage, "-H @- and --input - cannot both read standard input");
  std::ifstream file;
  if (name != "-") file.open(name, std::ios::binary);
  std::istream& in = name == "-" ? std::cin : file;
  if (name != "-" && !file)
    return Status(Code::kUsage, "-H @" + name + ": cannot read " + name + ": " + std::strerror(errno));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
  }
  if (in.bad()) return Status(Code::kUsage, "-H @" + name + ": cannot read " + name);
  return lines;
}

// FORMAT, or the contents of FILE for @FILE ('@-': standard input), as curl's -w reads it.
StatusOr<std::string> read_write_out(const std::string& text, const std::string& input) {
  if (text.empty() || text.front() != '@') return text;
  const std::string name = text.substr(1);
  if (name == "-" && input == "-") return Status(Code::kUsage, "-w @- and --input - cannot both read standard input");
  std::ifstream file;
  if (name != "-") file.open(name, std::ios::binary);
  std::istream& in = name == "-" ? std::cin : file;
  if (name != "-" && !file) return Status(Code::kUsage, "-w @" + name + ": cannot read " + name + ": " + std::strerror(errno));
  return std::string{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// curl's flags (README "For curl users") as load options; kUsage on the first bad one.
Status complete_curl_options(RunCommand& cmd) {
  LoadOptions& o = cmd.options;
  for (const std::string& raw : cmd.raw_cookies) {
    // As curl: a value with '=' is cookies to send, anything else a file to read.
    if (raw.find('=') != std::string::npos) {
      if (raw.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
        return Status(Code::kUsage, "-b cookies must not contain a line break");
      o.cookie += (o.cookie.empty() ? "" : "; ") + raw;
      continue;
    }
    // curl's idioms: -b '' turns the cookie engine on with an empty jar (pageload's is always
    // on), and -b FILE -c FILE starts a session whose FILE does not exist yet.
    if (raw.empty()) continue;
    if (raw == cmd.cookie_jar && !std::filesystem::exists(raw)) continue;
    auto lines = transfer::read_cookie_file(raw);
    if (!lines.ok()) return Status(Code::kUsage, lines.status().message());
    o.cookies.insert(o.cookies.end(), lines.value().begin(), lines.value().end());
  }
  if (cmd.head) {
    if (o.data) return Status(Code::kUsage, "-I sends HEAD, which has no body: leave out -d/--data-binary");
    if (o.method.empty()) o.method = "HEAD";
    o.document_only = true;  // a HEAD response names nothing: the document's chain is all there is
  }
  if (cmd.user) {
    auto header = parse_user(*cmd.user);
    if (!header.ok()) return header.status();
    // As curl: a -H 'Authorization: ...' replaces the header -u would make (one
    // Authorization, the user's own), though -u is still checked.
    // (-H 'Authorization:' leaves both out, as in curl.)
    const bool own = std::any_of(o.headers.begin(), o.headers.end(),
                                 [](const Header& h) { return iequals(h.first, "authorization"); });
    if (!own) o.headers.push_back(header.value());
  }
  if (cmd.proxy_user) {
    auto user = parse_proxy_user(*cmd.proxy_user);
    if (!user.ok()) return user.status();
    o.proxy_user = user.value();
  }
  // curl's -e 'URL;auto': the URL on the first hop, the hop before's URL on each redirect.
  if (constexpr std::string_view kAuto = ";auto"; o.referer.size() >= kAuto.size() &&
                                                   o.referer.compare(o.referer.size() - kAuto.size(), kAuto.size(), kAuto) == 0) {
    o.referer.resize(o.referer.size() - kAuto.size());
    o.referer_auto = true;
  }
  if (o.referer.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
    return Status(Code::kUsage, "-e must not contain a line break");
  if (cmd.write_out) {
    auto format = read_write_out(*cmd.write_out, cmd.input);
    if (!format.ok()) return format.status();
    if (Status s = check_write_out(format.value()); !s.ok()) return s;
    cmd.write_out = format.value();
  }
  return Status::Ok();
}

// Validates and converts the raw flag strings; kUsage on the first bad one.
// Standard input can be read once: two of -d @-, --data-binary @-, -H @-, -w @-, -b - and
// --input - would leave the second with nothing, silently.
Status check_one_stdin_reader(const RunCommand& cmd) {
  std::vector<std::string> readers;
  for (const auto& [part, reads_file] : cmd.raw_data)
    if (reads_file && part == "@-") readers.push_back("-d @-");
  for (const std::string& part : cmd.data_binary)
    if (part == "@-") readers.push_back("--data-binary @-");
  for (const std::string& raw : cmd.raw_headers)
    if (raw == "@-") readers.push_back("-H @-");
  if (cmd.write_out && *cmd.write_out == "@-") readers.push_back("-w @-");
  for (const std::string& raw : cmd.raw_cookies)
    if (raw == "-") readers.push_back("-b -");
  if (cmd.input == "-" && !readers.empty()) readers.push_back("--input -");
  readers.erase(std::unique(readers.begin(), readers.end()), readers.end());
  if (readers.size() < 2) return Status::Ok();
  return Status(Code::kUsage, readers[0] + " and " + readers[1] + " cannot both read standard input");
}

Status complete_options(RunCommand& cmd) {
  if (Status s = check_one_stdin_reader(cmd); !s.ok()) return s;
  if (Status s = read_body(cmd); !s.ok()) return s;
  std::vector<std::string> header_lines;
  for (const auto& raw : cmd.raw_headers) {
    if (raw.empty() || raw.front() != '@') {
      header_lines.push_back(raw);
      continue;
    }
    auto lines = read_header_file(raw.substr(1), cmd.input);
    if (!lines.ok()) return lines.status();
    header_lines.insert(header_lines.end(), lines.value().begin(), lines.value().end());
  }
  for (const auto& raw : header_lines) {
    auto h = parse_header(raw);
    if (!h.ok()) return h.status();
    cmd.options.headers.push_back(removes_header(raw) ? removed_header(h.value().first) : h.value());
  }
  for (const auto& raw : cmd.raw_resolve) {
    auto r = parse_resolve(raw);
    if (!r.ok()) return r.status();
    cmd.options.resolve.push_back(r.value());
  }
  for (const auto& raw : cmd.raw_connect_to) {
    auto c = parse_connect_to(raw);
    if (!c.ok()) return c.status();
    cmd.options.connect_to.push_back(c.value());
  }
  for (const auto& raw : cmd.raw_dns_servers) {
    auto s = parse_dns_server(raw);
    if (!s.ok()) return s.status();
    cmd.options.dns_servers.push_back(s.value());
  }
  for (const auto& raw : cmd.raw_dns_roots) {
    auto s = parse_dns_server(raw, "--dns-root");
    if (!s.ok()) return s.status();
    cmd.options.dns_roots.push_back(s.value());
  }
  // Every server of a walk is asked on the roots' port: one port for all of them.
  auto port_of = [](const std::string& server) -> std::string {
    if (!server.empty() && server.front() == '[') {
      auto close = server.find("]:");
      return close == std::string::npos ? "53" : server.substr(close + 2);
    }
    return std::count(server.begin(), server.end(), ':') == 1 ? server.substr(server.find(':') + 1) : "53";
  };
  for (const auto& root : cmd.options.dns_roots)
    if (std::stoi(port_of(root)) != std::stoi(port_of(cmd.options.dns_roots.front())))
      return Status(Code::kUsage, "--dns-root servers must share one port (every server of the walk is asked on it): " +
                                      cmd.options.dns_roots.front() + " and " + root);
  if (!cmd.options.dns_roots.empty() && !cmd.options.dns_trace)
    return Status(Code::kUsage, "--dns-root names the root servers of --dns-trace: add --dns-trace");
  if (cmd.options.dns_trace && !cmd.options.dns_servers.empty())
    return Status(Code::kUsage, "--dns-trace asks the root servers itself, not a resolver: leave out --dns-server "
                                "(--dns-root names the roots)");
  if (Status s = check_user_agent(cmd.options.user_agent); !s.ok()) return s;
  if (Status s = complete_curl_options(cmd); !s.ok()) return s;
  // libcurl would obey these on its own; pageload decides from them and says so. An empty
  // one is not set, as curl_getenv() reads it: `https_proxy= HTTPS_PROXY=URL` uses URL.
  for (std::string_view name : kProxyVariables)
    if (const char* value = std::getenv(std::string(name).c_str()); value && *value)
      cmd.options.proxy_env[std::string(name)] = value;
  // A proxy pageload cannot use (socks, https://) or whose URL does not parse is refused
  // before anything is loaded, named by where it came from: -x or the variable.
  auto check_proxy = [](const std::string& p, const std::string& from, const std::string& hint) -> Status {
    if (std::string why = transfer::unsupported_proxy(p); !why.empty()) return Status(Code::kUsage, from + ": " + why + hint);
    const std::size_t host_at = p.find("://") == std::string::npos ? 0 : p.find("://") + 3;
    if (host_at >= p.size() || p[host_at] == '/' || p[host_at] == ':')
      return Status(Code::kUsage, from + ": no proxy host in '" + redact_url(p) + "'" + hint);
    // A proxy URL libcurl cannot parse (a bad port, a space) is bad input, as a bad URL is:
    // refused before anything is loaded or stored, not a failed run.
    const std::string as_url = host_at == 0 ? "http://" + p : p;
    if (auto parsed = parse_url(as_url); !parsed.ok()) {
      const std::string& why = parsed.status().message();
      const auto reason = why.rfind("': ");
      return Status(Code::kUsage, from + ": bad proxy URL '" + redact_url(p) + "'" +
                                      (reason == std::string::npos ? "" : ": " + why.substr(reason + 3)) + hint);
    }
    return Status::Ok();
  };
  if (cmd.options.proxy && !cmd.options.proxy->empty())
    if (Status s = check_proxy(*cmd.options.proxy, "-x/--proxy", ""); !s.ok()) return s;
  if (!cmd.options.proxy) {
    // The variable curl would take for each scheme a page may load (no_proxy may spare some
    // hosts, not every one, unless it is '*').
    const std::string* no = cmd.options.noproxy ? &*cmd.options.noproxy : nullptr;
    for (const char* name : {"no_proxy", "NO_PROXY"})
      if (!no)
        if (auto it = cmd.options.proxy_env.find(name); it != cmd.options.proxy_env.end()) no = &it->second;
    if (!no || *no != "*") {
      for (const char* scheme : {"http", "https"}) {
        Url any;
        any.scheme = scheme;
        auto p = transfer::proxy_for(any, cmd.options.proxy_env, std::nullopt);
        if (!p) continue;
        if (Status s = check_proxy(cmd.options.proxy_env.at(p->variable), p->variable,
                                   " (-x '' or --noproxy '*' loads without it)");
            !s.ok())
          return s;
      }
    }
  }
  if (!cmd.options.method.empty()) {
    // RFC 9110: a method is a token (M-SEARCH, VERSION-CONTROL).
    for (char c : cmd.options.method)
      if (!std::isalnum(static_cast<unsigned char>(c)) &&
          std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos)
        return Status(Code::kUsage, "bad request method '" + safe(cmd.options.method, 64) + "': not an HTTP token");
  }
  return Status::Ok();
}

// SIGINT and SIGTERM during `run`: the handler only writes the signal's number to a
// pipe; the event loop reads it and ends the loads in flight as interrupted, so what
// they measured is stored. The handler then reverts to the default, so a second Ctrl-C
// stops the process at once. The --input reader wakes the loop through the same pipe
// with a zero byte.
int g_signal_pipe = -1;

extern "C" void on_stop_signal(int signo) {
  const unsigned char byte = static_cast<unsigned char>(signo);
  if (g_signal_pipe >= 0) (void)!::write(g_signal_pipe, &byte, 1);
  std::signal(signo, SIG_DFL);
}

class StopSignals {
 public:
  StopSignals() {
    if (::pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) return;
    g_signal_pipe = fds_[1];
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    if (fds_[0] < 0) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    g_signal_pipe = -1;
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  // Empties the pipe: the signal received (0 if none, only input wake-ups).
  int drain() {
    unsigned char bytes[64];
    int signo = 0;
    for (ssize_t n; (n = ::read(fds_[0], bytes, sizeof bytes)) > 0;)
      for (ssize_t i = 0; i < n; ++i)
        if (bytes[i]) signo = bytes[i];
    return signo;
  }

 private:
  int fds_[2] = {-1, -1};
  struct sigaction old_int_ {}, old_term_ {};
};

// -o FILE and -D FILE up front, without creating or truncating anything: FILE must be a
// writable file, or a name a writable directory can take. kFile naming the reason.
Status check_writable(const std::string& flag, const std::string& path) {
  auto refused = [&](int error) {
    return Status(Code::kFile, flag + " " + path + ": cannot write " + path + ": " + std::strerror(error));
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return refused(EISDIR);
    return ::access(path.c_str(), W_OK) == 0 ? Status::Ok() : refused(errno);
  }
  if (errno != ENOENT) return refused(errno);
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  if (::stat(dir.c_str(), &st) != 0) return refused(errno == ENOENT ? ENOENT : errno);
  if (!S_ISDIR(st.st_mode)) return refused(ENOTDIR);
  return ::access(dir.c_str(), W_OK | X_OK) == 0 ? Status::Ok() : refused(errno);
}

// -c FILE: the jar as curl writes it ('-': standard output).
Status write_cookie_jar(const std::string& path, const std::vector<std::string>& lines) {
  const std::string text = transfer::CookieJar(lines).netscape_file();
  if (path == "-") {
    std::cout << text << std::flush;
    return std::cout ? Status::Ok() : Status(Code::kFile, "cannot write to standard output");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out << text << std::flush;
  if (!out) return Status(Code::kFile, "-c " + path + ": cannot write " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

// -n N: one URL, loaded N times one after another; the flags that name one file for one
// run cannot take N of them.
Status check_runs(const RunCommand& cmd) {
  if (cmd.urls.size() != 1 || !cmd.input.empty())
    return Status(Code::kUsage, "-n loads one page N times: give one URL (and no --input)");
  if (cmd.parallel > 1)
    return Status(Code::kUsage, "-n loads its runs one after another, as WebPageTest does: leave out --parallel");
  if (*cmd.runs == 1) return Status::Ok();
  // --no-html wins over --html: no report is written, so no file is named twice.
  if (!cmd.html.empty() && !cmd.no_html)
    return Status(Code::kUsage, "--html names one file, and -n " + std::to_string(*cmd.runs) +
                                    " writes a report per run (pageload-run-ID.html): leave it out, or add --no-html");
  if (!cmd.output.empty())
    return Status(Code::kUsage, "-o names one file for one document, and -n " + std::to_string(*cmd.runs) +
                                    " loads it " + std::to_string(*cmd.runs) + " times: leave it out");
  if (!cmd.cookie_jar.empty())
    return Status(Code::kUsage, "-c writes the cookie jar of one run, and -n " + std::to_string(*cmd.runs) +
                                    " makes " + std::to_string(*cmd.runs) + ": leave it out");
  // A group's runs are first views, and a first view starts with an empty cache: runs that
  // started from DIR's would be warm loads stored as first views.
  if (!cmd.cache_dir.empty() && !cmd.repeat_view)
    return Status(Code::kUsage, "-n " + std::to_string(*cmd.runs) + " with --cache would store warm loads as first "
                                    "views: add --repeat-view (each first view starts empty, its repeat view warm), "
                                    "or leave out --cache");
  return Status::Ok();
}

// The summaries stand where curl's body would be: on standard output, unless -o puts it in
// a file or -w asks for curl's outputs there; then on standard error, as curl's progress
// meter, so that code=$(pageload -o /dev/null -w '%{http_code}' URL) gets the code alone.
// --json is not a summary: its objects stay on standard output.
bool summary_on_stderr(const RunCommand& cmd) { return !cmd.json && (!cmd.output.empty() || cmd.write_out); }

// After the runs of `run -n`: the median run and the spread, as text or JSON (-q: nothing);
// with --repeat-view one block (one JSON line) per view, as WebPageTest gives a first-view
// and a repeat-view median: the views are never ranked together.
void print_group(int64_t group_id, std::vector<Run>& runs, const RunCommand& cmd) {
  if (cmd.quiet) return;
  std::ostream& out = summary_on_stderr(cmd) ? std::cerr : std::cout;
  const int fd = summary_on_stderr(cmd) ? STDERR_FILENO : STDOUT_FILENO;
  std::sort(runs.begin(), runs.end(),
            [](const Run& a, const Run& b) { return a.run_number.value_or(0) < b.run_number.value_or(0); });
  const auto by = cmd.options.document_only ? report::MedianBy::kDocument : report::MedianBy::kLoad;
  for (const RunView view : {RunView::kFirst, RunView::kRepeat}) {
    std::vector<const Run*> in_order;
    for (const Run& r : runs)
      if (r.view.value_or(RunView::kFirst) == view) in_order.push_back(&r);
    if (in_order.empty()) continue;
    const auto median = report::median_run(in_order, by);
    if (cmd.json) {
      std::cout << format_group_json(group_id, in_order, median, by, view) << "\n";
    } else {
      TableStyle style;
      style.width = output_width(fd);
      style.color = isatty(fd) && !std::getenv("NO_COLOR");
      const auto named = cmd.repeat_view ? std::optional<RunView>(view) : std::nullopt;
      out << "\n" << format_group(group_id, in_order, median, by, style, named);
    }
  }
  out.flush();
  std::cout.flush();
}

int worst(int a, int b) {
  // Failures outrank HTTP errors, which outrank success; local beats network.
  auto rank = [](int s) {
    return s == kExitOk ? 0 : s == kExitHttpError ? 1 : s == kExitUsage ? 2 : s == kExitNetwork ? 3 : s == kExitLocal ? 4 : 5;
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace

int run_command(RunCommand& cmd) {
  if (Status s = complete_options(cmd); !s.ok()) return fail(s);
  // Every URL of the command line is checked before anything is stored or loaded; so is
  // every line of an --input file (a stream is checked as it is read: url_feed.h).
  for (const auto& u : cmd.urls) {
    if (Status digit = check_curl_digit_flag(u); !digit.ok()) return fail(digit);
    if (auto parsed = parse_url(u); !parsed.ok()) return fail(parsed.status());
  }
  if (cmd.urls.empty() && cmd.input.empty())
    return fail(Status(Code::kUsage, "no URL given (pageload run URL..., or --input FILE)"));
  if (cmd.runs) {
    if (Status s = check_runs(cmd); !s.ok()) return fail(s);
    cmd.urls.assign(static_cast<std::size_t>(*cmd.runs), cmd.urls.front());
  }
  StopSignals signals;
  auto feed = UrlFeed::open(cmd.urls, cmd.input, signals.write_fd(), cmd.fail_early);
  if (!feed.ok()) return fail(feed.status());
  const std::optional<std::size_t> total = feed.value()->total();
  if (total == std::size_t{0} && feed.value()->bad_lines() == 0) return fail(Status(Code::kUsage, "no URL given: --input " + cmd.input + " has none"));
  if (!cmd.cookie_jar.empty() && total != std::size_t{1})
    return fail(Status(Code::kUsage, "-c writes the cookie jar of one run, and each run keeps its own: give one URL"));
  if (!cmd.output.empty() && total != std::size_t{1})
    return fail(Status(Code::kUsage, "-o names one file for one document: give one URL"));
  if (cmd.output == "-")
    return fail(Status(Code::kUsage, "-o -: pageload writes no body on standard output; name a file (-o /dev/null to discard)"));
  if (cmd.har == "-") {
    // The HAR is the standard output: the summaries are off (-q: errors still on stderr),
    // and nothing else may write there.
    if (cmd.json || cmd.include || cmd.head || cmd.write_out || cmd.dump_header == "-" || cmd.cookie_jar == "-")
      return fail(Status(Code::kUsage, "--har -: standard output holds the HAR; --json, -i, -I, -w, -D - and -c - "
                                       "write there too: name a file for one of them"));
    cmd.quiet = true;
  }
  // --json makes standard output a stream of JSON objects, one a line; curl's text there
  // would break every reader of it.
  if (cmd.json &&
      (cmd.include || cmd.head || cmd.write_out || cmd.dump_header == "-" || cmd.cookie_jar == "-"))
    return fail(Status(Code::kUsage, "--json: standard output holds one JSON object per run; -i, -I, -w, -D - and -c - "
                                     "write text there: leave them out (-D FILE, -c FILE) or leave out --json "
                                     "(-w '%{json}' prints curl's variables as JSON)"));
  // An output file that is the database would overwrite every stored run (-c pageload.db).
  {
    const std::string db_file = database_path(cmd.db);
    for (const auto& [flag, path] : {std::pair<std::string, std::string>{"-o", cmd.output}, {"-D", cmd.dump_header},
                                     {"-c", cmd.cookie_jar}, {"--har", cmd.har},
                                     {"--html", cmd.no_html ? std::string() : cmd.html}})
      if (Status s = refuse_database(flag, path, db_file); !s.ok()) return fail(s);
  }
  if (!cmd.html.empty() && !cmd.no_html && total != std::size_t{1})
    return fail(Status(Code::kUsage, "--html names one file but there is more than one URL; leave it out to get "
                                     "one report per run"));

  // As many loads at once, and as many connections for each, as the descriptor limit
  // allows: more would fail as local_resource (EMFILE) instead of loading.
  const bool pages = !cmd.options.document_only;
  const ParallelBudget budget = budget_parallel(cmd.parallel, pages);
  if (budget.too_low)
    return fail(Status(Code::kLocalResource,
                       "the file descriptor limit (ulimit -n) is " + std::to_string(budget.limit) +
                           ", too low for even one load: it needs at least " + std::to_string(budget.minimum) +
                           " here; raise it (ulimit -n 1024)"));
  const int parallel = budget.parallel;
  const std::size_t wanted = std::min<std::size_t>(static_cast<std::size_t>(cmd.parallel), total.value_or(SIZE_MAX));
  const bool lowered = budget.lowered && static_cast<std::size_t>(parallel) < wanted;
  const bool starved = pages && budget.connections_per_load < kConnectionsPerLoadWanted;
  if (lowered || starved) {
    std::cerr << "pageload: warning: ";
    if (lowered) std::cerr << "--parallel " << cmd.parallel << " lowered to " << parallel;
    if (lowered && pages) std::cerr << ", ";
    if (pages) std::cerr << "each load at most " << budget.connections_per_load << " connections at once";
    std::cerr << ": a " << (pages ? "connection" : "load") << " may hold "
              << (pages ? kDescriptorsPerConnection : kDescriptorsPerLoad)
              << " file descriptors and this process may have " << budget.limit << " (ulimit -n)\n";
  }

  if (cmd.repeat_view && !cmd.html.empty() && !cmd.no_html)
    return fail(Status(Code::kUsage, "--html names one file but --repeat-view makes two runs of each page; leave it "
                                     "out to get one report per run"));
  if (cmd.repeat_view && cmd.options.share_connections)
    return fail(Status(Code::kUsage, "--repeat-view opens new connections for the repeat view, as a browser "
                                     "started again does: leave out --share-connections"));
  // A --cacert that holds no certificate fails before anything is stored, naming why.
  if (!cmd.options.cacert.empty())
    if (Status s = transfer::check_ca_file(cmd.options.cacert); !s.ok()) return fail(s);
  // --cache DIR: one browser profile's HTTP cache for every load of the command, read
  // before the first and written after the last.
  std::shared_ptr<cache::HttpCache> kept_cache;
  std::string cache_dir_shown;  // DIR as runs.options records it: absolute
  if (!cmd.cache_dir.empty()) {
    // A DIR that is not there is a bad argument (exit 2), as a bad URL is; a file in it
    // that is not a cache is a local failure (store::read_http_cache: exit 4).
    // Named with the OS's reason, as every other file of a command is.
    if (std::error_code ec; !std::filesystem::is_directory(cmd.cache_dir, ec)) {
      const std::string why = ec ? ec.message() : std::filesystem::exists(cmd.cache_dir, ec) ? "not a directory"
                                                                                           : "no such directory";
      return fail(Status(Code::kUsage, "--cache " + cmd.cache_dir + ": " + why + " (--cache takes a directory)"));
    }
    auto responses = store::read_http_cache(cmd.cache_dir);
    if (!responses.ok()) return fail(responses.status());
    kept_cache = std::make_shared<cache::HttpCache>();
    for (auto& r : *responses) kept_cache->put(std::move(r));
    cache_dir_shown = std::filesystem::absolute(cmd.cache_dir).lexically_normal().string();
  }

  auto db = store::Database::open(database_path(cmd.db));
  if (!db.ok()) return fail(db.status());
  // -n: the group its runs belong to, made before the first load starts.
  std::optional<int64_t> group_id;
  if (cmd.runs) {
    RunGroup group;
    group.url = cmd.urls.front();
    group.label = cmd.options.label;
    group.runs = *cmd.runs;
    group.repeat_view = cmd.repeat_view;  // N first views, each followed by its repeat view
    if (Status s = db.value()->create_run_group(group); !s.ok()) return fail(s);
    group_id = group.id;
  }
  // The cap is per pool: with --share-connections the batch's loads share one.
  int pool_connections = 0;
  if (pages && budget.connections_per_load < kMaxConnectionsPerLoad)
    pool_connections = budget.connections_per_load * (cmd.options.share_connections ? parallel : 1);
  auto loader = Loader::create(pool_connections);
  if (!loader.ok()) return fail(loader.status());

  const bool batch = total != std::size_t{1};
  SinkOptions sink_options;
  // A repeat view's group is created before its runs begin, which needs the database
  // inline: with --repeat-view a batch writes on the event loop's thread.
  sink_options.threaded = batch && !cmd.repeat_view;
  sink_options.html = !cmd.no_html;
  sink_options.html_path = cmd.html;
  sink_options.har_path = cmd.har;
  sink_options.json = cmd.json;
  sink_options.quiet = cmd.quiet;
  sink_options.summary_on_stderr = summary_on_stderr(cmd);
  const int summary_fd = sink_options.summary_on_stderr ? STDERR_FILENO : STDOUT_FILENO;
  sink_options.color = !cmd.json && isatty(summary_fd) && !std::getenv("NO_COLOR");
  sink_options.width = output_width(summary_fd);
  sink_options.blank_line_between = batch || cmd.repeat_view;
  sink_options.total = total.value_or(0);
  // The bar only where it does not mix with the summaries on the same terminal.
  sink_options.progress =
      isatty(STDERR_FILENO) && (cmd.quiet || cmd.json || (!sink_options.summary_on_stderr && !isatty(STDOUT_FILENO)));
  // curl's outputs of each run (README "For curl users"), printed from the stored run.
  // -D FILE and -o FILE, as curl: checked up front, but opened (and an old file there
  // replaced) only once there is something to write, so a load that fails before any
  // response leaves the last good file alone.
  std::ofstream dump_file;
  if (!cmd.dump_header.empty() && cmd.dump_header != "-")
    if (Status s = check_writable("-D", cmd.dump_header); !s.ok()) return fail(s);
  if (!cmd.output.empty())
    if (Status s = check_writable("-o", cmd.output); !s.ok()) return fail(s);
  int body_hop = -1;          // -o: the hop whose body the file holds
  bool body_opened = false;   // -o: FILE opened for body_hop's first byte
  bool document_answered = false;  // -o: the document's final hop got a response
  // -i/-I with -o: the heads go into FILE, before the body, as curl writes them (every
  // hop's, as curl -L does); the body is held until the run ends and its heads are known.
  const bool heads_in_file = (cmd.include || cmd.head) && !cmd.output.empty();
  std::optional<std::string> file_heads;  // the first run's (a repeat view keeps the first view's)
  std::string file_trailers;              // its final hop's trailers, after the body
  std::string held_body;
  sink_options.before_summary = [&cmd, &dump_file, &document_answered, heads_in_file, &file_heads,
                                 &file_trailers](const Run& run) -> Status {
    if (cmd.verbose) std::cerr << verbose_heads(run) << std::flush;
    if (heads_in_file && !file_heads) {
      file_heads = response_heads(run, false);
      file_trailers = document_trailers(run);
    }
    if ((cmd.include || cmd.head) && !heads_in_file) std::cout << response_heads(run);
    if (cmd.dump_header == "-") std::cout << response_heads(run);
    const auto chain = document_chain(run);
    // A chain that ended on a redirect (a loop, --max-redirs, a Location it could not
    // follow) has no document: its redirect's body is never written, and no empty file made.
    document_answered = !chain.empty() && chain.back()->status.has_value() && !chain.back()->failure &&
                        !is_redirect_status(*chain.back()->status) &&
                        !(cmd.options.document_body_fails_on_error && *chain.back()->status >= 400);
    if (const std::string heads = response_heads(run); !heads.empty() && !cmd.dump_header.empty() && cmd.dump_header != "-") {
      if (!dump_file.is_open()) dump_file.open(cmd.dump_header, std::ios::binary | std::ios::trunc);
      dump_file << heads << std::flush;
      if (!dump_file) return Status(Code::kFile, "-D " + cmd.dump_header + ": cannot write " + cmd.dump_header);
    }
    return Status::Ok();
  };
  if (cmd.write_out)
    sink_options.after_summary = [&cmd](const Run& run) {
      std::cout << write_out(*cmd.write_out, run);
      return Status::Ok();
    };
  // -o: each hop's body replaces the one before, so the file ends with the final one's.
  std::ofstream body_file;
  Status body_error;
  if (!cmd.output.empty()) {
    cmd.options.on_document_body = [&](int seq, std::string_view bytes) {
      if (!body_error.ok()) return;
      if (seq != body_hop) {
        body_hop = seq;
        // close() on a stream never opened sets its failbit, which read as "cannot write"
        // when the body then never came (--max-filesize cut the first block).
        if (body_file.is_open()) body_file.close();
        body_file.clear();
        body_opened = false;
        held_body.clear();
      }
      // Opened (an old FILE replaced) at the body's first byte: a response whose head never
      // completed (/huge-header) leaves FILE as it was, as curl's does.
      if (bytes.empty()) return;
      if (heads_in_file) {
        held_body.append(bytes);
        return;
      }
      if (!body_opened) {
        body_file.open(cmd.output, std::ios::binary | std::ios::trunc);
        body_opened = true;
      }
      body_file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!body_file) body_error = Status(Code::kFile, "-o " + cmd.output + ": cannot write " + cmd.output);
    };
  }
  std::optional<std::vector<std::string>> cookie_jar;  // -c: the run's, once it ended
  if (!cmd.cookie_jar.empty())
    cmd.options.on_cookie_jar = [&cookie_jar](const std::vector<std::string>& lines) { cookie_jar = lines; };
  // -n: the group's runs as they are stored, for the median and the spread at the end.
  std::vector<Run> group_runs;
  if (cmd.runs) sink_options.stored = [&group_runs](const Run& run) { group_runs.push_back(run); };
  RunSink sink(*db.value(), sink_options);

  std::size_t in_flight = 0, started = 0;
  int exit_status = kExitOk;
  Status error;      // a load that could not start, or a bad --input line: stops the batch
  bool waiting = false;  // the input has nothing new yet (a stream)
  bool input_done = false;
  std::vector<std::string> skipped;  // --input lines that were not URLs, as said on stderr

  // -n: each run's place in the group, in the order the loads start (one at a time). With
  // --repeat-view a first view and its repeat view share a run_number (start_views).
  int numbered = 0;
  auto place_in_group = [&](Run& run) {
    if (!group_id || run.group_id) return;
    run.group_id = group_id;
    run.view = RunView::kFirst;
    run.run_number = ++numbered;
  };
  auto begin = [&](Run& run) {
    place_in_group(run);
    sink.begin(run);
  };
  std::function<void()> launch;
  std::function<Status(LoadOptions)> start_views;
  auto done = [&](Run& run) {
    place_in_group(run);  // a load that ended before it began (a bad URL) is still in the group
    --in_flight;
    exit_status = worst(exit_status, run.exit_status());
    sink.end(run);
    launch();
  };
  int stopped_by = 0;
  // With a cache: the page with the --cache DIR's cache or a new empty one (a first view)
  // and, with --repeat-view, once it is done, the page again as a returning visitor's
  // browser: the same HTTP cache, the cookies the first view ended with, and a new
  // connection pool (no connection, TLS session or DNS answer of the first view).
  // With --repeat-view every first view starts empty, as WebPageTest's first view does
  // (a view stored as 'first' is never a warm one), even with --cache DIR: DIR then only
  // receives what the views left in their cache, saved at the end.
  auto keep_in_dir = [&kept_cache](const cache::HttpCache& views) {
    if (!kept_cache) return;
    for (const auto& [url, response] : views.entries()) kept_cache->put(response);
  };
  start_views = [&](LoadOptions options) -> Status {
    auto http_cache = kept_cache && !cmd.repeat_view ? kept_cache : std::make_shared<cache::HttpCache>();
    options.http_cache = http_cache.get();
    // runs.options says what the cache held (a warm run from DIR must say it is one).
    if (kept_cache && !cmd.repeat_view)
      options.cache_start = LoadOptions::CacheStart{cache_dir_shown, kept_cache->entries().size()};
    else if (cmd.repeat_view)
      options.cache_start = LoadOptions::CacheStart{};  // a first view starts empty
    if (!cmd.repeat_view) return loader.value()->start(options, begin, [http_cache, &done](Run& run) { done(run); });
    // The two views are one run group: view 'first' and 'repeat', run 1 of each; with -n
    // the group of the N runs, run k of each view.
    int64_t view_group = 0;
    int number = 1;
    if (group_id) {
      view_group = *group_id;
      number = ++numbered;
    } else {
      RunGroup group;
      group.url = options.url;
      group.label = options.label;
      group.repeat_view = true;
      if (Status s = sink.create_group(group); !s.ok()) return s;
      view_group = group.id;
    }
    // Set when the load begins and again when it ends (a load that ended before it began,
    // a bad URL, is still in its place).
    auto place = [view_group, number](Run& run, RunView view) {
      run.group_id = view_group;
      run.view = view;
      run.run_number = number;
    };
    auto begin_view = [&begin, place](RunView view) {
      return [&begin, place, view](Run& run) {
        place(run, view);
        begin(run);
      };
    };
    auto jar = std::make_shared<std::vector<std::string>>(options.cookies);
    auto user_jar = options.on_cookie_jar;
    options.on_cookie_jar = [jar](const std::vector<std::string>& lines) { *jar = lines; };
    LoadOptions repeat = options;
    repeat.on_cookie_jar = user_jar;
    repeat.on_document_body = nullptr;  // -o keeps the first view's document
    auto first_done = [&, http_cache, jar, repeat, begin_view, place](Run& run) mutable {
      place(run, RunView::kFirst);
      keep_in_dir(*http_cache);  // what the first view fetched, should no repeat view follow
      // The first view is stored (and its report written) before the repeat view's clock
      // starts: its time is not the repeat view's. The repeat view's place among the loads
      // in flight is taken first, so that no other page starts in between.
      const bool again = !stopped_by && !sink.failed();
      if (again) ++in_flight;
      done(run);
      if (!again || stopped_by || sink.failed()) {
        if (again) --in_flight;
        return;
      }
      repeat.cookies = *jar;
      repeat.cache_start = LoadOptions::CacheStart{{}, http_cache->entries().size()};
      Status s = loader.value()->start(repeat, begin_view(RunView::kRepeat), [http_cache, &done, place, &keep_in_dir](Run& again_run) {
        place(again_run, RunView::kRepeat);
        keep_in_dir(*http_cache);
        done(again_run);
      });
      if (!s.ok()) {
        --in_flight;
        error = s;
      }
    };
    return loader.value()->start(options, begin_view(RunView::kFirst), first_done);
  };
  // Keeps up to `parallel` loads in flight on the one event loop.
  launch = [&] {
    waiting = false;
    while (error.ok() && !sink.failed() && !stopped_by && !input_done && in_flight < static_cast<std::size_t>(parallel)) {
      std::string url;
      const UrlFeed::Next next = feed.value()->next(url, error);
      if (next == UrlFeed::Next::kSkipped) {
        // Said at once, counted in the summary; the batch goes on (exit 2 at the end).
        std::cerr << "pageload: " << safe(redact_text(error.message()), 300) << " (line skipped)\n";
        skipped.push_back(redact_text(error.message()));
        error = Status::Ok();
        exit_status = worst(exit_status, kExitUsage);
        continue;
      }
      if (next == UrlFeed::Next::kWaiting) {
        waiting = true;
        return;
      }
      if (next != UrlFeed::Next::kUrl) {
        input_done = true;
        return;
      }
      LoadOptions options = cmd.options;
      options.url = std::move(url);
      ++in_flight;
      ++started;
      Status s = cmd.repeat_view || kept_cache ? start_views(options) : loader.value()->start(options, begin, done);
      if (!s.ok()) {
        --in_flight;
        error = s;
      }
    }
  };
  // A signal, or a line from the --input reader.
  auto on_wake = [&] {
    const int signo = signals.drain();
    if (signo && !stopped_by) {
      stopped_by = signo;  // start nothing more
      loader.value()->cancel_all(std::string("interrupted by ") + (signo == SIGINT ? "SIGINT (Ctrl-C)" : "SIGTERM"));
    }
    launch();
  };
  loader.value()->watch(signals.fd(), on_wake);
  for (;;) {
    launch();
    if (in_flight > 0) {
      loader.value()->run_until_idle();
      continue;
    }
    if (!waiting || !error.ok() || sink.failed() || stopped_by) break;
    // Nothing in flight and the input has sent nothing new: wait for it, or a signal.
    pollfd p{signals.fd(), POLLIN, 0};
    if (::poll(&p, 1, -1) > 0) on_wake();
  }
  loader.value()->watch(-1, {});
  Status stored = sink.close();
  if (kept_cache) {
    std::vector<CachedResponse> kept;
    for (const auto& [url, response] : kept_cache->entries()) kept.push_back(response);
    if (Status s = store::write_http_cache(cmd.cache_dir, kept); !s.ok()) exit_status = worst(exit_status, fail(s));
  }
  if (cookie_jar)
    if (Status s = write_cookie_jar(cmd.cookie_jar, *cookie_jar); !s.ok()) exit_status = worst(exit_status, fail(s));
  if (heads_in_file && body_error.ok() && ((file_heads && !file_heads->empty()) || body_hop >= 0)) {
    // The heads of every hop that answered, then what came of the document's body, as
    // without -i (a redirect's body is never handed over).
    body_file.open(cmd.output, std::ios::binary | std::ios::trunc);
    if (file_heads) body_file << *file_heads;
    body_file << held_body << file_trailers;  // trailers come where the body ends, as curl writes them
    held_body.clear();
  }
  // A document answered with an empty body still makes its (empty) file, as curl's does.
  if (!heads_in_file && !cmd.output.empty() && !body_opened && document_answered && body_error.ok())
    body_file.open(cmd.output, std::ios::binary | std::ios::trunc);
  if (body_file.is_open()) body_file.close();
  if (!body_error.ok() || (!cmd.output.empty() && body_file.fail()))
    exit_status = worst(exit_status, fail(body_error.ok() ? Status(Code::kFile, "-o " + cmd.output + ": cannot write " + cmd.output) : body_error));
  if (batch) {
    BatchSummary& summary = sink.summary();
    for (auto& line : skipped) summary.skip(std::move(line));
    // After every run's own lines; -q prints nothing but errors.
    if (cmd.json) std::cout << summary.json() << "\n";
    else if (!cmd.quiet) (summary_on_stderr(cmd) ? std::cerr : std::cout) << summary.text();
    std::cout.flush();
  }
  if (group_id && !group_runs.empty()) print_group(*group_id, group_runs, cmd);
  if (!stored.ok()) return fail(stored);
  if (!error.ok()) return fail(error);
  if (stopped_by) return 128 + stopped_by;
  if (started == 0)
    return fail(Status(Code::kUsage, "no URL given: --input " + cmd.input +
                                         (skipped.empty() ? " has none" : " has none that is a URL (every line skipped)")));
  return exit_status;
}

StatusOr<int64_t> pick_run(store::Database& db, const std::string& which) {
  if (which.empty() || which == "latest") return db.latest_run_id();
  try {
    std::size_t used = 0;
    long long id = std::stoll(which, &used);
    if (used == which.size() && id > 0) return static_cast<int64_t>(id);
  } catch (...) {
  }
  return Status(Code::kUsage, "run must be a run id or 'latest', got '" + which + "'");
}

// What `list` and `show` printed reached standard output, or exit 4 with one line (as
// `run` does): a full disk, /dev/full, or a pipe whose reader has gone (`| head`).
int finish_output() {
  std::cout.flush();
  if (!std::cout) return fail(Status(Code::kFile, "cannot write to standard output"));
  return kExitOk;
}

int list_command(const std::string& db_flag, const std::string& limit_text, bool json,
                 const std::optional<std::string>& label) {
  int limit = 0;
  const char* end = limit_text.data() + limit_text.size();
  const auto [ptr, ec] = std::from_chars(limit_text.data(), end, limit);
  if (limit_text.empty() || ec != std::errc() || ptr != end || limit < 1)
    return fail(Status(Code::kUsage, "-n must be a whole number, 1 or more, got '" + limit_text + "'"));
  auto db = store::Database::open_existing(database_path(db_flag));
  if (!db.ok()) return fail(db.status());
  auto runs = db.value()->list_runs(limit, label);
  if (!runs.ok()) return fail(runs.status());
  if (!json) {
    std::cout << format_list(runs.value());
    return finish_output();
  }
  for (const auto& r : runs.value()) {
    auto run = db.value()->load_run(r.id);
    if (run.ok()) std::cout << format_json(run.value()) << "\n";
    if (!std::cout) break;  // the reader has gone: load no more runs
  }
  return finish_output();
}

int show_command(const std::string& db_flag, const std::string& which, bool json) {
  auto db = store::Database::open_existing(database_path(db_flag));
  if (!db.ok()) return fail(db.status());
  auto id = pick_run(*db.value(), which);
  if (!id.ok()) return fail(id.status());
  auto run = db.value()->load_run(id.value());
  if (!run.ok()) return fail(run.status());
  std::cout << (json ? format_json(run.value()) + "\n" : format_show(run.value(), output_width()));
  return finish_output();
}

namespace {

std::string default_report_name(int64_t id) { return "pageload-run-" + std::to_string(id) + ".html"; }

bool names_html_file(const std::string& path) {
  if (path.size() < 5) return false;
  std::string tail = path.substr(path.size() - 5);
  std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char c) { return std::tolower(c); });
  std::error_code ec;
  return tail == ".html" && !std::filesystem::is_directory(path, ec);
}

}  // namespace

int report_command(const std::string& db_flag, const std::vector<std::string>& runs, const std::string& out) {
  const std::string db_path = database_path(db_flag);
  if (Status s = refuse_database("-o", out, db_path); !s.ok()) return fail(s);
  auto db = store::Database::open_existing(db_path);
  if (!db.ok()) return fail(db.status());
  auto identity = db.value()->identity();
  if (!identity.ok()) return fail(identity.status());
  const report::DatabaseMark mark = report::database_mark(identity->id, db_path, identity->older_than_ids);
  const std::vector<std::string> named_runs = runs.empty() ? std::vector<std::string>{"latest"} : runs;
  const bool to_stdout = out == "-";  // as curl -o -
  // Every run named must be there before anything is written: a missing one is an argument
  // error, not half the reports. Each run once, in the order named (`report 1 1` and
  // `report 3 latest` with 3 the latest are one report, not a listing of two).
  std::vector<int64_t> ids;
  for (const auto& w : named_runs) {
    auto id = pick_run(*db.value(), w);
    if (!id.ok()) return fail(id.status());
    if (auto run = db.value()->load_run(id.value()); !run.ok()) return fail(run.status());
    if (std::find(ids.begin(), ids.end(), id.value()) == ids.end()) ids.push_back(id.value());
  }
  if (to_stdout && ids.size() > 1)
    return fail(Status(Code::kUsage, "-o - writes one report to standard output; for " + std::to_string(ids.size()) +
                                         " runs name a directory, or a FILE.html to list them in"));
  // Several runs: -o FILE.html is a page listing them, their reports beside it; any
  // other -o names a directory for the reports.
  const bool index = ids.size() > 1 && names_html_file(out);
  std::string dir = out;
  if (index) dir = std::filesystem::path(out).parent_path().string();
  if (ids.size() > 1 && !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail(Status(Code::kFile, "cannot create directory " + dir + ": " + ec.message()));
  }
  const bool named = ids.size() == 1 && !out.empty();  // the user named the file
  auto path_of = [&](int64_t id) {
    if (named) return out;
    if (dir.empty()) return default_report_name(id);
    return (std::filesystem::path(dir) / default_report_name(id)).string();
  };
  // A default name never replaces another database's report: the user can name one
  // report, or put several in another directory. Checked for every report before any is
  // written, so a refusal leaves none half done.
  const std::string_view if_other = named             ? ""
                                    : ids.size() == 1 ? "name the report (report -o FILE)"
                                                      : "write them in another directory (-o DIR/FILE.html or -o DIR)";
  if (!to_stdout)
    for (const int64_t id : ids)
      if (Status s = report::check_not_other_database(path_of(id), mark, if_other); !s.ok()) return fail(s);
  std::vector<Run> loaded;
  for (const int64_t id : ids) {
    auto run = db.value()->load_run(id);
    if (!run.ok()) return fail(run.status());
    if (to_stdout) {
      std::cout << report::render_html(run.value(), mark.marker);
      break;
    }
    const std::string path = path_of(id);
    if (Status s = report::write_html_report(run.value(), path, mark, if_other); !s.ok()) return fail(s);
    std::cout << path << "\n";
    if (index) loaded.push_back(std::move(run).value());
  }
  if (index) {
    std::vector<report::IndexEntry> entries;
    for (const Run& run : loaded) entries.push_back({&run, default_report_name(run.id)});
    if (Status s = write_file_replacing(out, report::render_index(entries, mark.marker)); !s.ok())
      return fail(Status(s.code(), "report: " + s.message()));
    std::cout << out << "\n";
  }
  return finish_output();  // the paths, or the report itself, reached standard output
}

int har_command(const std::string& db_flag, const std::vector<std::string>& runs, const std::string& out) {
  if (Status s = refuse_database("-o", out, database_path(db_flag)); !s.ok()) return fail(s);
  auto db = store::Database::open_existing(database_path(db_flag));
  if (!db.ok()) return fail(db.status());
  std::vector<Run> loaded;
  std::set<int64_t> named;
  for (const auto& w : runs.empty() ? std::vector<std::string>{"latest"} : runs) {
    auto id = pick_run(*db.value(), w);
    if (!id.ok()) return fail(id.status());
    // A run named twice ("5 5", "latest 5") is one page: HAR page ids are unique.
    if (!named.insert(id.value()).second) continue;
    auto run = db.value()->load_run(id.value());
    if (!run.ok()) return fail(run.status());
    loaded.push_back(std::move(run).value());
  }
  const std::string text = har::write_har(loaded);
  if (out.empty() || out == "-") {
    std::cout << text;
    return finish_output();
  }
  if (Status s = write_file_replacing(out, text); !s.ok()) return fail(Status(s.code(), "har: " + s.message()));
  return kExitOk;
}

int import_command(const std::string& db_flag, const std::string& file, const std::string& label, bool keep_secrets) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return fail(Status(Code::kUsage, file + ": cannot read it: " + ec.message()));
  if (size > har::kMaxHarBytes)
    return fail(Status(Code::kUsage, file + ": " + std::to_string(size >> 20) + " MiB, larger than " +
                                         std::to_string(har::kMaxHarBytes >> 20) + " MiB: not imported"));
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return fail(Status(Code::kUsage, file + ": cannot read it: " + std::strerror(errno)));
  har::ImportOptions options{label, file, keep_secrets};
  auto runs = har::read_har(text, options);
  if (!runs.ok()) return fail(runs.status());
  text.clear();
  text.shrink_to_fit();

  auto db = store::Database::open(database_path(db_flag));
  if (!db.ok()) return fail(db.status());
  if (Status s = db.value()->begin_group(); !s.ok()) return fail(s);
  // The file's groups (a --repeat-view or -n export, a WebPageTest test): one stored group
  // each, its runs keeping their view and run number.
  std::map<int64_t, int64_t> group_of;
  for (Run& run : runs.value()) {
    if (!run.group_id) continue;
    auto [it, fresh] = group_of.try_emplace(*run.group_id, 0);
    if (fresh) {
      RunGroup group;
      group.url = run.url;
      group.label = label;
      group.runs = 0;
      for (const Run& r : runs.value()) {
        if (r.group_id != run.group_id) continue;
        if (r.view == RunView::kRepeat) group.repeat_view = true;
        else ++group.runs;
      }
      group.runs = std::max(1, group.runs);
      if (Status s = db.value()->create_run_group(group); !s.ok()) {
        db.value()->abandon_group();
        return fail(s);
      }
      it->second = group.id;
    }
  }
  for (Run& run : runs.value()) {
    if (run.group_id) run.group_id = group_of.at(*run.group_id);
    if (Status s = db.value()->finish_run(run); !s.ok()) {
      db.value()->abandon_group();  // nothing of this file is stored
      return fail(s);
    }
  }
  if (Status s = db.value()->commit_group(); !s.ok()) return fail(s);
  for (const Run& run : runs.value()) {
    std::cout << "run " << run.id << ": " << safe(run.url, 200) << " (" << run.requests.size()
              << (run.requests.size() == 1 ? " request" : " requests") << ", from "
              << safe(run.producer.empty() ? std::string("an unnamed producer") : run.producer, 80) << ")";
    if (run.group_id)
      std::cout << " in group " << *run.group_id << ", " << run_view_name(run.view.value_or(RunView::kFirst)) << " view"
                << (run.run_number ? " " + std::to_string(*run.run_number) : std::string());
    std::cout << "\n";
    std::set<std::string> said;
    for (const auto& w : run.warnings)
      if (said.insert(w).second) std::cerr << "pageload: import: run " << run.id << ": " << safe(w, 300) << "\n";
    std::size_t request_warnings = 0;
    for (const auto& r : run.requests) request_warnings += r.warnings.size();
    if (request_warnings)
      std::cerr << "pageload: import: run " << run.id << ": " << request_warnings
                << " warnings on requests (pageload show " << run.id << ")\n";
  }
  return finish_output();
}

}  // namespace pageload::cli

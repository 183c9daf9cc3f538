#include "cli/url_feed.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/url.h"

namespace pageload::cli {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::size_t kQueuedLines = 256;  // a stream's lines read ahead of the loads
constexpr std::size_t kReadChunk = 64 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

long read_fd(int fd, char* buf, std::size_t len) {
  for (;;) {
    const ssize_t n = ::read(fd, buf, len);
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

}  // namespace

UrlLines::UrlLines(Read read_some, std::string name) : read_some_(std::move(read_some)), name_(std::move(name)) {}

bool UrlLines::fill() {
  if (eof_) return false;
  if (at_ > 0) {  // keep only the line being read
    buf_.erase(0, at_);
    at_ = 0;
  }
  const std::size_t had = buf_.size();
  buf_.resize(had + kReadChunk);
  const long n = read_some_(buf_.data() + had, kReadChunk);
  buf_.resize(had + static_cast<std::size_t>(n > 0 ? n : 0));
  if (n > 0) return true;
  eof_ = true;
  if (n < 0) read_error_ = errno;
  return false;
}

StatusOr<UrlLines::Line> UrlLines::next() {
  for (;;) {
    // One line: up to '\n', or to the end of the input.
    std::size_t nl = buf_.find('\n', at_);
    while (nl == std::string::npos && buf_.size() - at_ <= kMaxInputLine && fill()) nl = buf_.find('\n', at_);
    if (read_error_)
      return Status(Code::kFile, "cannot read --input " + name_ + ": " + std::strerror(read_error_));
    const std::size_t end = nl == std::string::npos ? buf_.size() : nl;
    if (at_ == end && nl == std::string::npos) return Line{};  // the end
    ++line_;
    if (end - at_ > kMaxInputLine)
      return Status(Code::kUsage, name_ + ":" + std::to_string(line_) + ": line is longer than " +
                                      std::to_string(kMaxInputLine) + " bytes");
    std::string_view line(buf_.data() + at_, end - at_);
    at_ = nl == std::string::npos ? end : nl + 1;
    if (!started_) {
      started_ = true;
      if (line.substr(0, kBom.size()) == kBom) line.remove_prefix(kBom.size());
    }
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (auto parsed = parse_url(line); !parsed.ok())
      return Line{Line::Kind::kBad, {},
                  Status(Code::kUsage, name_ + ":" + std::to_string(line_) + ": " + parsed.status().message())};
    return Line{Line::Kind::kUrl, std::string(line), {}};
  }
}

StatusOr<std::unique_ptr<UrlFeed>> UrlFeed::open(std::vector<std::string> urls, const std::string& input,
                                                 int wake_fd, bool fail_early) {
  std::unique_ptr<UrlFeed> feed(new UrlFeed());
  feed->fail_early_ = fail_early;
  feed->urls_.assign(urls.begin(), urls.end());
  feed->total_ = urls.size();
  if (input.empty()) return feed;

  const std::string name = input == "-" ? "stdin" : input;
  int fd = STDIN_FILENO;
  if (input != "-") {
    // O_NONBLOCK: opening a FIFO with no writer yet must not hang here; reads then wait in poll.
    fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return Status(Code::kUsage, "cannot read --input file '" + input + "': " + std::strerror(errno));
    feed->fd_ = fd;
    // Blocking again: the reader waits in poll(), which for a FIFO waits for a writer.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status(Code::kUsage, "cannot read --input " + name + ": " + std::strerror(errno));

  if (S_ISREG(st.st_mode)) {
    // Every line checked before the first load, then read again as the loads go: a line
    // too long, or (--fail-early) one that is not a URL, loads nothing. Lines skipped are
    // said as the loads reach them.
    const off_t start = ::lseek(fd, 0, SEEK_CUR);
    UrlLines check([fd](char* b, std::size_t n) { return read_fd(fd, b, n); }, name);
    std::size_t count = 0;
    for (;;) {
      auto line = check.next();
      if (!line.ok()) return line.status();
      if (line->kind == UrlLines::Line::Kind::kEnd) break;
      if (line->kind == UrlLines::Line::Kind::kBad && fail_early) return line->bad;
      if (line->kind == UrlLines::Line::Kind::kUrl) ++count;
      else ++feed->bad_lines_;
    }
    if (::lseek(fd, start, SEEK_SET) < 0)
      return Status(Code::kUsage, "cannot read --input " + name + " again: " + std::strerror(errno));
    feed->total_ = *feed->total_ + count;
    feed->file_ = std::make_unique<UrlLines>([fd](char* b, std::size_t n) { return read_fd(fd, b, n); }, name);
    return feed;
  }

  feed->total_.reset();
  feed->wake_fd_ = wake_fd;
  if (::pipe2(feed->stop_pipe_, O_CLOEXEC) != 0)
    return Status(Code::kInternal, std::string("pipe: ") + std::strerror(errno));
  // The reader waits in poll() for the input or for ~UrlFeed, never in read().
  const int stop = feed->stop_pipe_[0];
  feed->stream_ = std::make_unique<UrlLines>(
      [fd, stop](char* b, std::size_t n) -> long {
        for (;;) {
          pollfd p[2] = {{fd, POLLIN, 0}, {stop, POLLIN, 0}};
          if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            return -1;
          }
          if (p[1].revents) return 0;  // stopping: as if the input ended
          const long got = read_fd(fd, b, n);
          if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
          return got;
        }
      },
      name);
  UrlFeed* self = feed.get();
  feed->reader_ = std::thread([self] { self->read_stream(); });
  return feed;
}

UrlFeed::~UrlFeed() {
  if (reader_.joinable()) {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    space_.notify_all();
    (void)!::write(stop_pipe_[1], "x", 1);
    reader_.join();
  }
  for (int fd : stop_pipe_)
    if (fd >= 0) ::close(fd);
  if (fd_ >= 0) ::close(fd_);
}

void UrlFeed::read_stream() {
  for (;;) {
    auto line = stream_->next();
    Item item;
    if (!line.ok()) item.error = line.status();
    else if (line->kind == UrlLines::Line::Kind::kUrl) item.url = std::move(line->url);
    else if (line->kind == UrlLines::Line::Kind::kBad) item.bad = std::move(line->bad);
    const bool last = !item.url && item.bad.ok();
    {
      std::unique_lock lock(mu_);
      space_.wait(lock, [this] { return closing_ || queue_.size() < kQueuedLines; });
      if (closing_) return;
      queue_.push_back(std::move(item));
    }
    (void)!::write(wake_fd_, "", 1);  // a zero byte: "input", never a signal number
    if (last) return;
  }
}

UrlFeed::Next UrlFeed::next(std::string& url, Status& error) {
  if (ended_) return Next::kEnd;
  if (!urls_.empty()) {
    url = std::move(urls_.front());
    urls_.pop_front();
    return Next::kUrl;
  }
  if (file_) {
    auto line = file_->next();
    if (line.ok() && line->kind == UrlLines::Line::Kind::kUrl) {
      url = std::move(line->url);
      return Next::kUrl;
    }
    if (line.ok() && line->kind == UrlLines::Line::Kind::kBad) {
      error = std::move(line->bad);
      return Next::kSkipped;  // never --fail-early: open() refused the file then
    }
    ended_ = true;
    if (line.ok()) return Next::kEnd;
    error = line.status();
    return Next::kError;
  }
  if (!reader_.joinable()) {
    ended_ = true;
    return Next::kEnd;
  }
  Item item;
  {
    std::lock_guard lock(mu_);
    if (queue_.empty()) return Next::kWaiting;
    item = std::move(queue_.front());
    queue_.pop_front();
  }
  space_.notify_one();
  if (item.url) {
    url = std::move(*item.url);
    return Next::kUrl;
  }
  if (!item.bad.ok()) {
    error = std::move(item.bad);
    if (!fail_early_) return Next::kSkipped;
    ended_ = true;
    return Next::kError;
  }
  ended_ = true;
  if (item.error.ok()) return Next::kEnd;
  error = item.error;
  return Next::kError;
}

}  // namespace pageload::cli

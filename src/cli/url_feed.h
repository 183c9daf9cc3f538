// Where the URLs of `pageload run` come from, in order: the command line's, then the
// lines of --input, read as the loads need them, so that `yes URL | pageload --input -`
// starts at once and `--input /dev/zero` costs 16 KB, not all the memory there is.
//
// A regular file is read through once first, checking every line, so a bad line in it
// stores nothing (as a bad URL on the command line); it is then read again as the loads
// go. Anything else (standard input from a pipe or a terminal, a FIFO, a device) can be
// read only once: a thread reads it line by line into a short queue, checking each line
// as it comes, and wakes the event loop through `wake_fd` when a line (or the end, or an
// error) is there.
//
// A line that is not a URL is skipped: it comes out as a line of its own (kSkipped, with
// "NAME:LINE: why"), so the batch can say so and count it. With `fail_early` (--fail-early)
// it is an error instead: a file then loads nothing, a stream ends at that line. A line
// over kMaxInputLine bytes or a read error always ends the input: it is not a list of URLs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pageload/status.h"

namespace pageload::cli {

// A line of --input may be this long at most (a URL at most kMaxUrlLength).
inline constexpr std::size_t kMaxInputLine = 16 * 1024;

// The URLs in a byte stream, one per line: surrounding white space (and a CR) trimmed,
// blank lines and '#' comments skipped, a UTF-8 byte order mark at the very start
// ignored, every URL checked with parse_url. Reads through `read_some` (read(2)'s
// contract: bytes read, 0 at the end, -1 with errno); holds at most one line.
class UrlLines {
 public:
  using Read = std::function<long(char* buf, std::size_t len)>;
  UrlLines(Read read_some, std::string name);

  struct Line {
    enum class Kind { kUrl, kBad, kEnd };
    Kind kind = Kind::kEnd;
    std::string url;  // kUrl
    Status bad;       // kBad: kUsage, "NAME:LINE: why it is not a URL"
  };
  // The next URL, or a line that is not one, or the end. Fails with kUsage and
  // "NAME:LINE: ..." for a line over kMaxInputLine bytes; kFile for a read error.
  StatusOr<Line> next();

 private:
  bool fill();  // more bytes into buf_; false at the end or on an error (read_error_)
  Read read_some_;
  std::string name_;
  std::string buf_;
  std::size_t at_ = 0;
  int line_ = 0;
  bool started_ = false, eof_ = false;
  int read_error_ = 0;
};

class UrlFeed {
 public:
  // `urls` were checked already. `input`: empty (none), "-" (standard input) or a path.
  // Fails with kUsage when the input cannot be opened, or a regular file has a line over
  // kMaxInputLine (or, with `fail_early`, a line that is not a URL).
  static StatusOr<std::unique_ptr<UrlFeed>> open(std::vector<std::string> urls, const std::string& input,
                                                 int wake_fd, bool fail_early = false);
  ~UrlFeed();  // stops the reader thread (it never blocks in a read to be stopped)
  UrlFeed(const UrlFeed&) = delete;
  UrlFeed& operator=(const UrlFeed&) = delete;

  // How many URLs there are, if known before they are read (command line and regular
  // file; lines skipped not counted); nullopt for a stream.
  std::optional<std::size_t> total() const { return total_; }
  // Lines of a regular file that are not URLs (to be skipped), known before they are read.
  std::size_t bad_lines() const { return bad_lines_; }

  enum class Next { kUrl, kSkipped, kWaiting, kEnd, kError };
  // kUrl with `url` set; kSkipped with `error` saying which line was not a URL (the
  // input goes on); kWaiting when a stream has nothing new yet (`wake_fd` will be
  // written when it has); kEnd; kError with `error` set (then kEnd ever after).
  Next next(std::string& url, Status& error);

 private:
  UrlFeed() = default;
  void read_stream();  // the reader thread

  std::deque<std::string> urls_;       // the command line's, not yet handed out
  std::unique_ptr<UrlLines> file_;     // a regular file, read on the caller's thread
  std::optional<std::size_t> total_;
  int fd_ = -1;                        // the --input file (not stdin), closed at the end
  bool ended_ = false;
  bool fail_early_ = false;            // a line that is not a URL ends the input
  std::size_t bad_lines_ = 0;

  // A stream, read by `reader_`. Guarded by mu_.
  struct Item {
    std::optional<std::string> url;  // nullopt: the end (with error when it failed), or
    Status error;                    // a line skipped (bad set)
    Status bad;
  };
  std::mutex mu_;
  std::condition_variable space_;
  std::deque<Item> queue_;
  bool closing_ = false;
  int wake_fd_ = -1;
  int stop_pipe_[2] = {-1, -1};  // written by ~UrlFeed to end the reader's poll
  std::unique_ptr<UrlLines> stream_;
  std::thread reader_;
};

}  // namespace pageload::cli

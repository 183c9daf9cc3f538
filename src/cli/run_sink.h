// Where `pageload run` puts its runs: the database (a 'running' row when a load starts,
// everything when it ends), then the HTML report and the terminal (summary, --json,
// progress bar).
//
// One URL is written inline, on the event loop's thread: nothing else is in flight, and
// its 'running' row is stored before its clock starts. A batch (several URLs) hands the
// work to a thread of its own, so the event loop never stops for SQLite or a report
// while other loads are in flight (a stalled loop would add the stall to their wait and
// receive phases), and whatever piled up while the last commit ran is written in one
// transaction (Database::begin_group): a batch costs one commit per group of runs
// instead of two per run.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cli/batch_summary.h"
#include "cli/cells.h"
#include "pageload/result.h"
#include "pageload/status.h"
#include "report/html.h"
#include "store/store.h"

namespace pageload::cli {

struct SinkOptions {
  bool threaded = false;  // a batch: write on the sink's own thread
  bool html = true;       // write a report per run
  std::string html_path;  // --html (one URL only); empty: pageload-run-ID.html
  std::string har_path;   // --har: every run stored, as one HAR file written at close() ("-": stdout)
  bool json = false;      // one JSON object per run instead of the summary
  bool quiet = false;     // no summary
  // The summary (and report: line) on standard error, where curl's progress meter is:
  // with -o or -w standard output holds curl's outputs alone (README "For curl users").
  bool summary_on_stderr = false;
  bool color = false;     // ANSI colours in the summary
  int width = kDefaultWidth;  // columns the summary fits in (output_width())
  bool blank_line_between = false;
  std::size_t total = 1;  // runs expected, for the progress bar; 0: not known (a stream)
  bool progress = false;  // draw a progress bar on stderr
  // curl-style outputs of each run (-v, -i, -D before its summary; -w after it), called
  // on the thread that prints, one run at a time. A failure (a -D file that cannot be
  // written) fails the sink as a report failure does.
  std::function<Status(const Run&)> before_summary, after_summary;
  // Called with each run once it is stored (its id set), before its report and summary,
  // on the thread that prints (`run -n` collects its group's runs with it).
  std::function<void(const Run&)> stored;
};

class RunSink {
 public:
  // `db` must outlive the sink; from here on only the sink uses it.
  RunSink(store::Database& db, SinkOptions options);
  // Finishes what was handed over (as close()).
  ~RunSink();
  RunSink(const RunSink&) = delete;
  RunSink& operator=(const RunSink&) = delete;

  // A load starts: stores `run` as 'running'. Inline, this sets run.id; threaded, the id
  // is known to the sink only, which gives it to the run again in end().
  void begin(Run& run);
  // Stores a run group (--repeat-view) and sets group.id, for the runs begun after it to
  // carry. Inline sinks only (not threaded): the id is needed before the runs begin.
  Status create_group(RunGroup& group);
  // A load ended: stores it whole, then writes its report and prints it. Takes a copy.
  void end(const Run& run);
  // True once a write failed: the caller should start no more loads. Any thread. After
  // a report failure runs are still stored; after a database failure nothing more is.
  bool failed() const { return failed_.load(); }
  // Waits until everything handed over is stored and printed, stops the thread, and
  // returns the first failure (a database or report error), or Ok.
  Status close();
  // Every run stored and printed so far, counted for the batch's summary. Read it after
  // close() (the sink's thread adds to it until then).
  BatchSummary& summary() { return summary_; }

 private:
  struct Job {
    bool begin = false;
    std::shared_ptr<int64_t> id;  // the run's row id, set by its begin job
    Run run;
  };

  std::vector<Run> har_runs_;  // the runs stored, for --har (sink thread, then close())
  void handle(std::deque<Job>& jobs);  // stores, then reports and prints, a group of jobs
  // `drawn`: its report, rendered while it was stored (handle()); null: render it here.
  void report_and_print(Run& run, std::future<std::string>* drawn = nullptr);
  // Its HTML report at `path`, `drawn` as report_and_print's.
  Status write_report(const Run& run, const std::string& path, std::future<std::string>* drawn = nullptr);
  StatusOr<report::DatabaseMark> mark();  // the database's mark (mark_), read once
  void fail(Status status);     // a report could not be written: start no more loads
  void fail_db(Status status);  // the database failed: also store nothing more
  void thread_main();

  store::Database& db_;
  SinkOptions options_;
  std::atomic<bool> failed_{false};
  bool db_failed_ = false;      // sink side only
  bool output_failed_ = false;  // sink side only
  // The database's mark, carried by each report: read from the database with the first
  // report. Sink side only.
  std::optional<report::DatabaseMark> mark_;
  Status error_;  // the first failure; written by the sink's thread (or inline) only
  std::size_t done_ = 0, done_failed_ = 0;
  BatchSummary summary_;  // sink side only, until close()
  bool counter_drawn_ = false;  // a progress line without a total is on stderr
  // Event loop side: each started run's id slot, until it ends.
  std::unordered_map<const Run*, std::shared_ptr<int64_t>> slots_;

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> queue_;  // guarded by mu_
  bool closing_ = false;   // guarded by mu_
  std::thread thread_;
};

}  // namespace pageload::cli

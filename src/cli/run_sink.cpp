#include "cli/run_sink.h"

#include <cassert>

#include <chrono>
#include <iostream>
#include <utility>

#include "cli/output.h"
#include "core/file.h"
#include "har/har_export.h"
#include "report/html.h"

namespace pageload::cli {

namespace {
constexpr std::chrono::milliseconds kGroupWindow{10};
}  // namespace

RunSink::RunSink(store::Database& db, SinkOptions options) : db_(db), options_(std::move(options)) {
  if (options_.threaded) thread_ = std::thread([this] { thread_main(); });
}

RunSink::~RunSink() { (void)close(); }

void RunSink::begin(Run& run) {
  auto id = std::make_shared<int64_t>(0);
  slots_[&run] = id;
  if (!options_.threaded) {
    if (db_failed_) return;
    if (Status s = db_.begin_run(run); !s.ok()) return fail_db(s);
    *id = run.id;
    return;
  }
  std::lock_guard lock(mu_);
  queue_.push_back(Job{true, std::move(id), run});
  wake_.notify_one();
}

Status RunSink::create_group(RunGroup& group) {
  assert(!options_.threaded);
  if (db_failed_) return error_;
  Status s = db_.create_run_group(group);
  if (!s.ok()) fail_db(s);
  return s;
}

void RunSink::end(const Run& run) {
  std::shared_ptr<int64_t> id;
  if (auto it = slots_.find(&run); it != slots_.end()) {
    id = std::move(it->second);
    slots_.erase(it);
  } else {
    id = std::make_shared<int64_t>(0);  // never begun: finish_run inserts the row
  }
  std::deque<Job> one;
  one.push_back(Job{false, std::move(id), run});
  if (!options_.threaded) return handle(one);
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(one.front()));
  wake_.notify_one();
}

Status RunSink::close() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
      wake_.notify_one();
    }
    thread_.join();
  }
  if (counter_drawn_) {
    std::cerr << "\n";
    counter_drawn_ = false;
  }
  if (!options_.har_path.empty() && error_.ok() && !har_runs_.empty()) {
    const std::string text = har::write_har(har_runs_);
    if (options_.har_path == "-") {  // standard output, as curl's -o - (the summary is off)
      std::cout << text << std::flush;
      if (!std::cout) error_ = Status(Code::kFile, "--har -: cannot write to standard output");
    } else if (Status s = write_file_replacing(options_.har_path, text); !s.ok()) {
      error_ = Status(s.code(), "--har: " + s.message());
    }
    har_runs_.clear();
  }
  return error_;
}

void RunSink::thread_main() {
  for (;;) {
    std::deque<Job> jobs;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and nothing left
      // Let the group fill for a moment: at loopback speed runs end every few hundred
      // microseconds, and each commit rewrites every page it touches (a run alone
      // touches about 20). Batches only, so this delays nothing anyone waits on.
      wake_.wait_for(lock, kGroupWindow, [this] { return closing_; });
      jobs.swap(queue_);
    }
    handle(jobs);
  }
}

void RunSink::handle(std::deque<Job>& jobs) {
  if (db_failed_) return;  // after a database failure nothing more is stored or printed
  const bool group = jobs.size() > 1;
  if (group) {
    if (Status s = db_.begin_group(); !s.ok()) return fail_db(s);
  }
  // A lone run's report is drawn on a thread of its own while its rows are written: both
  // are CPU work at the end of a load, the network idle, and a machine has a second core.
  // A begun run is only read while it is stored (its row exists: write_finish reads it);
  // the report is written to its file only once the run is stored, as before.
  std::future<std::string> drawn;
  if (!group && !jobs.front().begin && *jobs.front().id != 0 && options_.html) {
    if (auto database = mark(); database.ok()) {
      jobs.front().run.id = *jobs.front().id;
      drawn = std::async(std::launch::async, [&run = std::as_const(jobs.front().run), marker = database->marker] {
        return report::render_html(run, marker);
      });
    }
  }
  std::vector<Run*> stored;
  for (Job& job : jobs) {
    if (job.run.id != *job.id) job.run.id = *job.id;  // no write to a run being drawn
    Status s = job.begin ? db_.begin_run(job.run) : db_.finish_run(job.run);
    if (!s.ok()) {
      fail_db(s);
      break;  // what the group stored so far is still committed below
    }
    if (job.begin) *job.id = job.run.id;
    else stored.push_back(&job.run);
  }
  if (group) {
    if (Status s = db_.commit_group(); !s.ok()) {
      fail_db(s);
      stored.clear();
    }
  }
  // Only what is stored is reported and printed (a report drawn for a run that was not is
  // dropped when `drawn` goes).
  for (Run* run : stored) report_and_print(*run, drawn.valid() ? &drawn : nullptr);
}

StatusOr<report::DatabaseMark> RunSink::mark() {
  if (!mark_) {
    auto identity = db_.identity();
    if (!identity.ok()) return identity.status();
    mark_ = report::database_mark(identity->id, db_.path(), identity->older_than_ids);
  }
  return *mark_;
}

Status RunSink::write_report(const Run& run, const std::string& path, std::future<std::string>* drawn) {
  auto database = mark();
  if (!database.ok()) return database.status();
  // A default name never replaces the report of another database's run of the same id.
  const std::string_view if_other = !options_.html_path.empty() ? ""
                                    : options_.total == 1       ? "name the report (--html FILE)"
                                                                : "run the batch in another directory";
  if (drawn) return report::write_rendered_report(drawn->get(), path, *database, if_other);
  return report::write_html_report(run, path, *database, if_other);
}

void RunSink::report_and_print(Run& run, std::future<std::string>* drawn) {
  if (!options_.har_path.empty()) har_runs_.push_back(run);
  if (options_.stored) options_.stored(run);
  std::string report_path;
  if (options_.html) {
    report_path = options_.html_path.empty() ? "pageload-run-" + std::to_string(run.id) + ".html" : options_.html_path;
    if (Status s = write_report(run, report_path, drawn); !s.ok()) {
      fail(s);
      report_path.clear();
    }
  }
  if (options_.before_summary)
    if (Status s = options_.before_summary(run); !s.ok()) fail(s);
  if (options_.json) {
    std::cout << format_json(run) << "\n";
  } else if (!options_.quiet) {
    std::ostream& out = options_.summary_on_stderr ? std::cerr : std::cout;
    out << format_summary(run, options_.color, options_.width);
    if (!report_path.empty()) out << "report: " << report_path << "\n";
    if (options_.blank_line_between) out << "\n";
    out.flush();
  } else if (run.failure) {
    // -q prints nothing but errors: a load that failed is one line on stderr.
    std::cerr << "pageload: run " << run.id << " " << safe(run.url, 200) << ": error: " << code_name(run.failure->code)
              << ": " << safe(run.failure->message, 300) << "\n";
  }
  if (options_.after_summary)
    if (Status s = options_.after_summary(run); !s.ok()) fail(s);
  std::cout.flush();
  if (!std::cout && !output_failed_) {
    output_failed_ = true;
    fail(Status(Code::kFile, "cannot write to standard output"));
  }

  summary_.add(run);
  ++done_;
  if (run.outcome == Outcome::kFailed) ++done_failed_;
  if (options_.progress && options_.total == 0) {  // a stream of URLs: no end to draw
    std::cerr << "\r" << done_ << " runs" << (done_failed_ ? ", " + std::to_string(done_failed_) + " failed" : "")
              << std::flush;
    counter_drawn_ = true;
  } else if (options_.progress && options_.total > 1) {
    constexpr std::size_t kWidth = 30;
    const std::size_t filled = kWidth * done_ / options_.total;
    std::cerr << "\r[" << std::string(filled, '=') << std::string(kWidth - filled, ' ') << "] " << done_ << "/"
              << options_.total << " runs" << (done_failed_ ? ", " + std::to_string(done_failed_) + " failed" : "")
              << std::flush;
    if (done_ == options_.total) std::cerr << "\n";
  }
}

void RunSink::fail(Status status) {
  if (error_.ok()) error_ = std::move(status);
  failed_.store(true);
}

void RunSink::fail_db(Status status) {
  db_failed_ = true;
  fail(std::move(status));
}

}  // namespace pageload::cli

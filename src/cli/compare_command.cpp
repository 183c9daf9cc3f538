// `pageload compare A B [-o FILE] [--align start|first-byte]`: two stored runs side by
// side (report/compare.h), printed as text and, with -o, written as the HTML compare view.
#include <iostream>
#include <string>
#include <utility>

#include "cli/commands.h"
#include "cli/compare_output.h"
#include "cli/output.h"
#include "report/compare_html.h"
#include "report/html.h"
#include "store/store.h"

namespace pageload::cli {

namespace {

// The mark the comparison page carries of its database (report::database_marker).
std::string compare_mark(store::Database& db) {
  auto identity = db.identity();
  return identity.ok() ? report::database_marker(identity->id) : std::string();
}

// A side of the comparison: the run it names and what the title calls it.
struct Side {
  Run run;
  std::string name;
};

// "g:N" (or "g:N:repeat"): group N's median run of that view; kUsage when `which` starts
// with "g:" and is not that.
StatusOr<std::pair<int64_t, std::string>> parse_group(const std::string& which) {
  std::string rest = which.substr(2), view = "first";
  if (const auto colon = rest.find(':'); colon != std::string::npos) {
    view = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  try {
    std::size_t used = 0;
    const long long id = std::stoll(rest, &used);
    if (used == rest.size() && id > 0 && (view == "first" || view == "repeat"))
      return std::pair<int64_t, std::string>{id, view};
  } catch (...) {
  }
  return Status(Code::kUsage, "a group is g:N or g:N:repeat (N its id), got '" + which + "'");
}

StatusOr<Side> load_side(store::Database& db, const std::string& which) {
  std::string name;
  StatusOr<int64_t> id = Status(Code::kUsage, "");
  if (which.rfind("g:", 0) == 0) {
    auto group = parse_group(which);
    if (!group.ok()) return group.status();
    id = db.group_median_run(group.value().first, group.value().second);
    if (!id.ok()) return id.status();
    // A group with repeat views names the view even for g:N, so that its first view is
    // never taken for the whole group.
    auto stored = db.load_run_group(group.value().first);
    if (!stored.ok()) return stored.status();
    const bool views = stored.value().group.repeat_view || group.value().second != "first";
    name = "group " + std::to_string(group.value().first) + (views ? " " + group.value().second + " view" : "") +
           " (median run " + std::to_string(id.value()) + ")";
  } else {
    id = pick_run(db, which);
    if (!id.ok()) return id.status();
    name = "run " + std::to_string(id.value());
  }
  auto run = db.load_run(id.value());
  if (!run.ok()) return run.status();
  return Side{std::move(run).value(), name};
}

}  // namespace

int compare_command(const std::string& db_flag, const std::string& a, const std::string& b, const std::string& out,
                    const std::string& align_text) {
  const auto align = report::align_from_name(align_text);
  if (!align) return fail(Status(Code::kUsage, "--align must be start or first-byte, got '" + align_text + "'"));
  const std::string db_path = database_path(db_flag);
  auto db = store::Database::open_existing(db_path);
  if (!db.ok()) return fail(db.status());
  auto side_a = load_side(*db.value(), a);
  if (!side_a.ok()) return fail(side_a.status());
  auto side_b = load_side(*db.value(), b);
  if (!side_b.ok()) return fail(side_b.status());
  const Run& ra = side_a.value().run;
  const Run& rb = side_b.value().run;
  const report::CompareSides names{side_a.value().name, side_b.value().name};
  const report::Comparison c = report::compare_runs(ra, rb);
  TableStyle style;
  style.width = output_width();
  std::cout << format_compare(ra, rb, names, c, style);
  if (!out.empty()) {
    if (Status s = report::write_compare_html(ra, rb, names, *align, out, compare_mark(*db.value())); !s.ok())
      return fail(s);
    std::cout << "\n" << out << "\n";
  }
  return finish_output();
}

}  // namespace pageload::cli

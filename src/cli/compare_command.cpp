// `pageload compare A B [-o FILE] [--align start|first-byte]`: two stored runs side by
// side (report/compare.h), printed as text and, with -o, written as the HTML compare view.
#include <iostream>

#include "cli/commands.h"
#include "cli/compare_output.h"
#include "cli/output.h"
#include "report/compare_html.h"
#include "report/html.h"
#include "store/store.h"

namespace pageload::cli {

namespace {

// A side of the comparison: the run it names and what the title calls it.
struct Side {
  Run run;
  std::string name;
};

StatusOr<Side> load_side(store::Database& db, const std::string& which) {
  auto id = pick_run(db, which);
  if (!id.ok()) return id.status();
  auto run = db.load_run(id.value());
  if (!run.ok()) return run.status();
  return Side{std::move(run).value(), "run " + std::to_string(id.value())};
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
    if (Status s = report::write_compare_html(ra, rb, names, *align, out, report::database_marker(db_path)); !s.ok())
      return fail(s);
    std::cout << "\n" << out << "\n";
  }
  return finish_output();
}

}  // namespace pageload::cli

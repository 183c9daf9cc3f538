// `pageload report RUN... -o FILE.html`: the page listing several runs, each row linking to
// the run's own report (web/index.html.mustache).
#include <cstddef>
#include <string_view>

#include "report/format.h"
#include "report/html.h"
#include "report/view.h"

namespace pageload::embedded {
extern const char index_template[];
extern const std::size_t index_template_size;
}  // namespace pageload::embedded

namespace pageload::report {

std::string render_index(const std::vector<IndexEntry>& entries, const std::string& database) {
  Data runs = list();
  for (const IndexEntry& e : entries) {
    const Run& run = *e.run;
    const Run::Figures f = run.figures();
    Data row;
    put(row, "href", e.href);  // made by pageload from the run's id, never from the network
    put(row, "id", std::to_string(run.id));
    put(row, "started_at", text(run.started_at.empty() ? "—" : run.started_at));
    put(row, "outcome", std::string(outcome_name(run.outcome)));
    // As the batch summary marks it: `ok` alone never hides a certificate -k let through.
    put(row, "unverified", !unverified_text(run).empty());
    put(row, "error_class", run.failure ? Data{std::string(code_name(run.failure->code))} : Data{false});
    put(row, "status", run.final_status ? std::to_string(*run.final_status) : "—");
    put(row, "requests", std::to_string(f.requests));
    put(row, "failed", std::to_string(f.failed));
    const std::optional<double> load = run.load_ms ? run.load_ms : run.total_ms;
    put(row, "load", load ? format_ms(*load) : "—");
    put(row, "url", text(run.url));
    put(row, "label", optional_text(run.label));
    append(runs, std::move(row));
  }
  Data page;
  put(page, "runs", std::move(runs));
  put(page, "count", count_text(entries.size(), "run"));
  put(page, "database", database.empty() ? Data{false} : Data{database});
  kainjow::mustache::mustache tmpl(std::string(embedded::index_template, embedded::index_template_size));
  if (!tmpl.is_valid()) return "<!DOCTYPE html><p>index template error</p>";
  return tmpl.render(page);
}

}  // namespace pageload::report

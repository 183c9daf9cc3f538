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
    row.set("href", e.href);  // made by pageload from the run's id, never from the network
    row.set("id", std::to_string(run.id));
    row.set("started_at", text(run.started_at.empty() ? "—" : run.started_at));
    row.set("outcome", std::string(outcome_name(run.outcome)));
    // As the batch summary marks it: `ok` alone never hides a certificate -k let through.
    row.set("unverified", !unverified_text(run).empty());
    row.set("error_class", run.failure ? Data{std::string(code_name(run.failure->code))} : Data{false});
    row.set("status", run.final_status ? std::to_string(*run.final_status) : "—");
    row.set("requests", std::to_string(f.requests));
    row.set("failed", std::to_string(f.failed));
    const std::optional<double> load = run.load_ms ? run.load_ms : run.total_ms;
    row.set("load", load ? format_ms(*load) : "—");
    row.set("url", text(run.url));
    row.set("label", optional_text(run.label));
    runs.push_back(row);
  }
  Data page;
  page.set("runs", runs);
  page.set("count", count_text(entries.size(), "run"));
  page.set("database", database.empty() ? Data{false} : Data{database});
  kainjow::mustache::mustache tmpl(std::string(embedded::index_template, embedded::index_template_size));
  if (!tmpl.is_valid()) return "<!DOCTYPE html><p>index template error</p>";
  return tmpl.render(page);
}

}  // namespace pageload::report

// Database's reading of run groups through the group_medians view (schema.sql): which run
// is a group's median, as `pageload compare g:N` resolves it.
#include "store/sqlite_handle.h"
#include "store/store.h"

namespace pageload::store {

namespace {

constexpr char kSelectGroupMedian[] =
    "SELECT run_id FROM group_medians WHERE group_id = ?1 AND view IS ?2";
constexpr char kCountGroupRuns[] = "SELECT count(*) FROM runs WHERE group_id = ?1 AND view IS ?2";
constexpr char kCountAllGroupRuns[] = "SELECT count(*) FROM runs WHERE group_id = ?1";

}  // namespace

StatusOr<int64_t> Database::group_median_run(int64_t group_id, const std::string& view) {
  auto st = db_->prepare(kSelectGroupMedian);
  if (!st.ok()) return st.status();
  (*st)->bind_all(group_id, view);
  auto row = (*st)->step();
  if (!row.ok()) return row.status();
  if (*row) {
    const int64_t id = (*st)->int64(0);
    (*st)->reset();
    return id;
  }
  auto count = db_->prepare(kCountGroupRuns);
  if (!count.ok()) return count.status();
  (*count)->bind_all(group_id, view);
  auto counted = (*count)->step();
  if (!counted.ok()) return counted.status();
  const int64_t runs = *counted ? (*count)->int64(0) : 0;
  (*count)->reset();
  const std::string name = "group " + std::to_string(group_id) + (view == "first" ? "" : " (" + view + " view)");
  if (runs == 0 && view == "repeat") {
    // A group there is, made without --repeat-view: say that, not that there is no group.
    auto all = db_->prepare(kCountAllGroupRuns);
    if (!all.ok()) return all.status();
    (*all)->bind_all(group_id);
    auto any = (*all)->step();
    if (!any.ok()) return any.status();
    const int64_t group_runs = *any ? (*all)->int64(0) : 0;
    (*all)->reset();
    if (group_runs > 0)
      return Status(Code::kUsage, "run group " + std::to_string(group_id) +
                                      " has no repeat views (it was made without --repeat-view; run -n N --repeat-view "
                                      "URL makes a group with them)");
  }
  if (runs == 0) return Status(Code::kUsage, "no run " + name + " in " + path());
  return Status(Code::kUsage, name + " has no median: none of its " + std::to_string(runs) +
                                  " runs has a load time (or, with --document-only, a document time)");
}

}  // namespace pageload::store

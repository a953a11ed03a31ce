#include "registry/db/node_state.h"

#include <map>
#include <string>

namespace glance::registry {

using common::Error;

namespace {
// wsrep_local_state of a node that has caught up with the cluster and follows it.
constexpr const char* kSynced = "4";
}  // namespace

Result<void> judge_galera_status(const std::vector<SqlRow>& rows) {
  std::map<std::string, std::string> status;
  for (const auto& row : rows)
    if (row.size() == 2 && row[0] && row[1]) status[*row[0]] = *row[1];
  auto value = [&](const char* name) {
    auto it = status.find(name);
    return it == status.end() ? std::string("unknown") : it->second;
  };
  if (value("wsrep_ready") != "ON")
    return Error::unavailable("the Galera node is not ready (wsrep_ready " + value("wsrep_ready") +
                              ", wsrep_cluster_status " + value("wsrep_cluster_status") + ")");
  if (value("wsrep_cluster_status") != "Primary")
    return Error::unavailable(
        "the Galera node is not in the primary component "
        "(wsrep_cluster_status " +
        value("wsrep_cluster_status") + ")");
  if (value("wsrep_local_state") != kSynced)
    return Error::unavailable("the Galera node is not synced (wsrep_local_state " +
                              value("wsrep_local_state") + ", " +
                              value("wsrep_local_state_comment") + ")");
  return {};
}

Result<void> check_node_serves(MysqlConnection& db) {
  if (!db.galera_node()) {
    auto rows = db.query("SELECT 1");
    if (!rows) return rows.error();
    return {};
  }
  // Without waiting for the cluster's writes (wsrep_sync_wait): a lagging node must be told
  // at once, not after it has caught up or the wait has timed out.
  auto rows = db.query(
      "SET STATEMENT wsrep_sync_wait = 0 FOR SHOW GLOBAL STATUS WHERE Variable_name IN "
      "('wsrep_ready', 'wsrep_cluster_status', 'wsrep_local_state', "
      "'wsrep_local_state_comment')");
  if (!rows) return rows.error();
  return judge_galera_status(*rows);
}

}  // namespace glance::registry

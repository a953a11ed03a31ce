// Whether a Galera node may serve, judged from its wsrep status rows.

#include "registry/db/node_state.h"

#include <gtest/gtest.h>

namespace glance::registry {
namespace {

std::vector<SqlRow> status(const std::string& ready, const std::string& cluster,
                           const std::string& state, const std::string& comment) {
  return {{"wsrep_cluster_status", cluster},
          {"wsrep_local_state", state},
          {"wsrep_local_state_comment", comment},
          {"wsrep_ready", ready}};
}

std::string reason(const Result<void>& r) {
  EXPECT_FALSE(r);
  EXPECT_EQ(r ? common::Errc::internal : r.error().code(), common::Errc::unavailable);
  return r ? std::string() : r.error().message();
}

TEST(NodeState, ASyncedReadyPrimaryNodeServes) {
  EXPECT_TRUE(judge_galera_status(status("ON", "Primary", "4", "Synced")));
}

TEST(NodeState, DonorsJoinersAndDesyncedNodesDoNot) {
  EXPECT_EQ(reason(judge_galera_status(status("ON", "Primary", "2", "Donor/Desynced"))),
            "the Galera node is not synced (wsrep_local_state 2, Donor/Desynced)");
  EXPECT_NE(reason(judge_galera_status(status("ON", "Primary", "1", "Joining"))).find("Joining"),
            std::string::npos);
  EXPECT_NE(reason(judge_galera_status(status("ON", "Primary", "3", "Joined"))).find("Joined"),
            std::string::npos);
}

TEST(NodeState, ANodeCutOffOrNotReadyDoesNot) {
  EXPECT_EQ(reason(judge_galera_status(status("OFF", "non-Primary", "0", "Initialized"))),
            "the Galera node is not ready (wsrep_ready OFF, wsrep_cluster_status non-Primary)");
  // Whatever its local state says.
  EXPECT_NE(reason(judge_galera_status(status("ON", "non-Primary", "4", "Synced")))
                .find("not in the primary component"),
            std::string::npos);
  EXPECT_NE(reason(judge_galera_status(status("OFF", "Primary", "4", "Synced"))).find("ready"),
            std::string::npos);
}

TEST(NodeState, MissingOrNullRowsCountAsWrong) {
  EXPECT_NE(reason(judge_galera_status({})).find("unknown"), std::string::npos);
  auto rows = status("ON", "Primary", "4", "Synced");
  rows[1][1].reset();  // wsrep_local_state NULL
  EXPECT_NE(reason(judge_galera_status(rows)).find("wsrep_local_state unknown"), std::string::npos);
  rows = status("ON", "Primary", "4", "Synced");
  rows.push_back({"wsrep_ready"});  // a malformed row is ignored, not taken for a value
  EXPECT_TRUE(judge_galera_status(rows));
  // Values are compared exactly: no case folding, no trimming.
  EXPECT_FALSE(judge_galera_status(status("on", "Primary", "4", "Synced")));
  EXPECT_FALSE(judge_galera_status(status("ON", "primary", "4", "Synced")));
  EXPECT_FALSE(judge_galera_status(status("ON", "Primary", "4 ", "Synced")));
  EXPECT_FALSE(judge_galera_status(status("ON", "Primary", "40", "Synced")));
}

}  // namespace
}  // namespace glance::registry

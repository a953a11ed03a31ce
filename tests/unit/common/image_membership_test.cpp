// The v2 membership codec between the daemons: statuses, documents and the checks on what
// the registry answers.

#include "common/image_membership.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace glance::common {
namespace {

using nlohmann::json;

TEST(ImageMembership, StatusesRoundTripAndNothingElseParses) {
  for (auto s : {MemberStatus::pending, MemberStatus::accepted, MemberStatus::rejected})
    EXPECT_EQ(member_status_from_string(to_string(s)), s);
  for (const char* bad : {"", "Pending", "all", "accepted ", "rejected\n"})
    EXPECT_EQ(member_status_from_string(bad), std::nullopt) << bad;
}

TEST(ImageMembership, DocumentsReadBack) {
  const ImageMembership m{"img", "t2", MemberStatus::accepted, "2026-01-02T03:04:05.000006",
                          "2026-01-02T03:04:06.000000"};
  auto one = json::parse(membership_document(m));
  auto back = membership_from_json(one["member"]);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->image_id, "img");
  EXPECT_EQ(back->member_id, "t2");
  EXPECT_EQ(back->status, MemberStatus::accepted);
  EXPECT_EQ(back->created_at, m.created_at);
  EXPECT_EQ(back->updated_at, m.updated_at);
  auto many = json::parse(memberships_document({m, m}));
  EXPECT_EQ(many["members"].size(), 2u);
  EXPECT_EQ(json::parse(memberships_document({})), json({{"members", json::array()}}));
}

TEST(ImageMembership, IncompleteOrUnknownAnswersAreInternal) {
  const json good = membership_json({"img", "t2", MemberStatus::pending, "a", "b"});
  for (const char* key : {"image_id", "member_id", "status", "created_at", "updated_at"}) {
    json missing = good;
    missing.erase(key);
    auto r = membership_from_json(missing);
    ASSERT_FALSE(r) << key;
    EXPECT_EQ(r.error().code(), Errc::internal);
    json wrong_type = good;
    wrong_type[key] = 5;
    EXPECT_FALSE(membership_from_json(wrong_type)) << key;
  }
  json unknown = good;
  unknown["status"] = "maybe";
  EXPECT_FALSE(membership_from_json(unknown));
  EXPECT_FALSE(membership_from_json(json::array()));
  EXPECT_FALSE(membership_from_json(json("text")));
}

}  // namespace
}  // namespace glance::common

#include "common/notify/notification.h"

#include <gtest/gtest.h>

namespace glance::common::notify {
namespace {

using nlohmann::json;
using namespace std::chrono;

MessageStamp stamp() {
  // 2026-12-04 15:19:04.449976 UTC
  return {"image.localhost", "2f908598-5b7e-4bd4-9a53-0c2a1c9a0a11",
          "4bc97561b21a4952b782c1298faac3aa",
          system_clock::time_point(seconds(1796397544) + microseconds(449976))};
}

TEST(NotificationTest, TimestampIsPythonsStrOfUtcnow) {
  EXPECT_EQ(format_timestamp(stamp().timestamp), "2026-12-04 15:19:04.449976");
  EXPECT_EQ(format_timestamp(system_clock::time_point(seconds(0))), "1970-01-01 00:00:00.000000");
}

TEST(NotificationTest, MessagingV2WrapsTheMessageAsAJsonString) {
  Notification n{Priority::info, "image.upload", json{{"id", "abc"}, {"size", 5}}};
  auto outer = json::parse(messaging_v2_body(n, stamp()));
  ASSERT_EQ(outer.size(), 2u);
  EXPECT_EQ(outer["oslo.version"], "2.0");
  ASSERT_TRUE(outer["oslo.message"].is_string());
  auto inner = json::parse(outer["oslo.message"].get<std::string>());
  EXPECT_EQ(inner["message_id"], "2f908598-5b7e-4bd4-9a53-0c2a1c9a0a11");
  EXPECT_EQ(inner["publisher_id"], "image.localhost");
  EXPECT_EQ(inner["event_type"], "image.upload");
  EXPECT_EQ(inner["priority"], "INFO");
  EXPECT_EQ(inner["payload"], (json{{"id", "abc"}, {"size", 5}}));
  EXPECT_EQ(inner["timestamp"], "2026-12-04 15:19:04.449976");
  EXPECT_EQ(inner["_unique_id"], "4bc97561b21a4952b782c1298faac3aa");
  EXPECT_EQ(inner.size(), 7u);
}

TEST(NotificationTest, MessagingV1SendsTheMessageItself) {
  Notification n{Priority::error, "image.upload", "Image storage media is full"};
  auto message = json::parse(messaging_v1_body(n, stamp()));
  EXPECT_EQ(message["priority"], "ERROR");
  EXPECT_EQ(message["payload"], "Image storage media is full");
  EXPECT_FALSE(message.contains("oslo.version"));
}

TEST(NotificationTest, PrioritiesRouteByLowerCaseKey) {
  EXPECT_STREQ(priority_key(Priority::info), "info");
  EXPECT_STREQ(priority_key(Priority::error), "error");
  EXPECT_STREQ(priority_name(Priority::warn), "WARN");
}

TEST(NotificationTest, InvalidUtf8InAPayloadIsReplacedNotThrown) {
  Notification n{Priority::info, "image.create", json{{"name", std::string("bad\xff\xfe")}}};
  std::string body;
  ASSERT_NO_THROW(body = messaging_v2_body(n, stamp()));
  auto inner = json::parse(json::parse(body)["oslo.message"].get<std::string>());
  EXPECT_EQ(inner["payload"]["name"], "bad\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(NotificationTest, DisabledNamesAnEventOrItsGroup) {
  EXPECT_FALSE(is_disabled("image.create", {}));
  EXPECT_TRUE(is_disabled("image.create", {"image.create"}));
  EXPECT_FALSE(is_disabled("image.update", {"image.create"}));
  EXPECT_TRUE(is_disabled("image.update", {"task", "image"}));
  // The group is the part before the first dot only, as Glance splits it.
  EXPECT_TRUE(is_disabled("image.member.create", {"image"}));
  EXPECT_FALSE(is_disabled("image.member.create", {"image.member"}));
  EXPECT_FALSE(is_disabled("image.send", {"imag", "*"}));
}

}  // namespace
}  // namespace glance::common::notify

#include "common/notify/transport_url.h"

#include <gtest/gtest.h>

namespace glance::common::notify {
namespace {

TEST(TransportUrlTest, OneBrokerWithCredentialsAndVirtualHost) {
  auto url = parse_transport_url("rabbit://glance:s3cret@mq.example:5673/openstack");
  ASSERT_TRUE(url) << url.error().message();
  ASSERT_EQ(url->brokers.size(), 1u);
  EXPECT_EQ(url->brokers[0].host, "mq.example");
  EXPECT_EQ(url->brokers[0].port, 5673);
  EXPECT_EQ(url->brokers[0].user, "glance");
  EXPECT_EQ(url->brokers[0].password, "s3cret");
  EXPECT_EQ(url->virtual_host, "openstack");
}

TEST(TransportUrlTest, DefaultsAreOslosAndRabbitmqs) {
  auto url = parse_transport_url("rabbit://localhost/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->brokers[0].port, 5672);
  EXPECT_EQ(url->brokers[0].user, "guest");
  EXPECT_EQ(url->brokers[0].password, "guest");
  EXPECT_EQ(url->virtual_host, "/");
  ASSERT_TRUE(parse_transport_url("rabbit://h"));
  EXPECT_EQ(parse_transport_url("rabbit://h")->virtual_host, "/");
}

TEST(TransportUrlTest, SeveralBrokersInOrder) {
  auto url = parse_transport_url("rabbit://a:pa@h1:1001,b:pb@h2,[::1]:1003/");
  ASSERT_TRUE(url) << url.error().message();
  ASSERT_EQ(url->brokers.size(), 3u);
  EXPECT_EQ(url->brokers[0].host, "h1");
  EXPECT_EQ(url->brokers[1].user, "b");
  EXPECT_EQ(url->brokers[1].port, 5672);
  EXPECT_EQ(url->brokers[2].host, "::1");
  EXPECT_EQ(url->brokers[2].port, 1003);
  EXPECT_EQ(url->brokers[2].user, "guest");
}

TEST(TransportUrlTest, PercentEncodingIsDecoded) {
  auto url = parse_transport_url("rabbit://us%40er:p%3Ass%2F@h:1/v%2Fh");
  ASSERT_TRUE(url) << url.error().message();
  EXPECT_EQ(url->brokers[0].user, "us@er");
  EXPECT_EQ(url->brokers[0].password, "p:ss/");
  EXPECT_EQ(url->virtual_host, "v/h");
}

TEST(TransportUrlTest, RefusesWhatTheRabbitDriverCannotUse) {
  for (const char* bad :
       {"", "localhost", "amqp://h/", "kafka://h:9092", "rabbit://", "rabbit://u:p@/",
        "rabbit://h:0/", "rabbit://h:70000/", "rabbit://h:x/", "rabbit://u:p%zz@h/",
        "rabbit://u:p%4@h/", "rabbit://[::1/", "rabbit://h/?ssl=1", "rabbit://h1,/"}) {
    auto url = parse_transport_url(bad);
    EXPECT_FALSE(url) << bad;
  }
}

TEST(TransportUrlTest, ErrorsNeverRepeatThePassword) {
  auto url = parse_transport_url("rabbit://u:topsecret@h:99999/");
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().message().find("topsecret"), std::string::npos);
}

}  // namespace
}  // namespace glance::common::notify

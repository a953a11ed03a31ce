#include "common/notify/notification_options.h"

#include <gtest/gtest.h>

namespace glance::common::notify {
namespace {

NotificationOptions load(const std::string& ini, std::vector<std::string>* errors = nullptr) {
  auto file = ConfigFile::from_string(ini);
  auto options = load_notification_options(file);
  if (errors) *errors = file.errors();
  return options;
}

bool mentions(const std::vector<std::string>& errors, const std::string& what) {
  for (const auto& e : errors)
    if (e.find(what) != std::string::npos) return true;
  return false;
}

TEST(NotificationOptionsTest, DefaultsSendNothing) {
  std::vector<std::string> errors;
  auto o = load("", &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(o.drivers.empty());
  EXPECT_EQ(o.topics, std::vector<std::string>{"notifications"});
  EXPECT_EQ(o.exchange, "glance");
  EXPECT_EQ(o.publisher_id, "image.localhost");
  EXPECT_FALSE(o.durable);
  EXPECT_FALSE(o.transport);
}

TEST(NotificationOptionsTest, ReadsUpstreamsNames) {
  std::vector<std::string> errors;
  auto o = load(
      "[DEFAULT]\ncontrol_exchange = images\ndefault_publisher_id = image.node1\n"
      "disabled_notifications = image.send, task\n"
      "[oslo_messaging_notifications]\ndriver = messagingv2\ntopics = notifications,audit\n"
      "transport_url = rabbit://u:p@mq:5673/\n[oslo_messaging_rabbit]\namqp_durable_queues = "
      "true\n",
      &errors);
  EXPECT_TRUE(errors.empty()) << errors.front();
  ASSERT_EQ(o.drivers.size(), 1u);
  EXPECT_EQ(o.drivers[0], NotifyDriver::messagingv2);
  EXPECT_EQ(o.topics, (std::vector<std::string>{"notifications", "audit"}));
  EXPECT_EQ(o.exchange, "images");
  EXPECT_EQ(o.publisher_id, "image.node1");
  EXPECT_EQ(o.disabled, (std::vector<std::string>{"image.send", "task"}));
  ASSERT_TRUE(o.transport);
  EXPECT_EQ(o.transport->brokers[0].port, 5673);
  EXPECT_TRUE(o.durable);
}

TEST(NotificationOptionsTest, TransportUrlFallsBackToDefault) {
  auto o = load(
      "[DEFAULT]\ntransport_url = rabbit://h:1/\n"
      "[oslo_messaging_notifications]\ndriver = messaging\n");
  ASSERT_TRUE(o.transport);
  EXPECT_EQ(o.transport->brokers[0].host, "h");
}

TEST(NotificationOptionsTest, SeveralDriversOnSeveralLines) {
  std::vector<std::string> errors;
  auto o = load(
      "[oslo_messaging_notifications]\ndriver = log\ndriver = messagingv2\n"
      "transport_url = rabbit://h/\n",
      &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(o.drivers, (std::vector<NotifyDriver>{NotifyDriver::log, NotifyDriver::messagingv2}));
}

TEST(NotificationOptionsTest, NoopSendsNothing) {
  std::vector<std::string> errors;
  auto o = load("[oslo_messaging_notifications]\ndriver = noop\n", &errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(o.drivers.empty());
}

TEST(NotificationOptionsTest, UnknownDriverIsRefusedNamingTheOption) {
  std::vector<std::string> errors;
  load("[oslo_messaging_notifications]\ndriver = routing\n", &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(mentions(errors, "driver")) << errors[0];
  EXPECT_TRUE(mentions(errors, "routing")) << errors[0];
}

TEST(NotificationOptionsTest, MessagingWithoutTransportIsRefused) {
  std::vector<std::string> errors;
  load("[oslo_messaging_notifications]\ndriver = messagingv2\n", &errors);
  EXPECT_TRUE(mentions(errors, "transport_url"));
  errors.clear();
  load("[oslo_messaging_notifications]\ndriver = log\n", &errors);
  EXPECT_TRUE(errors.empty());
}

TEST(NotificationOptionsTest, BadTransportUrlIsRefusedWithoutThePassword) {
  std::vector<std::string> errors;
  load(
      "[oslo_messaging_notifications]\ndriver = messagingv2\n"
      "transport_url = amqp://u:hunter2@h/\n",
      &errors);
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(mentions(errors, "transport_url"));
  EXPECT_FALSE(mentions(errors, "hunter2"));
}

}  // namespace
}  // namespace glance::common::notify

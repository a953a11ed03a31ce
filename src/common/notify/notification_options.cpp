#include "common/notify/notification_options.h"

#include <sstream>

namespace glance::common::notify {

namespace {

constexpr const char* kSection = "oslo_messaging_notifications";

std::optional<NotifyDriver> driver_named(const std::string& name) {
  if (name == "noop") return NotifyDriver::noop;
  if (name == "log") return NotifyDriver::log;
  if (name == "messaging") return NotifyDriver::messaging;
  if (name == "messagingv2") return NotifyDriver::messagingv2;
  return std::nullopt;
}

}  // namespace

NotificationOptions load_notification_options(ConfigFile& file) {
  NotificationOptions o;
  bool needs_broker = false;
  // A MultiStrOpt: one driver per line, several lines for several drivers; commas also
  // separate them here.
  std::vector<std::string> names;
  for (const auto& line : file.get_multi(kSection, "driver")) {
    std::istringstream items(line);
    for (std::string item; std::getline(items, item, ',');) {
      auto b = item.find_first_not_of(" \t");
      if (b != std::string::npos)
        names.push_back(item.substr(b, item.find_last_not_of(" \t") - b + 1));
    }
  }
  for (const auto& name : names) {
    auto driver = driver_named(name);
    if (!driver) {
      file.add_error(kSection, "driver",
                     "unknown driver " + name + " (noop, log, messaging or messagingv2)");
      continue;
    }
    if (*driver == NotifyDriver::noop) continue;
    needs_broker |= *driver == NotifyDriver::messaging || *driver == NotifyDriver::messagingv2;
    o.drivers.push_back(*driver);
  }
  o.topics = file.get_list(kSection, "topics", o.topics);
  if (o.topics.empty()) file.add_error(kSection, "topics", "must name at least one topic");
  std::string section = kSection;
  auto url = file.get_string(kSection, "transport_url", "");
  if (url.empty()) {
    section = "DEFAULT";
    url = file.get_string("DEFAULT", "transport_url", "");
  }
  if (!url.empty()) {
    auto parsed = parse_transport_url(url);
    if (!parsed)
      file.add_error(section, "transport_url", parsed.error().message());
    else
      o.transport = std::move(*parsed);
  } else if (needs_broker) {
    file.add_error(kSection, "transport_url",
                   "is needed by the messaging drivers (here or in [DEFAULT])");
  }
  file.accept(kSection, "retry");
  o.exchange = file.get_string("DEFAULT", "control_exchange", o.exchange);
  o.publisher_id = file.get_string("DEFAULT", "default_publisher_id", o.publisher_id);
  o.disabled = file.get_list("DEFAULT", "disabled_notifications", {});
  o.durable = file.get_bool("oslo_messaging_rabbit", "amqp_durable_queues", false);
  o.auto_delete = file.get_bool("oslo_messaging_rabbit", "amqp_auto_delete", false);
  o.max_queued =
      static_cast<size_t>(file.get_int(kSection, "max_queued_notifications", 10000, 1, 10000000));
  o.max_reconnect_delay =
      std::chrono::milliseconds(file.get_int(kSection, "max_reconnect_delay_ms", 5000, 10, 600000));
  return o;
}

}  // namespace glance::common::notify

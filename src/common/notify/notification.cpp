#include "common/notify/notification.h"

#include "common/clock.h"

#include <algorithm>

namespace glance::common::notify {

const char* priority_name(Priority priority) {
  switch (priority) {
    case Priority::warn:
      return "WARN";
    case Priority::error:
      return "ERROR";
    case Priority::info:
      break;
  }
  return "INFO";
}

const char* priority_key(Priority priority) {
  switch (priority) {
    case Priority::warn:
      return "warn";
    case Priority::error:
      return "error";
    case Priority::info:
      break;
  }
  return "info";
}

std::string format_timestamp(std::chrono::system_clock::time_point when) {
  auto text =
      common::format_timestamp(std::chrono::time_point_cast<std::chrono::microseconds>(when));
  text[10] = ' ';
  return text;
}

nlohmann::json notification_message(const Notification& n, const MessageStamp& stamp) {
  return {{"message_id", stamp.message_id}, {"publisher_id", stamp.publisher_id},
          {"event_type", n.event_type},     {"priority", priority_name(n.priority)},
          {"payload", n.payload},           {"timestamp", format_timestamp(stamp.timestamp)},
          {"_unique_id", stamp.unique_id}};
}

std::string messaging_v2_body(const Notification& n, const MessageStamp& stamp) {
  // Invalid UTF-8 in a payload (an image name is the client's) is replaced rather than
  // thrown on: a notification never fails the request that caused it.
  const auto inner =
      notification_message(n, stamp).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json{{"oslo.version", "2.0"}, {"oslo.message", inner}}.dump();
}

std::string messaging_v1_body(const Notification& n, const MessageStamp& stamp) {
  return notification_message(n, stamp).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace);
}

bool is_disabled(const std::string& event_type, const std::vector<std::string>& disabled) {
  const auto group = event_type.substr(0, event_type.find('.'));
  return std::any_of(disabled.begin(), disabled.end(), [&](const std::string& entry) {
    return entry == event_type || entry == group;
  });
}

}  // namespace glance::common::notify

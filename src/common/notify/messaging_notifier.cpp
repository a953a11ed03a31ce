#include "common/notify/messaging_notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace glance::common::notify {

namespace {

spdlog::level::level_enum log_level(Priority p) {
  switch (p) {
    case Priority::warn:
      return spdlog::level::warn;
    case Priority::error:
      return spdlog::level::err;
    case Priority::info:
      break;
  }
  return spdlog::level::info;
}

}  // namespace

MessagingNotifier::MessagingNotifier(NotificationOptions options, IdGenerator& ids,
                                     const Clock& clock, RabbitPublisher* publisher)
    : options_(std::move(options)), ids_(ids), clock_(clock), publisher_(publisher) {}

void MessagingNotifier::notify(Notification n) {
  if (options_.drivers.empty() || is_disabled(n.event_type, options_.disabled)) return;
  MessageStamp stamp{options_.publisher_id, ids_.new_id(), ids_.new_id(), clock_.now()};
  stamp.unique_id.erase(std::remove(stamp.unique_id.begin(), stamp.unique_id.end(), '-'),
                        stamp.unique_id.end());
  for (auto driver : options_.drivers) {
    if (driver == NotifyDriver::log) {
      spdlog::log(log_level(n.priority), "notification {}: {}", n.event_type,
                  messaging_v1_body(n, stamp));
      continue;
    }
    if (!publisher_) continue;
    auto body = driver == NotifyDriver::messagingv2 ? messaging_v2_body(n, stamp)
                                                    : messaging_v1_body(n, stamp);
    for (const auto& topic : options_.topics)
      publisher_->enqueue({topic + "." + priority_key(n.priority), body});
  }
}

}  // namespace glance::common::notify

#pragma once

#include "common/clock.h"
#include "common/image_id.h"
#include "common/notify/notification_options.h"
#include "common/notify/notifier.h"
#include "common/notify/rabbit_publisher.h"

namespace glance::common::notify {

// The Notifier of the configured drivers, as oslo.messaging's Notifier: skips the events
// disabled_notifications names, stamps each event (publisher_id, a fresh message id, the time
// from `clock`), then hands it to every driver: log writes the message to the daemon's log
// at the event's priority, messaging and messagingv2 queue its body on `publisher` once per
// topic, routed as "<topic>.<priority>". Building a message costs a JSON serialization on the
// caller's thread; no I/O. `ids`, `clock` and `publisher` (may be null without a messaging
// driver) must outlive it. Thread-safe.
class MessagingNotifier final : public Notifier {
 public:
  MessagingNotifier(NotificationOptions options, IdGenerator& ids, const Clock& clock,
                    RabbitPublisher* publisher);

  // glance::common::notify::Notifier
  void notify(Notification notification) override;

 private:
  NotificationOptions options_;
  IdGenerator& ids_;
  const Clock& clock_;
  RabbitPublisher* publisher_;
};

}  // namespace glance::common::notify

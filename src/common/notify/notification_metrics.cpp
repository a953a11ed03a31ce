#include "common/notify/notification_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

namespace glance::common::notify {

void add_notification_metrics(metrics::Metrics& metrics, const RabbitPublisher& publisher) {
  auto& registry = metrics.registry();
  auto& queued = prometheus::BuildGauge()
                     .Name("glance_notifications_queued")
                     .Help("Notifications waiting to be published to the message broker.")
                     .Register(registry)
                     .Add({});
  auto& connected = prometheus::BuildGauge()
                        .Name("glance_notifications_broker_connected")
                        .Help("1 while connected to the message broker, else 0.")
                        .Register(registry)
                        .Add({});
  auto& sent = prometheus::BuildCounter()
                   .Name("glance_notifications_sent_total")
                   .Help("Notifications the message broker confirmed.")
                   .Register(registry)
                   .Add({});
  auto& dropped = prometheus::BuildCounter()
                      .Name("glance_notifications_dropped_total")
                      .Help("Notifications lost: the queue was full, or the broker refused them.")
                      .Register(registry)
                      .Add({});
  metrics.on_scrape([&publisher, &queued, &connected, &sent, &dropped] {
    auto s = publisher.stats();
    queued.Set(static_cast<double>(s.queued));
    connected.Set(s.connected ? 1 : 0);
    // Counters only grow: add what happened since the last scrape.
    sent.Increment(static_cast<double>(s.sent) - sent.Value());
    dropped.Increment(static_cast<double>(s.dropped) - dropped.Value());
  });
}

}  // namespace glance::common::notify

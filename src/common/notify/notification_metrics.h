#pragma once

#include "common/metrics/metrics.h"
#include "common/notify/rabbit_publisher.h"

namespace glance::common::notify {

// The publisher's state, read at each scrape: glance_notifications_queued (waiting for the
// broker), glance_notifications_sent_total (confirmed by it), glance_notifications_dropped_total
// (lost: queue full or refused) and glance_notifications_broker_connected (1 or 0).
// `publisher` must outlive `metrics`' scrapes.
void add_notification_metrics(metrics::Metrics& metrics, const RabbitPublisher& publisher);

}  // namespace glance::common::notify

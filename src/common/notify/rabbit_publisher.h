#pragma once

#include "common/notify/transport_url.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace glance::common::notify {

// One message for the broker: published to the exchange with `routing_key`, which also
// names the queue declared and bound for it (as oslo.messaging's notifier does).
struct OutgoingMessage {
  std::string routing_key;  // "<topic>.<priority>"
  std::string body;         // JSON
};

struct PublisherOptions {
  std::string exchange = "glance";
  bool durable = false;      // the exchange and the queues
  bool auto_delete = false;  // the exchange and the queues
  size_t max_queued = 10000;
  std::chrono::milliseconds max_reconnect_delay{5000};
  // How long one connect, login or publisher confirm may take before the broker counts as
  // gone.
  std::chrono::milliseconds io_timeout{5000};
};

struct PublisherStats {
  size_t queued = 0;     // waiting for the broker now
  uint64_t sent = 0;     // confirmed by the broker
  uint64_t dropped = 0;  // refused because the queue was full, or refused by the broker
  bool connected = false;
};

// Publishes messages to RabbitMQ (rabbitmq-c, whose calls block) from one thread of its own,
// fed by a bounded in-memory queue. enqueue() never blocks on the broker: when the queue is
// full the message is dropped and counted. The thread connects to the brokers of the
// transport URL in turn, with a growing pause between rounds, declares the exchange (topic)
// and each routing key's queue, and publishes with publisher confirms, so `sent` counts
// what the broker took; a message whose publish failed is sent again after reconnecting.
// Thread-safe. The destructor stops the thread (within io_timeout), dropping what is queued.
class RabbitPublisher {
 public:
  RabbitPublisher(TransportUrl url, PublisherOptions options);
  ~RabbitPublisher();
  RabbitPublisher(const RabbitPublisher&) = delete;
  RabbitPublisher& operator=(const RabbitPublisher&) = delete;

  // False when the message was dropped (queue full).
  bool enqueue(OutgoingMessage message);
  PublisherStats stats() const;

 private:
  class Connection;
  void run();
  // Waits for `delay` or until stopping; false when stopping.
  bool pause(std::chrono::milliseconds delay);

  const TransportUrl url_;
  const PublisherOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<OutgoingMessage> queue_;  // guarded by mutex_
  bool stopping_ = false;              // guarded by mutex_
  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<bool> connected_{false};
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace glance::common::notify

#include "common/notify/rabbit_publisher.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

namespace glance::common::notify {

namespace {

timeval to_timeval(std::chrono::milliseconds d) {
  return timeval{static_cast<time_t>(d.count() / 1000),
                 static_cast<suseconds_t>((d.count() % 1000) * 1000)};
}

amqp_bytes_t bytes_of(const std::string& s) {
  return amqp_bytes_t{s.size(), const_cast<char*>(s.data())};
}

std::string describe(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        auto* m = static_cast<amqp_connection_close_t*>(reply.reply.decoded);
        return "connection closed by the broker: " +
               std::string(static_cast<char*>(m->reply_text.bytes), m->reply_text.len);
      }
      if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        auto* m = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
        return "channel closed by the broker: " +
               std::string(static_cast<char*>(m->reply_text.bytes), m->reply_text.len);
      }
      return "broker error";
  }
  return "unknown reply";
}

}  // namespace

// One AMQP connection with channel 1 in confirm mode. Used by the publisher thread only.
class RabbitPublisher::Connection {
 public:
  Connection() : state_(amqp_new_connection()) {}
  ~Connection() {
    if (open_) amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Connects, logs in, opens the channel and declares the exchange; the error otherwise.
  std::optional<std::string> open(const BrokerAddress& broker, const std::string& vhost,
                                  const PublisherOptions& o) {
    auto* socket = amqp_tcp_socket_new(state_);
    if (!socket) return "cannot create a socket";
    auto timeout = to_timeval(o.io_timeout);
    amqp_set_handshake_timeout(state_, &timeout);
    amqp_set_rpc_timeout(state_, &timeout);
    if (int rc = amqp_socket_open_noblock(socket, broker.host.c_str(), broker.port, &timeout))
      return std::string("cannot connect: ") + amqp_error_string2(rc);
    // A broker that stops reading must not hold the publisher thread in send(2) forever.
    int fd = amqp_get_sockfd(state_);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    auto login = amqp_login(state_, vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN,
                            broker.user.c_str(), broker.password.c_str());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) return "login refused: " + describe(login);
    open_ = true;
    amqp_channel_open(state_, 1);
    if (auto e = check("channel.open")) return e;
    amqp_confirm_select(state_, 1);
    if (auto e = check("confirm.select")) return e;
    amqp_exchange_declare(state_, 1, bytes_of(o.exchange), amqp_cstring_bytes("topic"), 0,
                          o.durable, o.auto_delete, 0, amqp_empty_table);
    return check("exchange.declare " + o.exchange);
  }

  // The queue named after the routing key, bound to it, once per connection (oslo.messaging
  // does the same, so that nothing is lost before a consumer binds its own queue).
  std::optional<std::string> declare_queue(const std::string& key, const PublisherOptions& o) {
    if (declared_.count(key)) return std::nullopt;
    amqp_queue_declare(state_, 1, bytes_of(key), 0, o.durable, 0, o.auto_delete, amqp_empty_table);
    if (auto e = check("queue.declare " + key)) return e;
    amqp_queue_bind(state_, 1, bytes_of(key), bytes_of(o.exchange), bytes_of(key),
                    amqp_empty_table);
    if (auto e = check("queue.bind " + key)) return e;
    declared_.insert(key);
    return std::nullopt;
  }

  // Publishes and waits for the broker's confirm; the error otherwise.
  std::optional<std::string> publish(const OutgoingMessage& m, const PublisherOptions& o) {
    if (auto e = declare_queue(m.routing_key, o)) return e;
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_CONTENT_ENCODING_FLAG |
                   AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.content_encoding = amqp_cstring_bytes("utf-8");
    props.delivery_mode = 2;
    if (int rc = amqp_basic_publish(state_, 1, bytes_of(o.exchange), bytes_of(m.routing_key), 0, 0,
                                    &props, bytes_of(m.body)))
      return std::string("publish failed: ") + amqp_error_string2(rc);
    auto timeout = to_timeval(o.io_timeout);
    amqp_frame_t frame;
    int rc = amqp_simple_wait_frame_noblock(state_, &frame, &timeout);
    if (rc != AMQP_STATUS_OK) return std::string("no confirm: ") + amqp_error_string2(rc);
    if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_ACK_METHOD)
      return std::nullopt;
    if (frame.frame_type == AMQP_FRAME_METHOD && frame.payload.method.id == AMQP_BASIC_NACK_METHOD)
      return std::string("refused by the broker");
    return std::string("unexpected frame instead of a confirm");
  }

 private:
  std::optional<std::string> check(const std::string& what) {
    auto reply = amqp_get_rpc_reply(state_);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) return std::nullopt;
    return what + ": " + describe(reply);
  }

  amqp_connection_state_t state_;
  bool open_ = false;
  std::set<std::string> declared_;
};

RabbitPublisher::RabbitPublisher(TransportUrl url, PublisherOptions options)
    : url_(std::move(url)), options_(std::move(options)), thread_([this] { run(); }) {}

RabbitPublisher::~RabbitPublisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool RabbitPublisher::enqueue(OutgoingMessage message) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.max_queued) {
      dropped_++;
      return false;
    }
    queue_.push_back(std::move(message));
  }
  wake_.notify_one();
  return true;
}

PublisherStats RabbitPublisher::stats() const {
  PublisherStats s;
  {
    std::lock_guard lock(mutex_);
    s.queued = queue_.size();
  }
  s.sent = sent_;
  s.dropped = dropped_;
  s.connected = connected_;
  return s;
}

bool RabbitPublisher::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return stopping_; });
  return !stopping_;
}

void RabbitPublisher::run() {
  std::unique_ptr<Connection> connection;
  auto delay = std::chrono::milliseconds(100);
  size_t next_broker = 0;
  bool reported_down = false;
  // A message that fails on fresh connections again and again is the broker refusing it, not
  // an outage: it is dropped rather than blocking the ones behind it.
  int failures_of_front = 0;
  while (true) {
    OutgoingMessage message;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      message = queue_.front();
    }
    if (!connection) {
      const auto& broker = url_.brokers[next_broker];
      auto fresh = std::make_unique<Connection>();
      if (auto error = fresh->open(broker, url_.virtual_host, options_)) {
        if (!reported_down)
          spdlog::warn("notifications: broker {}:{} unavailable ({}); retrying, up to {} queued",
                       broker.host, broker.port, *error, options_.max_queued);
        reported_down = true;
        next_broker = (next_broker + 1) % url_.brokers.size();
        if (next_broker == 0) {
          if (!pause(delay)) return;
          delay = std::min(delay * 2, options_.max_reconnect_delay);
        }
        continue;
      }
      // Connections are rare (one per outage), so each is worth a line.
      spdlog::info("notifications: connected to {}:{}, exchange {}", broker.host, broker.port,
                   options_.exchange);
      reported_down = false;
      delay = std::chrono::milliseconds(100);
      connection = std::move(fresh);
      connected_ = true;
    }
    if (auto error = connection->publish(message, options_)) {
      spdlog::warn("notifications: {}; reconnecting", *error);
      connection.reset();
      connected_ = false;
      if (++failures_of_front < 3) continue;
      dropped_++;
    } else {
      sent_++;
    }
    failures_of_front = 0;
    std::lock_guard lock(mutex_);
    queue_.pop_front();
  }
}

}  // namespace glance::common::notify

#pragma once

#include "common/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace glance::common::notify {

// One broker of a transport URL.
struct BrokerAddress {
  std::string host;
  uint16_t port = 5672;
  std::string user = "guest";
  std::string password = "guest";
};

// oslo.messaging's transport_url for the rabbit driver:
// rabbit://user:pass@host:port[,user:pass@host2:port2]/virtual_host. User, password and
// virtual host are percent-decoded; a missing port is 5672, a missing user and password
// guest; an empty virtual host is "/" (RabbitMQ's default one).
struct TransportUrl {
  std::vector<BrokerAddress> brokers;  // tried in order
  std::string virtual_host = "/";
};

// Parses `url`. Fails with bad_request for another scheme than rabbit (or kombu, its old
// alias), no host, a bad port or bad percent-encoding. The message never repeats a password.
Result<TransportUrl> parse_transport_url(std::string_view url);

}  // namespace glance::common::notify

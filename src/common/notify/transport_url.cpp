#include "common/notify/transport_url.h"

#include "common/http/query_string.h"

#include <charconv>
#include <optional>

namespace glance::common::notify {

namespace {

Result<BrokerAddress> parse_broker(std::string_view part) {
  BrokerAddress broker;
  auto at = part.rfind('@');
  if (at != std::string_view::npos) {
    auto credentials = part.substr(0, at);
    part = part.substr(at + 1);
    auto colon = credentials.find(':');
    auto user = http::percent_decode(credentials.substr(0, colon));
    std::optional<std::string> password = std::string();
    if (colon != std::string_view::npos)
      password = http::percent_decode(credentials.substr(colon + 1));
    if (!user || !password)
      return Error::bad_request("transport_url: bad percent-encoding in the credentials");
    broker.user = *user;
    broker.password = *password;
  }
  std::string_view host = part;
  std::string_view port;
  if (!part.empty() && part.front() == '[') {
    auto close = part.find(']');
    if (close == std::string_view::npos)
      return Error::bad_request("transport_url: unterminated IPv6 address");
    host = part.substr(1, close - 1);
    auto rest = part.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Error::bad_request("transport_url: bad host");
      port = rest.substr(1);
    }
  } else if (auto colon = part.rfind(':'); colon != std::string_view::npos) {
    host = part.substr(0, colon);
    port = part.substr(colon + 1);
  }
  if (host.empty()) return Error::bad_request("transport_url: no host");
  broker.host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return Error::bad_request("transport_url: bad port");
    broker.port = static_cast<uint16_t>(value);
  }
  return broker;
}

}  // namespace

Result<TransportUrl> parse_transport_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return Error::bad_request("transport_url: not a URL (rabbit://user:pass@host:port/vhost)");
  auto scheme = url.substr(0, scheme_end);
  if (scheme != "rabbit" && scheme != "kombu")
    return Error::bad_request("transport_url: unsupported scheme " + std::string(scheme) +
                              " (rabbit only)");
  auto rest = url.substr(scheme_end + 3);
  // Query options (ssl=1, ...) are oslo.messaging's; none is supported here.
  if (rest.find('?') != std::string_view::npos)
    return Error::bad_request("transport_url: query options are not supported");
  auto slash = rest.find('/');
  auto hosts = rest.substr(0, slash);
  TransportUrl out;
  if (slash != std::string_view::npos) {
    auto vhost = http::percent_decode(rest.substr(slash + 1));
    if (!vhost)
      return Error::bad_request("transport_url: bad percent-encoding in the virtual host");
    if (!vhost->empty()) out.virtual_host = *vhost;
  }
  while (true) {
    auto comma = hosts.find(',');
    auto broker = parse_broker(hosts.substr(0, comma));
    if (!broker) return broker.error();
    out.brokers.push_back(std::move(*broker));
    if (comma == std::string_view::npos) break;
    hosts = hosts.substr(comma + 1);
  }
  return out;
}

}  // namespace glance::common::notify

#include "registry/db/database_url.h"

#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

namespace glance::registry {

std::string DatabaseUrl::redacted() const {
  std::string where = unix_socket.empty() ? host + ":" + std::to_string(port) : unix_socket;
  return "mysql://" + user + (password.empty() ? "" : ":***") + "@" + where + "/" + database;
}

Result<DatabaseUrl> parse_database_url(const std::string& text) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return Error::bad_request("[database] connection is not a valid URL");
  const auto& url = *parsed;
  std::string scheme(url.scheme());
  if (scheme != "mysql" && !scheme.starts_with("mysql+"))
    return Error::bad_request("[database] connection: only mysql:// URLs are supported, not " +
                              scheme + "://");
  DatabaseUrl out;
  out.user = url.user();
  out.password = url.password();
  if (!url.host().empty()) out.host = url.host();
  // "localhost" would make libmysqlclient use its default socket; mean TCP to loopback.
  if (out.host == "localhost") out.host = "127.0.0.1";
  if (url.has_port()) out.port = url.port_number();
  std::string path = url.path();
  if (path.size() <= 1) return Error::bad_request("[database] connection names no database");
  out.database = path.substr(1);
  // Boost.URL 1.81 runs past the end when it iterates the parameters of a URL whose query is
  // empty and followed by a fragment ("...?#x"); its parse_query on an owned copy is sound.
  const std::string query(url.encoded_query());
  if (query.empty()) return out;
  auto params = boost::urls::parse_query(query);
  if (!params) return Error::bad_request("[database] connection has a malformed query");
  for (auto param : *params) {
    if (param.key == "unix_socket") out.unix_socket = param.value.decode();
  }
  return out;
}

}  // namespace glance::registry

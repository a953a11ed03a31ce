#include "store/swift/swift_location.h"

#include "common/http/headers.h"
#include "common/http/query_string.h"

namespace glance::store {

using common::Error;
using common::Result;
using common::http::percent_encode;

namespace {

constexpr std::string_view kSeparator = "://";

std::string strip_slashes(std::string_view s) {
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  return std::string(s);
}

}  // namespace

Result<SwiftLocation> SwiftLocation::parse(std::string_view uri) {
  auto sep = uri.find(kSeparator);
  if (sep == std::string_view::npos) return Error::bad_request("Invalid location: not a URI");
  // As upstream: "swift://user:key@http://auth/..." must be written swift+http://.
  if (uri.find(kSeparator, sep + kSeparator.size()) != std::string_view::npos)
    return Error::bad_request(
        "Invalid Swift URI: it may contain only one scheme; write swift+http://user:key@auth/... "
        "rather than swift://user:key@http://auth/...");
  const std::string scheme = common::http::to_lower(uri.substr(0, sep));
  SwiftLocation out;
  if (scheme == "swift" || scheme == "swift+https")
    out.https = true;
  else if (scheme == "swift+http")
    out.https = false;
  else if (scheme == "swift+config")
    return Error::bad_request(
        "swift+config locations need swift_store_config_file, which this store does not read");
  else
    return Error::bad_request("Invalid location: not a Swift URI");
  std::string_view rest = uri.substr(sep + kSeparator.size());
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  // The user holds ':' and an unquoted key may hold '@': split at the last of each.
  auto at = authority.rfind('@');
  if (at == std::string_view::npos)
    return Error::bad_request("Invalid Swift URI: the location is missing user:key information");
  std::string_view credentials = authority.substr(0, at);
  auto colon = credentials.rfind(':');
  if (colon == std::string_view::npos)
    return Error::bad_request("Invalid Swift URI: badly formed credentials");
  auto user = common::http::percent_decode(credentials.substr(0, colon));
  auto key = common::http::percent_decode(credentials.substr(colon + 1));
  if (!user || !key || user->empty())
    return Error::bad_request("Invalid Swift URI: badly formed credentials");
  std::string host(authority.substr(at + 1));
  std::string trimmed = strip_slashes(path);
  auto last = trimmed.rfind('/');
  if (host.empty() || last == std::string::npos)
    return Error::bad_request("Invalid Swift URI: it needs an auth address, container and object");
  out.object = trimmed.substr(last + 1);
  trimmed.resize(last);
  auto before = trimmed.rfind('/');
  out.container = before == std::string::npos ? trimmed : trimmed.substr(before + 1);
  std::string auth_path = before == std::string::npos ? "" : trimmed.substr(0, before);
  if (out.container.empty() || out.object.empty())
    return Error::bad_request("Invalid Swift URI: it needs an auth address, container and object");
  out.user = std::move(*user);
  out.key = std::move(*key);
  out.auth_address = auth_path.empty() ? host : host + "/" + auth_path;
  return out;
}

std::string SwiftLocation::uri() const {
  return std::string(https ? "swift+https" : "swift+http") + "://" + percent_encode(user) + ":" +
         percent_encode(key) + "@" + auth_address + "/" + container + "/" + object;
}

SwiftCredentials SwiftLocation::credentials() const {
  return {std::string(https ? "https://" : "http://") + auth_address, user, key};
}

}  // namespace glance::store

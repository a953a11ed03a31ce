#include "store/rbd/rbd_location.h"

#include <boost/url/encode.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <vector>

namespace glance::store {

using common::Error;
using common::Result;

namespace {

constexpr std::string_view kPrefix = "rbd://";

std::string encode(std::string_view part) {
  return boost::urls::encode(part, boost::urls::unreserved_chars);
}

// Python's unquote decodes the valid escapes and keeps the rest; text that is not valid
// percent-encoding throughout is decoded escape by escape here.
std::string decode(std::string_view part) {
  if (auto whole = boost::urls::make_pct_string_view(part)) return whole->decode();
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < part.size(); ++i) {
    if (part[i] == '%' && i + 2 < part.size() && hex(part[i + 1]) >= 0 && hex(part[i + 2]) >= 0) {
      out += static_cast<char>(hex(part[i + 1]) * 16 + hex(part[i + 2]));
      i += 2;
    } else {
      out += part[i];
    }
  }
  return out;
}

Error invalid(std::string_view why) {
  return Error::bad_request("Invalid rbd location: " + std::string(why));
}

}  // namespace

Result<RbdLocation> RbdLocation::parse(std::string_view uri) {
  if (!uri.starts_with(kPrefix)) return invalid("not an rbd:// URI");
  std::vector<std::string_view> parts;
  std::string_view rest = uri.substr(kPrefix.size());
  for (size_t slash; (slash = rest.find('/')) != std::string_view::npos;) {
    parts.push_back(rest.substr(0, slash));
    rest.remove_prefix(slash + 1);
  }
  parts.push_back(rest);
  if (parts.size() != 1 && parts.size() != 4)
    return invalid("URI must have exactly 1 or 4 components");
  for (auto part : parts)
    if (part.empty()) return invalid("URI cannot contain empty components");
  RbdLocation location;
  if (parts.size() == 1) {
    location.image = std::string(parts[0]);
  } else {
    location.fsid = decode(parts[0]);
    location.pool = decode(parts[1]);
    location.image = decode(parts[2]);
    location.snapshot = decode(parts[3]);
  }
  for (const auto* part : {&location.fsid, &location.pool, &location.image, &location.snapshot})
    if (part->find('\0') != std::string::npos) return invalid("a component holds a NUL byte");
  return location;
}

std::string RbdLocation::uri() const {
  if (fsid.empty() || pool.empty() || snapshot.empty()) return std::string(kPrefix) + image;
  return std::string(kPrefix) + encode(fsid) + "/" + encode(pool) + "/" + encode(image) + "/" +
         encode(snapshot);
}

}  // namespace glance::store

#include "common/uri_redaction.h"

namespace glance::common {

std::string redact_credentials(std::string_view uri) {
  constexpr std::string_view kSeparator = "://";
  constexpr std::string_view kMask = "***";
  std::string out;
  out.reserve(uri.size());
  // Every "://", not only the first: a URI nested in a query or a malformed Swift URI
  // ("swift://user:key@http://auth/...") may carry credentials of its own.
  size_t done = 0;
  for (size_t sep = uri.find(kSeparator); sep != std::string_view::npos;
       sep = uri.find(kSeparator, done)) {
    size_t authority = sep + kSeparator.size();
    size_t slash = uri.find('/', authority);
    std::string_view netloc = uri.substr(
        authority, slash == std::string_view::npos ? std::string_view::npos : slash - authority);
    size_t at = netloc.rfind('@');
    out.append(uri.substr(done, authority - done));
    if (at == std::string_view::npos) {
      done = authority;
      continue;
    }
    out.append(kMask);
    done = authority + at;  // keeps the '@' and what follows
  }
  out.append(uri.substr(done));
  return out;
}

}  // namespace glance::common

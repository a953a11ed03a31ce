#include "common/uri_redaction.h"

namespace glance::common {
namespace {

constexpr std::string_view kMask = "***";

// Appends `text`, which lies outside any "scheme://" authority, with "user:secret@" shapes
// masked: a malformed URI ("http:/u:pw@h", "x:pw@h" without "//", a second URI in a path)
// may still carry a password. Within each run between '/'s, the text up to the run's last '@'
// is masked when it holds a ':'; "user@example.org" in a path has no secret and stays.
void append_masking_userinfo(std::string_view text, std::string& out) {
  while (!text.empty()) {
    size_t slash = text.find('/');
    std::string_view run = text.substr(0, slash);
    size_t at = run.rfind('@');
    if (at != std::string_view::npos && run.substr(0, at).find(':') != std::string_view::npos) {
      out.append(kMask);
      out.append(run.substr(at));
    } else {
      out.append(run);
    }
    if (slash == std::string_view::npos) break;
    out.push_back('/');
    text.remove_prefix(slash + 1);
  }
}

}  // namespace

std::string redact_credentials(std::string_view uri) {
  constexpr std::string_view kSeparator = "://";
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
    append_masking_userinfo(uri.substr(done, sep - done), out);
    out.append(kSeparator);
    if (at == std::string_view::npos) {
      done = authority;
      continue;
    }
    out.append(kMask);
    done = authority + at;  // keeps the '@' and what follows
  }
  append_masking_userinfo(uri.substr(done), out);
  return out;
}

}  // namespace glance::common

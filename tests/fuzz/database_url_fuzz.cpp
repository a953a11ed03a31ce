// `[database] connection` URLs.
#include "registry/db/database_url.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(glance::fuzz::as_text(data, size));
  auto url = glance::registry::parse_database_url(text);
  if (!url) return 0;
  check(!url->database.empty(), "a parsed URL names its database");
  // The shown form must not depend on the password beyond whether there is one: comparing
  // with another password avoids mistaking a password that is also a word of the URL
  // ("mysql://u:ysql@h/db") for a leak.
  auto other = *url;
  other.password = url->password.empty() ? "" : "other-password";
  check(other.redacted() == url->redacted(), "the redacted form hides the password");
  return 0;
}

// `[database] connection` URLs.
#include "registry/db/database_url.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(glance::fuzz::as_text(data, size));
  auto url = glance::registry::parse_database_url(text);
  if (!url) return 0;
  check(!url->database.empty(), "a parsed URL names its database");
  auto shown = url->redacted();
  // Only a password that is not also part of what is shown anyway can be checked for.
  if (url->password.size() >= 4 && shown.find(url->password) != std::string::npos) {
    auto rest = url->user + url->host + url->database + url->unix_socket;
    check(rest.find(url->password) != std::string::npos, "the redacted form hides the password");
  }
  return 0;
}

// oslo.messaging transport_url values ([oslo_messaging_notifications] transport_url).
#include "common/notify/transport_url.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(glance::fuzz::as_text(data, size));
  auto url = glance::common::notify::parse_transport_url(text);
  if (!url) return 0;
  check(!url->brokers.empty(), "a parsed URL names a broker");
  check(!url->virtual_host.empty(), "the virtual host is never empty");
  for (const auto& broker : url->brokers) {
    check(!broker.host.empty(), "every broker has a host");
    check(broker.port != 0, "every broker has a port");
  }
  return 0;
}

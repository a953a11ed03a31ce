// RBD location URIs (rbd://<fsid>/<pool>/<image>/<snapshot>, rbd://<image>).
#include "store/rbd/rbd_location.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto location = glance::store::RbdLocation::parse(glance::fuzz::as_text(data, size));
  if (!location) return 0;
  check(!location->image.empty(), "a parsed location names an image");
  auto again = glance::store::RbdLocation::parse(location->uri());
  check(again.has_value(), "a written location parses");
  check(*again == *location, "a location round-trips");
  return 0;
}

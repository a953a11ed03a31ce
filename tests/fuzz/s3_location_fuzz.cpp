// S3 location URIs (s3://key:secret@host/bucket/object, s3+https://...).
#include "store/s3/s3_store.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto location = glance::store::parse_s3_location(glance::fuzz::as_text(data, size));
  if (!location) return 0;
  auto again = glance::store::parse_s3_location(glance::store::s3_location_uri(*location));
  check(again.has_value(), "a written location parses");
  check(*again == *location, "a location round-trips");
  return 0;
}

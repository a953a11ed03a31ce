// The bodies of the scrubber's registry routes: {"lease": seconds}, {"locations": [ids]} and
// {"scrubbed": bool}, and a location id from a route's path.
#include "registry/scrub_request.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto text = glance::fuzz::as_text(data, size);
  auto lease = glance::registry::parse_scrub_lease(text);
  if (lease)
    check(lease->count() >= 1 && lease->count() <= 86400, "a lease is 1 to 86400 seconds");
  else
    check(lease.error().code() == glance::common::Errc::bad_request ||
              lease.error().code() == glance::common::Errc::payload_too_large,
          "a refused lease is the client's fault");
  auto ids = glance::registry::parse_scrubbed_locations(text);
  if (ids)
    check(ids->size() <= 10000, "at most 10,000 location ids");
  else
    check(!ids.error().message().empty(), "a refused body says why");
  auto scrubbed = glance::registry::parse_location_scrubbed(text);
  if (!scrubbed) check(!scrubbed.error().message().empty(), "a refused body says why");
  auto id = glance::registry::parse_location_id(text);
  if (id)
    check(*id >= 1 && text.find_first_not_of("0123456789") == std::string_view::npos,
          "a location id is a positive decimal");
  else
    check(id.error().code() == glance::common::Errc::not_found, "a bad location id is not found");
  return 0;
}

// Swift location URIs as glance_store writes them (swift+http://user:key@auth/container/obj).
#include "store/swift/swift_location.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;
using glance::store::SwiftLocation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto location = SwiftLocation::parse(glance::fuzz::as_text(data, size));
  if (!location) return 0;
  check(!location->user.empty(), "a parsed location has a user");
  auto again = SwiftLocation::parse(location->uri());
  check(again.has_value(), "a written location parses");
  check(again->https == location->https && again->user == location->user &&
            again->key == location->key && again->auth_address == location->auth_address &&
            again->container == location->container && again->object == location->object,
        "a location round-trips");
  (void)location->credentials();
  return 0;
}

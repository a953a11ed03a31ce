// The bodies of Glance v2's member writes: POST {"member": ...} and PUT {"status": ...}.
#include "api/v2/member_request.h"
#include "tests/fuzz/fuzz_check.h"

#include <string>

using glance::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto text = glance::fuzz::as_text(data, size);
  auto member = glance::api::v2::parse_member_create(text);
  if (member) {
    check(!member->empty() && member->size() <= 255, "a member id is 1 to 255 characters");
  } else {
    check(!member.error().message().empty(), "a refused body says why");
  }
  auto update = glance::api::v2::parse_member_update(text);
  if (update) {
    auto status = glance::api::v2::member_status_of(*update);
    check(status || status.error().code() == glance::common::Errc::bad_request,
          "an unknown status is a bad request");
  } else {
    check(!update.error().message().empty(), "a refused body says why");
  }
  return 0;
}

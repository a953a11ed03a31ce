// The URI check glance-api applies to client-given locations and copy_from sources, with the
// default policy and with one that allows and denies hosts. Whatever a check answers, its
// error must not echo a password.
#include "api/source_policy.h"
#include "tests/fuzz/fuzz_check.h"

using glance::api::SourcePolicy;
using glance::api::SourcePolicyConfig;
using glance::api::SourceUse;
using glance::fuzz::check;

namespace {

const SourcePolicy& listing_policy() {
  static const SourcePolicy policy = [] {
    SourcePolicyConfig config;
    config.allowed_hosts = {"images.example.com", ".example.org", "10.1.0.0/16", "fd00::/8",
                            "192.0.2.7"};
    config.denied_hosts = {"bad.example.org", "10.1.2.0/24"};
    return SourcePolicy::from_config(config).value();
  }();
  return policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto uri = glance::fuzz::as_text(data, size);
  static const SourcePolicy default_policy;
  for (const SourcePolicy* policy : {&default_policy, &listing_policy()})
    for (auto use : {SourceUse::location, SourceUse::copy_from}) {
      auto result = policy->check_uri(uri, use);
      if (!result) {
        // error() returns a copy: keep it alive while its message is read.
        const auto error = result.error();
        const auto& message = error.message();
        check(!message.empty(), "a refusal says why");
        // A password stands between a userinfo's ':' and its '@'; masked, it never reaches the
        // message in that shape. The same letters elsewhere in the URI (a path segment, a user
        // name without ':') are not a password and may be quoted.
        constexpr std::string_view kSecret = ":s3cr3t-pw@";
        if (uri.find(kSecret) != std::string_view::npos)
          check(message.find(kSecret) == std::string::npos, "errors hide the password");
      }
    }
  return 0;
}

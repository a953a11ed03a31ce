// Query strings and percent-escapes: what parses re-encodes to the same parameters.
#include "common/http/query_string.h"
#include "tests/fuzz/fuzz_check.h"

using glance::fuzz::check;
namespace http = glance::common::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = glance::fuzz::as_text(data, size);
  if (auto params = http::parse_query(text)) {
    auto again = http::parse_query(http::encode_query(*params));
    check(again.has_value(), "an encoded query parses");
    check(again == params, "encode_query then parse_query round-trips");
    for (const auto& [key, value] : *params) {
      auto found = http::find_param(*params, key);
      check(found.has_value(), "every parsed key is found");
    }
  }
  auto decoded = http::percent_decode(text);
  if (decoded)
    check(http::percent_decode(http::percent_encode(*decoded)) == *decoded,
          "percent_encode then percent_decode round-trips");
  auto encoded = http::percent_encode(text);
  check(http::percent_decode(encoded, true) == std::string(text),
        "an encoded value decodes to itself with '+' as space");
  return 0;
}

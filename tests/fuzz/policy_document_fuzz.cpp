// Policy files as an operator writes them (JSON or YAML), and the rule language on its own.
// Whatever the input, parsing ends; an error names a line that exists; rules that load build
// into a rule set or are refused for their references, and every rule of a set that builds
// evaluates to an answer. A parsed rule's canonical text parses back to itself (unless the
// added parentheses pass the nesting bound).
#include "common/policy/policy_document.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <charconv>

using namespace glance::common::policy;
using glance::fuzz::check;

namespace {

void check_error_line(std::string_view text, const std::string& message) {
  check(message.starts_with("line "), "a document error names a line");
  int line = 0;
  auto [end, ec] = std::from_chars(message.data() + 5, message.data() + message.size(), line);
  check(ec == std::errc() && end != message.data() + 5, "the line is a number");
  // YAML also breaks lines at a lone CR and at U+0085, U+2028 and U+2029; count them all.
  auto breaks =
      std::count(text.begin(), text.end(), '\n') + std::count(text.begin(), text.end(), '\r');
  for (std::string_view mark : {"\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9"})
    for (size_t at = text.find(mark); at != std::string_view::npos; at = text.find(mark, at + 1))
      ++breaks;
  check(line >= 1 && line <= breaks + 2, "the line is in the document");
}

void check_round_trip(std::string_view text) {
  auto rule = Rule::parse(text);
  if (!rule) {
    check(!rule.error().message().empty(), "a refusal says why");
    return;
  }
  auto canonical = rule->to_string();
  auto again = Rule::parse(canonical);
  if (!again) {
    check(again.error().message().find("deeper") != std::string::npos,
          "canonical text parses unless it nests too deep");
    return;
  }
  check(again->to_string() == canonical, "canonical text is a fixed point");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = glance::fuzz::as_text(data, size);
  check_round_trip(text);

  auto doc = parse_policy_document(text);
  if (!doc) {
    check_error_line(text, doc.error().message());
    return 0;
  }
  for (const auto& [name, rule] : doc->rules) check(doc->lines.contains(name), "rules have lines");
  auto set = RuleSet::build(std::move(doc->rules));
  if (!set) return 0;
  Credentials caller{{{"project_id", "p1"}, {"tenant", "p1"}, {"is_admin", "False"}},
                     {"member", "admin"}};
  Values target{{"owner", "p1"}, {"tenant", "p1"}, {"is_public", "True"}};
  for (const auto& [name, rule] : set->rules()) {
    (void)set->allows(name, caller, target);
    (void)set->allows(name, Credentials{}, Values{});
  }
  (void)set->allows("no such rule", caller, target);
  return 0;
}

// The property protection file as an operator writes it, read in both formats. Whatever the
// input, parsing ends; a refusal says why and a line it names exists; a file that loads
// keeps the bounds and the format's rules (roles lower-cased, '@' never beside '!', one
// policy rule per operation), and matching property names against it ends with a section
// of the file or none.
#include "api/property_protection_file.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <cctype>
#include <charconv>

using namespace glance::api;
using glance::fuzz::check;

namespace {

void check_refusal(std::string_view text, const std::string& message) {
  check(!message.empty(), "a refusal says why");
  if (!message.starts_with("line ")) return;
  size_t line = 0;
  auto [end, ec] = std::from_chars(message.data() + 5, message.data() + message.size(), line);
  check(ec == std::errc() && end != message.data() + 5, "the line is a number");
  auto lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  check(line >= 1 && line <= lines, "the line is in the file");
}

void check_grants(const PropertyGrants& grants, PropertyRuleFormat format) {
  bool everyone = std::ranges::find(grants, "@") != grants.end();
  bool no_one = std::ranges::find(grants, "!") != grants.end();
  if (format == PropertyRuleFormat::policies) {
    check(grants.size() <= 1, "one policy rule per operation");
    for (const auto& g : grants) check(g.find(',') == std::string::npos, "no comma in a rule");
    return;
  }
  check(!(everyone && no_one), "'@' never beside '!'");
  for (const auto& g : grants) {
    check(!g.empty(), "no empty role");
    check(std::ranges::none_of(g, [](unsigned char c) { return std::isupper(c); }),
          "roles are lower-cased");
  }
}

// Property names worth trying: a few fixed ones and the input's own token characters.
std::vector<std::string> names_from(std::string_view text) {
  std::vector<std::string> names = {"x_owner_foo", "a", std::string(255, 'a'), "x.y+z|*"};
  std::string own;
  for (char c : text)
    if (std::isalnum(static_cast<unsigned char>(c)) ||
        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos)
      own.push_back(c);
  if (!own.empty()) names.push_back(own.substr(0, 255));
  return names;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = glance::fuzz::as_text(data, size);
  for (auto format : {PropertyRuleFormat::roles, PropertyRuleFormat::policies}) {
    auto file = PropertyProtectionFile::parse(text, format);
    if (!file) {
      check_refusal(text, file.error().message());
      continue;
    }
    check(file->format() == format, "the format is kept");
    check(file->sections().size() <= kMaxProtectionSections, "the section bound holds");
    for (const auto& s : file->sections()) {
      check(!s.pattern.empty() && s.pattern.size() <= kMaxPatternChars, "the pattern bound holds");
      for (const auto& grants : s.grants) check_grants(grants, format);
    }
    for (const auto& name : names_from(text)) {
      bool gave_up = false;
      const auto* found = file->find(name, &gave_up);
      check(!found || (found >= file->sections().data() &&
                       found < file->sections().data() + file->sections().size()),
            "a match is a section of the file");
      check(!(found && gave_up), "a given-up search finds nothing");
    }
  }
  return 0;
}

#include "api/property_protection_file.h"

#include <gtest/gtest.h>

#include <chrono>

namespace glance::api {
namespace {

using Format = PropertyRuleFormat;
using Op = PropertyOperation;

constexpr const char* kAllOps = "create = @\nread = @\nupdate = @\ndelete = @\n";

PropertyProtectionFile parse_ok(const std::string& text, Format format = Format::roles) {
  auto parsed = PropertyProtectionFile::parse(text, format);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message());
  return std::move(parsed).value();
}

std::string error_of(const std::string& text, Format format = Format::roles) {
  auto parsed = PropertyProtectionFile::parse(text, format);
  EXPECT_FALSE(parsed) << text;
  return parsed ? "" : parsed.error().message();
}

std::string pattern_for(const PropertyProtectionFile& file, std::string_view name) {
  const auto* s = file.find(name);
  return s ? s->pattern : "(none)";
}

TEST(PropertyProtectionFile, FirstSectionInFileOrderWins) {
  auto file = parse_ok(std::string("[^x_owner_.*]\n") + kAllOps + "[.*]\n" + kAllOps +
                       "[^x_owner_foo$]\n" + kAllOps);
  EXPECT_EQ(pattern_for(file, "x_owner_foo"), "^x_owner_.*");
  EXPECT_EQ(pattern_for(file, "anything"), ".*");
  ASSERT_EQ(file.sections().size(), 3u);
  EXPECT_EQ(file.sections()[2].pattern, "^x_owner_foo$");
}

TEST(PropertyProtectionFile, PatternsAreSearchedNotMatchedWhole) {
  auto file = parse_ok(std::string("[foo]\n") + kAllOps + "[^bar$]\n" + kAllOps);
  EXPECT_EQ(pattern_for(file, "x_foo_y"), "foo");
  EXPECT_EQ(pattern_for(file, "bar"), "^bar$");
  EXPECT_EQ(pattern_for(file, "barn"), "(none)");
  EXPECT_EQ(pattern_for(file, "nothing"), "(none)");
}

TEST(PropertyProtectionFile, PropertyNamesWithMetacharactersAreDataNotPattern) {
  auto file = parse_ok(std::string(R"([^a\.b$])") + "\n" + kAllOps + "[^a.c$]\n" + kAllOps +
                       R"([^x\+\*\|\$\^y$])" + "\n" + kAllOps);
  EXPECT_EQ(pattern_for(file, "a.b"), R"(^a\.b$)");
  EXPECT_EQ(pattern_for(file, "axb"), "(none)");
  EXPECT_EQ(pattern_for(file, "a.c"), "^a.c$");
  EXPECT_EQ(pattern_for(file, "a*c"), "^a.c$");
  EXPECT_EQ(pattern_for(file, "x+*|$^y"), R"(^x\+\*\|\$\^y$)");
  EXPECT_EQ(pattern_for(file, ".*"), "(none)");
  EXPECT_EQ(pattern_for(file, "(a|"), "(none)");
}

TEST(PropertyProtectionFile, RolesAreListsEveryoneAndNoOneAreMarks) {
  auto file = parse_ok(
      "[p]\ncreate = Admin, member ,,\nread = @\nupdate = !\ndelete =\n"
      "# comment\n; another\n");
  const auto& s = file.sections().at(0);
  EXPECT_EQ(s.grants[0], (PropertyGrants{"admin", "member"}));
  EXPECT_EQ(s.grants[1], (PropertyGrants{"@"}));
  EXPECT_EQ(s.grants[2], (PropertyGrants{"!"}));
  EXPECT_TRUE(s.grants[3].empty());
  ASSERT_EQ(file.warnings().size(), 1u);
  EXPECT_NE(file.warnings()[0].find("[p] delete"), std::string::npos);
}

TEST(PropertyProtectionFile, IniAsPythonReadsIt) {
  // Option names ignore case, ':' also separates, an indented line continues a value,
  // "%%" is a '%', [DEFAULT] fills what a section leaves out, and a section name runs to the
  // last ']' (so a character class fits in it).
  auto file = parse_ok(
      "[DEFAULT]\ndelete = !\n[^a[0-9]]$]\nCREATE: admin,\n  member\nread = @\nupdate = 50%%\n");
  const auto& s = file.sections().at(0);
  EXPECT_EQ(s.pattern, "^a[0-9]]$");
  EXPECT_EQ(s.grants[0], (PropertyGrants{"admin", "member"}));
  EXPECT_EQ(s.grants[2], (PropertyGrants{"50%"}));
  EXPECT_EQ(s.grants[3], (PropertyGrants{"!"}));
  EXPECT_EQ(pattern_for(file, "a7]"), "^a[0-9]]$");
}

TEST(PropertyProtectionFile, PoliciesNameOneRule) {
  auto file = parse_ok("[p]\ncreate = glance_creator\nread = @\nupdate = !\ndelete = rule_x\n",
                       Format::policies);
  EXPECT_EQ(file.sections()[0].grants[0], (PropertyGrants{"glance_creator"}));
  auto e = error_of("[p]\ncreate = a,b\nread = @\nupdate = @\ndelete = @\n", Format::policies);
  EXPECT_NE(e.find("[p] create"), std::string::npos) << e;
}

TEST(PropertyProtectionFile, FaultsNameTheSectionOrLine) {
  struct Case {
    std::string text, expected;
  };
  const std::string ops = kAllOps;
  for (const auto& c : std::vector<Case>{
           {"[(unclosed]\n" + ops, "section [(unclosed] on line 1: not a valid regular"},
           {"[p]\ncreate = @\nread = @\ndelete = @\n", "section [p] on line 1 has no update"},
           {"[p]\ncreate = admin, @, !\nread = @\nupdate = @\ndelete = @\n",
            "[p] create: '@' and '!'"},
           {"create = @\n", "line 1: an option before the first [section]"},
           {"[p]\n" + ops + "[p]\n" + ops, "line 6: section [p] already appeared on line 1"},
           {"[p]\ncreate = @\ncreate = admin\n", "line 3: option create appears twice in [p]"},
           {"[p]\njust words\n", "line 2: expected [section]"},
           {"[]\n", "line 1: expected [section]"},
           {"[p]\n= x\n", "line 2: an option without a name"},
           {"[p]\ncreate = 100%\nread = @\nupdate = @\ndelete = @\n", "[p] create: write a '%'"},
           {"[" + std::string(kMaxPatternChars + 1, 'a') + "]\n" + ops, "pattern over 256"},
       }) {
    auto e = error_of(c.text);
    EXPECT_NE(e.find(c.expected), std::string::npos) << c.text << "\n→ " << e;
  }
}

TEST(PropertyProtectionFile, HugeAndGarbageFilesAreRefusedQuickly) {
  EXPECT_NE(error_of(std::string(kMaxProtectionFileBytes + 1, '#')).find("larger than"),
            std::string::npos);
  std::string many;
  for (size_t i = 0; i <= kMaxProtectionSections; ++i)
    many += "[s" + std::to_string(i) + "]\n" + kAllOps;
  EXPECT_NE(error_of(many).find("more than 4096 sections"), std::string::npos);
  EXPECT_FALSE(PropertyProtectionFile::parse(std::string("\0\xff\xfe[\x01", 5), Format::roles));
  // Deeply nested groups within the length bound compile or are refused, never crash.
  auto nested = "[" + std::string(kMaxPatternChars / 2, '(') +
                std::string(kMaxPatternChars / 2, ')') + "]\n" + kAllOps;
  (void)PropertyProtectionFile::parse(nested, Format::roles);
  // Empty text is a file with no sections.
  EXPECT_TRUE(parse_ok("").sections().empty());
  EXPECT_TRUE(parse_ok("\n\n# only comments\n").sections().empty());
}

TEST(PropertyProtectionFile, CatastrophicPatternGivesUpInBoundedTimeAndCountsAsNoMatch) {
  auto file = parse_ok(std::string("[^(a+)+$]\n") + kAllOps + "[.*]\n" + kAllOps);
  std::string name(255, 'a');
  name.back() = 'b';
  auto start = std::chrono::steady_clock::now();
  bool gave_up = false;
  EXPECT_EQ(file.find(name, &gave_up), nullptr);
  EXPECT_TRUE(gave_up);
  // Generous for a loaded, sanitized build; unbounded backtracking would take ages.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  // A name the pattern decides quickly still matches.
  EXPECT_EQ(pattern_for(file, "aaaa"), "^(a+)+$");
  EXPECT_EQ(pattern_for(file, "b"), ".*");
}

TEST(PropertyProtectionFile, OperationNamesAreTheFiles) {
  EXPECT_EQ(operation_name(Op::create), "create");
  EXPECT_EQ(operation_name(Op::read), "read");
  EXPECT_EQ(operation_name(Op::update), "update");
  EXPECT_EQ(operation_name(Op::remove), "delete");
}

}  // namespace
}  // namespace glance::api

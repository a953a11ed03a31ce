#include "common/policy/policy_document.h"

#include <gtest/gtest.h>

namespace glance::common::policy {
namespace {

Credentials with_roles(std::vector<std::string> roles) {
  Credentials c;
  c.roles = std::move(roles);
  return c;
}

bool allows(const PolicyDocument& doc, std::string_view name, const Credentials& creds) {
  auto it = doc.rules.find(name);
  return it != doc.rules.end() && it->second.allows(creds, {}, RuleSet());
}

std::string error_of(std::string_view text) {
  auto doc = parse_policy_document(text);
  return doc ? "parsed" : doc.error().message();
}

TEST(PolicyDocument, JsonStringsAndListsWithTheirLines) {
  auto doc = parse_policy_document(
      "{\n"
      "  \"get_image\": \"\",\n"
      "  \"add_image\": \"role:admin\",\n"
      "\n"
      "  \"old_style\": [[\"role:a\", \"role:b\"], [\"role:c\"]],\n"
      "  \"nulled\": null,\n"
      "  \"name with \\\"quotes\\\"\": \"!\"\n"
      "}\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->rules.size(), 5u);
  EXPECT_EQ(doc->lines["get_image"], 2);
  EXPECT_EQ(doc->lines["add_image"], 3);
  EXPECT_EQ(doc->lines["old_style"], 5);
  EXPECT_EQ(doc->lines["name with \"quotes\""], 7);
  EXPECT_TRUE(allows(*doc, "get_image", {}));
  EXPECT_FALSE(allows(*doc, "add_image", with_roles({"member"})));
  EXPECT_TRUE(allows(*doc, "old_style", with_roles({"b", "a"})));
  EXPECT_FALSE(allows(*doc, "old_style", with_roles({"a"})));
  EXPECT_TRUE(allows(*doc, "nulled", {}));  // upstream reads null as no restriction
}

TEST(PolicyDocument, YamlWithQuotedPlainAndListRules) {
  auto doc = parse_policy_document(
      "# comments are fine\n"
      "get_image: ''\n"
      "add_image: \"role:admin or role:creator\"\n"
      "delete_image: role:admin and not role:auditor\n"
      "modify_image: '!'\n"
      "empty_value:\n"
      "listed:\n"
      "  - [role:a, role:b]\n"
      "  - role:c\n");
  ASSERT_TRUE(doc) << doc.error().message();
  EXPECT_EQ(doc->lines["get_image"], 2);
  EXPECT_EQ(doc->lines["listed"], 7);
  EXPECT_TRUE(allows(*doc, "add_image", with_roles({"creator"})));
  EXPECT_FALSE(allows(*doc, "delete_image", with_roles({"admin", "auditor"})));
  EXPECT_FALSE(allows(*doc, "modify_image", with_roles({"admin"})));
  EXPECT_TRUE(allows(*doc, "empty_value", {}));
  EXPECT_TRUE(allows(*doc, "listed", with_roles({"c"})));
}

TEST(PolicyDocument, EmptyDocumentsHaveNoRules) {
  for (std::string_view text : {"", "{}", "\n# only a comment\n", "null", "---\n", "[]"}) {
    auto doc = parse_policy_document(text);
    ASSERT_TRUE(doc) << text << ": " << doc.error().message();
    EXPECT_TRUE(doc->rules.empty()) << text;
  }
}

TEST(PolicyDocument, BadRuleNamesItsLineInJsonAndYaml) {
  EXPECT_EQ(error_of("{\n  \"get_image\": \"\",\n  \"add_image\": \"role:admin and\"\n}"),
            "line 3: rule \"add_image\": the rule ends where a check is due");
  EXPECT_EQ(error_of("get_image: ''\n\nadd_image: admin\n"),
            "line 3: rule \"add_image\": 'admin' is not a check (KIND:MATCH, @ or !)");
  EXPECT_EQ(error_of("a: [[role:a, [role:b]]]\n").substr(0, 7), "line 1:");
  EXPECT_EQ(error_of("{\"a\": 5}"), "line 1: rule \"a\": a rule must be text or a list of lists");
}

TEST(PolicyDocument, SyntaxErrorsNameTheLine) {
  auto e = error_of("get_image: ''\nadd_image: 'role:admin\n");
  EXPECT_TRUE(e.starts_with("line 3:") || e.starts_with("line 2:")) << e;
  e = error_of("{\n\"get_image\": \"\",\n\"add_image\" \"role:admin\"\n}\n");
  EXPECT_TRUE(e.starts_with("line 3:")) << e;
  e = error_of("a: '@'\n\t- x\n");
  EXPECT_TRUE(e.starts_with("line 2:")) << e;
}

// A fuzzer find: YAML breaks lines at a lone CR too, so the line named counts those breaks
// (as an editor showing the file does).
TEST(PolicyDocument, LinesCountLoneCarriageReturns) {
  EXPECT_EQ(error_of("get_image: ''\radd_image: admin\r"),
            "line 2: rule \"add_image\": 'admin' is not a check (KIND:MATCH, @ or !)");
  EXPECT_EQ(error_of("get_image: ''\r\n\r\nadd_image: admin\r\n").substr(0, 7), "line 3:");
}

TEST(PolicyDocument, ShapesThatAreNotAPolicyAreRefused) {
  EXPECT_TRUE(error_of("[\"role:a\"]").starts_with("line 1:"));
  EXPECT_TRUE(error_of("- role:a\n").starts_with("line 1:"));
  EXPECT_TRUE(error_of("just text\n").starts_with("line 1:"));
  EXPECT_TRUE(error_of("a: {b: c}\n").starts_with("line 1:"));
  EXPECT_TRUE(error_of("{a: b}: c\n").starts_with("line 1:"));
  EXPECT_EQ(error_of("base: &x role:a\ncopy: *x\n"), "line 2: aliases are not supported");
  EXPECT_EQ(error_of("a: '@'\n---\nb: '!'\n"), "line 2: a policy file holds one document");
  EXPECT_TRUE(error_of(std::string(kMaxPolicyFileBytes + 1, ' ')).find("longer") !=
              std::string::npos);
}

TEST(PolicyDocument, DeepNestingIsRefusedWithoutRecursing) {
  std::string deep = "{\"a\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_TRUE(error_of(deep).starts_with("line 1:"));
  std::string yaml_deep = "a: " + std::string(100000, '[');
  EXPECT_TRUE(error_of(yaml_deep).starts_with("line 1:"));
}

TEST(PolicyDocument, LaterDuplicatesWin) {
  auto doc = parse_policy_document("a: '!'\na: '@'\n");
  ASSERT_TRUE(doc);
  EXPECT_TRUE(allows(*doc, "a", {}));
  EXPECT_EQ(doc->lines["a"], 2);
}

}  // namespace
}  // namespace glance::common::policy

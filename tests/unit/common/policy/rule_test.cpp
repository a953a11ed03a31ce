#include "common/policy/rule.h"
#include "common/policy/rule_set.h"

#include <gtest/gtest.h>

namespace glance::common::policy {
namespace {

Credentials member_of(std::string project, std::vector<std::string> roles = {"member"}) {
  Credentials c;
  c.values = {{"project_id", project},
              {"tenant", project},
              {"user_id", "u-1"},
              {"user", "u-1"},
              {"is_admin", "False"}};
  c.roles = std::move(roles);
  return c;
}

RuleSet rules_of(std::map<std::string, std::string> texts) {
  RuleSet::Map map;
  for (const auto& [name, text] : texts) {
    auto rule = Rule::parse(text);
    EXPECT_TRUE(rule) << name << ": " << rule.error().message();
    if (rule) map.insert_or_assign(name, std::move(*rule));
  }
  auto set = RuleSet::build(std::move(map));
  EXPECT_TRUE(set) << set.error().message();
  return set ? std::move(*set) : RuleSet();
}

bool check(std::string_view text, const Credentials& creds, const Values& target = {},
           const RuleSet& rules = RuleSet()) {
  auto rule = Rule::parse(text);
  EXPECT_TRUE(rule) << text << ": " << rule.error().message();
  return rule && rule->allows(creds, target, rules);
}

std::string canonical(std::string_view text) {
  auto rule = Rule::parse(text);
  return rule ? rule->to_string() : "error: " + rule.error().message();
}

TEST(PolicyRule, EmptyAndAtAlwaysAllowBangNeverDoes) {
  auto anyone = member_of("p1");
  EXPECT_TRUE(check("", anyone));
  EXPECT_TRUE(check("@", anyone));
  EXPECT_FALSE(check("!", anyone));
  EXPECT_TRUE(check("  @  ", anyone));
}

TEST(PolicyRule, RoleIsCaseInsensitiveAndSubstitutesFromTheTarget) {
  auto admin = member_of("p1", {"Admin", "member"});
  EXPECT_TRUE(check("role:admin", admin));
  EXPECT_TRUE(check("role:ADMIN", admin));
  EXPECT_FALSE(check("role:reader", admin));
  EXPECT_TRUE(check("role:%(wanted)s", admin, {{"wanted", "member"}}));
  EXPECT_FALSE(check("role:%(missing)s", admin));
  EXPECT_FALSE(check("role:", admin));
}

TEST(PolicyRule, GenericChecksCompareACredentialWithTheTarget) {
  auto caller = member_of("p1");
  EXPECT_TRUE(check("project_id:%(owner)s", caller, {{"owner", "p1"}}));
  EXPECT_FALSE(check("project_id:%(owner)s", caller, {{"owner", "p2"}}));
  EXPECT_TRUE(check("tenant:%(tenant)s", caller, {{"tenant", "p1"}}));
  // A key the target lacks fails the check rather than matching anything.
  EXPECT_FALSE(check("project_id:%(owner)s", caller));
  // So does a credential the caller lacks (an anonymous caller has no project).
  Credentials anonymous;
  EXPECT_FALSE(check("project_id:%(owner)s", anonymous, {{"owner", "p1"}}));
  EXPECT_TRUE(check("user_id:u-1", caller));
  EXPECT_TRUE(check("project_id:pre-%(owner)s-post", member_of("pre-p1-post"), {{"owner", "p1"}}));
  EXPECT_TRUE(check("project_id:100%%", member_of("100%")));
  // Only %(key)s substitutes; other conversions fail the check.
  EXPECT_FALSE(check("project_id:%(owner)d", caller, {{"owner", "p1"}}));
  EXPECT_FALSE(check("project_id:%s", member_of("%s")));
  EXPECT_FALSE(check("project_id:%(owner", caller, {{"owner", "p1"}}));
  // Nested credential paths find nothing: no credential nests.
  EXPECT_FALSE(check("token.project.id:p1", caller));
}

TEST(PolicyRule, IsAdminTrueReadsTheContextsAdminFlag) {
  auto caller = member_of("p1");
  EXPECT_FALSE(check("is_admin:True", caller));
  caller.values["is_admin"] = "True";
  EXPECT_TRUE(check("is_admin:True", caller));
  EXPECT_FALSE(check("is_admin:true", caller));  // str(True) is "True"
}

TEST(PolicyRule, LiteralKindsCompareWithTheSubstitutedMatch) {
  Credentials nobody;
  EXPECT_TRUE(check("'public':%(visibility)s", nobody, {{"visibility", "public"}}));
  EXPECT_TRUE(check("\"public\":%(visibility)s", nobody, {{"visibility", "public"}}));
  EXPECT_FALSE(check("'public':%(visibility)s", nobody, {{"visibility", "shared"}}));
  EXPECT_TRUE(check("True:%(is_public)s", nobody, {{"is_public", "True"}}));
  EXPECT_FALSE(check("True:%(is_public)s", nobody, {{"is_public", "False"}}));
  EXPECT_TRUE(check("0:%(min_ram)s", nobody, {{"min_ram", "0"}}));
  EXPECT_TRUE(check("-5:%(n)s", nobody, {{"n", "-5"}}));
}

TEST(PolicyRule, NotBindsTighterThanAndWhichBindsTighterThanOr) {
  EXPECT_EQ(canonical("role:a or role:b and role:c"), "(role:a or (role:b and role:c))");
  EXPECT_EQ(canonical("role:a and role:b or role:c"), "((role:a and role:b) or role:c)");
  EXPECT_EQ(canonical("not role:a and role:b"), "(not role:a and role:b)");
  EXPECT_EQ(canonical("not (role:a and role:b)"), "not (role:a and role:b)");
  EXPECT_EQ(canonical("(role:a or role:b) and role:c"), "((role:a or role:b) and role:c)");
  EXPECT_EQ(canonical("role:a or role:b or role:c"), "(role:a or role:b or role:c)");
  EXPECT_EQ(canonical("not not role:a"), "not not role:a");
  EXPECT_EQ(canonical("role:a AND role:b Or NOT role:c"), "((role:a and role:b) or not role:c)");
  EXPECT_EQ(canonical("((role:a))"), "role:a");
  EXPECT_EQ(canonical("(tenant:%(tenant)s)"), "tenant:%(tenant)s");

  auto b_only = member_of("p1", {"b"});
  EXPECT_FALSE(check("role:a or role:b and role:c", b_only));
  EXPECT_TRUE(check("(role:a or role:b) and not role:c", b_only));
  EXPECT_FALSE(check("not role:b", b_only));
  EXPECT_TRUE(check("not role:b or @", b_only));
}

TEST(PolicyRule, WhatDoesNotParseSaysWhy) {
  for (std::string_view bad :
       {"role:a and", "or role:a", "(role:a", "role:a)", "()", "role:a role:b", "not", "admin",
        "role:a and and role:b", "'quoted'", "http://example.com/check", "https:x", "   "}) {
    auto rule = Rule::parse(bad);
    ASSERT_FALSE(rule) << bad;
    EXPECT_FALSE(rule.error().message().empty()) << bad;
  }
  EXPECT_NE(Rule::parse("admin").error().message().find("'admin' is not a check"),
            std::string::npos);
  EXPECT_NE(Rule::parse("role:a )").error().message().find("unexpected ')'"), std::string::npos);
}

TEST(PolicyRule, NestingIsBounded) {
  std::string deep(kMaxRuleNesting - 1, '(');
  deep += "role:a" + std::string(kMaxRuleNesting - 1, ')');
  EXPECT_TRUE(Rule::parse(deep));
  std::string deeper(kMaxRuleNesting + 5, '(');
  deeper += "role:a" + std::string(kMaxRuleNesting + 5, ')');
  auto rule = Rule::parse(deeper);
  ASSERT_FALSE(rule);
  EXPECT_NE(rule.error().message().find("deeper"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "not ";
  EXPECT_FALSE(Rule::parse(nots + "role:a"));
}

TEST(PolicyRule, ListFormIsAnyOfAll) {
  auto caller = member_of("p1", {"a", "b"});
  RuleSet none;
  auto empty = Rule::parse_list({});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->allows(caller, {}, none));
  auto either = Rule::parse_list({{"role:x"}, {"role:a", "role:b"}});
  ASSERT_TRUE(either);
  EXPECT_TRUE(either->allows(caller, {}, none));
  auto both = Rule::parse_list({{"role:a", "role:c"}});
  ASSERT_TRUE(both);
  EXPECT_FALSE(both->allows(caller, {}, none));
  auto only_empty = Rule::parse_list({{}});
  ASSERT_TRUE(only_empty);
  EXPECT_FALSE(only_empty->allows(caller, {}, none));
  EXPECT_FALSE(Rule::parse_list({{"nonsense"}}));
}

TEST(PolicyRuleSet, RuleReferencesAndTheDefaultRule) {
  auto set = rules_of({{"default", "role:admin"},
                       {"admin_or_owner", "is_admin:True or project_id:%(owner)s"},
                       {"download_image", "rule:admin_or_owner"},
                       {"get_image", "rule:undefined"},
                       {"get_images", ""}});
  auto caller = member_of("p1");
  EXPECT_TRUE(set.allows("download_image", caller, {{"owner", "p1"}}));
  EXPECT_FALSE(set.allows("download_image", caller, {{"owner", "p2"}}));
  // Undefined names, as actions or as references, take the default rule.
  EXPECT_FALSE(set.allows("get_image", caller, {}));
  EXPECT_FALSE(set.allows("no_such_action", caller, {}));
  EXPECT_TRUE(set.allows("no_such_action", member_of("p1", {"admin"}), {}));
  EXPECT_TRUE(set.allows("get_images", caller, {}));
}

TEST(PolicyRuleSet, WithoutADefaultRuleUnknownActionsAreDenied) {
  auto set = rules_of({{"get_images", ""}});
  EXPECT_FALSE(set.allows("add_image", member_of("p1", {"admin"}), {}));
  EXPECT_FALSE(set.allows("", member_of("p1"), {}));
}

TEST(PolicyRuleSet, LoopsAndOverlongChainsAreRefused) {
  auto build = [](std::map<std::string, std::string> texts) {
    RuleSet::Map map;
    for (const auto& [name, text] : texts) map.insert_or_assign(name, Rule::parse(text).value());
    return RuleSet::build(std::move(map));
  };
  auto self = build({{"a", "rule:a"}});
  ASSERT_FALSE(self);
  EXPECT_NE(self.error().message().find("\"a\""), std::string::npos);
  auto loop = build({{"a", "role:x or rule:b"}, {"b", "not rule:c"}, {"c", "rule:a"}});
  ASSERT_FALSE(loop);
  EXPECT_NE(loop.error().message().find("come back"), std::string::npos);
  // Through the default: an undefined reference inside the default rule itself.
  EXPECT_FALSE(build({{"default", "rule:nothing"}}));
  std::map<std::string, std::string> chain;
  for (int i = 0; i < kMaxReferenceDepth + 2; ++i)
    chain["r" + std::to_string(i)] = "rule:r" + std::to_string(i + 1);
  chain["r" + std::to_string(kMaxReferenceDepth + 2)] = "@";
  auto deep = build(chain);
  ASSERT_FALSE(deep);
  EXPECT_NE(deep.error().message().find("deeper"), std::string::npos);
  // A chain far longer than the bound is refused without walking it (no deep recursion).
  std::map<std::string, std::string> long_chain;
  for (int i = 0; i < 30000; ++i)
    long_chain["r" + std::to_string(i)] = "rule:r" + std::to_string(i + 1);
  EXPECT_FALSE(build(long_chain));
  // A chain within the bound reached from deeper in another is still measured whole.
  std::map<std::string, std::string> joined;
  for (int i = 0; i < kMaxReferenceDepth; ++i)
    joined["b" + std::to_string(i)] = "rule:b" + std::to_string(i + 1);
  joined["b" + std::to_string(kMaxReferenceDepth)] = "@";
  EXPECT_TRUE(build(joined));
  joined["a"] = "rule:a1";
  joined["a1"] = "rule:b0";  // "a" sorts first, yet b0's height is memoized when "a1" is met
  EXPECT_FALSE(build(joined));
  // A diamond is not a loop.
  EXPECT_TRUE(build({{"a", "rule:b and rule:c"}, {"b", "rule:d"}, {"c", "rule:d"}, {"d", "@"}}));
}

}  // namespace
}  // namespace glance::common::policy

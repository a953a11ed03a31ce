#pragma once

#include "common/error.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace glance::common::policy {

// Named values a check reads, written as Python's str() prints them ("True", "42"). A value
// that is null upstream is simply absent here, so a check naming it fails (upstream compares
// the text "None", which lets two unset ids match each other).
using Values = std::map<std::string, std::string, std::less<>>;

// Who asks: user_id/user, project_id/tenant, is_admin ("True"/"False"), ... and the roles.
struct Credentials {
  Values values;
  std::vector<std::string> roles;
};

class RuleSet;

// One parsed rule of oslo.policy's language:
//   ""  or "@"            always allowed        "!"              never allowed
//   role:NAME             NAME (after %(key)s substitution from the target) is one of the
//                         caller's roles, compared case-insensitively
//   rule:NAME             the rule NAME of the same set (its default rule when undefined)
//   KIND:MATCH            generic: MATCH, with %(key)s taken from the target, equals the
//                         credential KIND (a.b walks nested values; none here nest), or the
//                         literal KIND when it is one ('x', "x", True, False, None, 42)
//   A and B, A or B, not A, ( A )    with not > and > or, keywords case-insensitive
// Tokens are split on whitespace; parentheses are split off a token's ends only, so
// "%(tenant)s" stays whole. Immutable once parsed; safe for concurrent evaluation.
class Rule {
 public:
  struct Node;

  // The list-of-lists form of old JSON files: [] is always allowed, otherwise any of the
  // inner lists, each of which needs all of its checks.
  static Result<Rule> parse(std::string_view text);
  static Result<Rule> parse_list(const std::vector<std::vector<std::string>>& alternatives);
  static Rule always();

  Rule(Rule&&) noexcept;
  Rule& operator=(Rule&&) noexcept;
  ~Rule();

  // Whether the caller passes this rule for `target`. `rules` resolves rule:NAME references;
  // its reference depth was bounded when it was built, so this terminates.
  bool allows(const Credentials& creds, const Values& target, const RuleSet& rules) const;
  // Names this rule references through rule:NAME.
  std::vector<std::string> references() const;
  // A canonical text form, fully parenthesized (for logs and tests).
  std::string to_string() const;

 private:
  explicit Rule(std::unique_ptr<Node> root);
  std::unique_ptr<Node> root_;
};

// Deepest nesting of parentheses and `not` a rule may have; deeper rules do not parse, so
// evaluation never recurses far (with rule:NAME chains bounded by RuleSet).
inline constexpr int kMaxRuleNesting = 32;

}  // namespace glance::common::policy

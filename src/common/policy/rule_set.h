#pragma once

#include "common/error.h"
#include "common/policy/rule.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace glance::common::policy {

// How many rule:NAME references a chain may pass through. Real policies use two or three.
inline constexpr int kMaxReferenceDepth = 16;

// Named rules, as oslo.policy's Rules: a name without a rule of its own uses the default
// rule ("default"), and a name that has neither is denied. Immutable; safe for concurrent
// use.
class RuleSet {
 public:
  using Map = std::map<std::string, Rule, std::less<>>;

  // Where the references of `rules` go wrong: the name of a rule whose rule:NAME chain comes
  // back to itself or is deeper than kMaxReferenceDepth, and why; nullopt when none does.
  static std::optional<std::pair<std::string, std::string>> check_references(
      const Map& rules, std::string_view default_rule = "default");
  // Fails (bad_request, naming the rule) where check_references finds a fault.
  static Result<RuleSet> build(Map rules, std::string default_rule = "default");

  RuleSet() = default;

  // The rule `name` resolves to, or null when it has none and there is no default rule.
  const Rule* find(std::string_view name) const;
  // Whether `creds` may do `action` to `target`; an action without any rule is denied.
  bool allows(std::string_view action, const Credentials& creds, const Values& target) const;
  const Map& rules() const { return rules_; }

 private:
  Map rules_;
  std::string default_rule_ = "default";
};

}  // namespace glance::common::policy

#include "common/policy/rule_set.h"

#include <functional>

namespace glance::common::policy {

namespace {
const Rule* resolve(const RuleSet::Map& rules, std::string_view name,
                    std::string_view default_rule) {
  auto it = rules.find(name);
  if (it == rules.end() && !default_rule.empty()) it = rules.find(default_rule);
  return it == rules.end() ? nullptr : &it->second;
}
}  // namespace

std::optional<std::pair<std::string, std::string>> RuleSet::check_references(
    const Map& rules, std::string_view default_rule) {
  // Depth-first over the resolved references; the memo holds each rule's chain depth once
  // known, so every rule is walked once.
  std::map<const Rule*, int> depth_of;
  std::map<const Rule*, bool> on_path;
  std::map<const Rule*, std::string_view> name_of;
  for (const auto& [name, rule] : rules) name_of[&rule] = name;
  std::optional<std::pair<std::string, std::string>> fault;
  std::function<int(const Rule&)> depth = [&](const Rule& rule) -> int {
    if (auto it = depth_of.find(&rule); it != depth_of.end()) return it->second;
    if (on_path[&rule]) {
      fault = std::pair{std::string(name_of[&rule]), "its rule: references come back to it"};
      return kMaxReferenceDepth + 1;
    }
    on_path[&rule] = true;
    int deepest = 0;
    for (const auto& name : rule.references()) {
      const Rule* next = resolve(rules, name, default_rule);
      if (!next) continue;
      deepest = std::max(deepest, 1 + depth(*next));
      if (fault || deepest > kMaxReferenceDepth) break;
    }
    on_path[&rule] = false;
    depth_of[&rule] = deepest;
    return deepest;
  };
  for (const auto& [name, rule] : rules) {
    int d = depth(rule);
    if (fault) return fault;
    if (d > kMaxReferenceDepth)
      return std::pair{name, "its rule: references chain deeper than " +
                                 std::to_string(kMaxReferenceDepth) + " rules"};
  }
  return std::nullopt;
}

Result<RuleSet> RuleSet::build(Map rules, std::string default_rule) {
  if (auto fault = check_references(rules, default_rule))
    return Error::bad_request("rule \"" + fault->first + "\": " + fault->second);
  RuleSet set;
  set.rules_ = std::move(rules);
  set.default_rule_ = std::move(default_rule);
  return set;
}

const Rule* RuleSet::find(std::string_view name) const {
  return resolve(rules_, name, default_rule_);
}

bool RuleSet::allows(std::string_view action, const Credentials& creds,
                     const Values& target) const {
  const Rule* rule = find(action);
  return rule && rule->allows(creds, target, *this);
}

}  // namespace glance::common::policy

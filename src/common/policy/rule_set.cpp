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
  // Depth-first over the resolved references, never deeper than the bound, so a long chain in
  // a file costs no stack. `height` memoizes how far each rule's references reach.
  std::map<const Rule*, std::string_view> name_of;
  for (const auto& [name, rule] : rules) name_of[&rule] = name;
  std::map<const Rule*, int> height_of;
  std::map<const Rule*, bool> on_path;
  std::optional<std::pair<std::string, std::string>> fault;
  const std::string too_deep =
      "its rule: references chain deeper than " + std::to_string(kMaxReferenceDepth) + " rules";
  std::string_view start;
  std::function<int(const Rule&, int)> height = [&](const Rule& rule, int level) -> int {
    auto known = height_of.find(&rule);
    if (level > kMaxReferenceDepth ||
        (known != height_of.end() && level + known->second > kMaxReferenceDepth)) {
      fault = std::pair{std::string(start), too_deep};
      return 0;
    }
    if (known != height_of.end()) return known->second;
    if (on_path[&rule]) {
      fault = std::pair{std::string(name_of[&rule]), "its rule: references come back to it"};
      return 0;
    }
    on_path[&rule] = true;
    int h = 0;
    for (const auto& name : rule.references()) {
      const Rule* next = resolve(rules, name, default_rule);
      if (!next) continue;
      h = std::max(h, 1 + height(*next, level + 1));
      if (fault) break;
    }
    on_path[&rule] = false;
    height_of[&rule] = h;
    return h;
  };
  for (const auto& [name, rule] : rules) {
    start = name;
    height(rule, 0);
    if (fault) return fault;
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

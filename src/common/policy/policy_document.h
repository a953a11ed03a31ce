#pragma once

#include "common/error.h"
#include "common/policy/rule_set.h"

#include <map>
#include <string>
#include <string_view>

namespace glance::common::policy {

// The rules of one policy file, and the line each is written on (1-based).
struct PolicyDocument {
  RuleSet::Map rules;
  std::map<std::string, int, std::less<>> lines;
};

// Policy files are small; a longer text is refused before parsing.
inline constexpr size_t kMaxPolicyFileBytes = 1 << 20;

// Parses a policy file as oslo.policy reads one: as JSON first (through the one JSON entry
// point), else as YAML (libyaml, event by event, so no nesting costs stack). The document is
// a mapping of rule names to rules, each a string of the rule language, a list of lists of
// checks (the old JSON form), or null (always allowed, as upstream); an empty document has
// no rules. Unlike upstream, a rule that does not parse fails the whole file instead of
// becoming a silent deny. Errors: bad_request "line N: why". Pure; thread-safe.
Result<PolicyDocument> parse_policy_document(std::string_view text);

}  // namespace glance::common::policy

#include "common/policy/policy_document.h"

#include "common/json_parse.h"

#include <yaml.h>

#include <memory>
#include <optional>

namespace glance::common::policy {

namespace {

Error at_line(int line, const std::string& why) {
  return Error::bad_request("line " + std::to_string(line) + ": " + why);
}

Error rule_error(int line, std::string_view name, const Error& e) {
  return at_line(line, "rule \"" + std::string(name) + "\": " + e.message());
}

// ---- JSON -------------------------------------------------------------------------------

// The line of each top-level key of a JSON text already known to be a valid object.
std::map<std::string, int, std::less<>> json_key_lines(std::string_view text) {
  std::map<std::string, int, std::less<>> lines;
  int line = 1, depth = 0;
  bool expect_key = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++line;
    if (c == '"') {
      size_t start = i++;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      if (depth == 1 && expect_key) {
        auto key = parse_json(text.substr(start, i - start + 1));
        if (key && key->is_string()) lines[key->get<std::string>()] = line;
        expect_key = false;
      }
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
      expect_key = depth == 1 && c == '{';
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_key = true;
    }
  }
  return lines;
}

Result<Rule> json_rule(const nlohmann::json& value) {
  if (value.is_null()) return Rule::always();
  if (value.is_string()) return Rule::parse(value.get_ref<const std::string&>());
  if (!value.is_array()) return Error::bad_request("a rule must be text or a list of lists");
  std::vector<std::vector<std::string>> alternatives;
  for (const auto& inner : value) {
    if (inner.is_string()) {
      alternatives.push_back({inner.get<std::string>()});
      continue;
    }
    if (!inner.is_array()) return Error::bad_request("a rule list holds checks or lists of them");
    auto& checks = alternatives.emplace_back();
    for (const auto& check : inner) {
      if (!check.is_string()) return Error::bad_request("a rule list's checks must be text");
      checks.push_back(check.get<std::string>());
    }
  }
  return Rule::parse_list(alternatives);
}

Result<PolicyDocument> from_json(std::string_view text, const nlohmann::json& doc) {
  PolicyDocument out;
  bool falsy = doc.is_null() || (doc.is_string() && doc.get_ref<const std::string&>().empty()) ||
               (doc.is_array() && doc.empty()) || doc == false || doc == 0;
  if (falsy) return out;  // upstream reads "no rules" from any false-ish document
  if (!doc.is_object()) return at_line(1, "a policy must map rule names to rules");
  auto lines = json_key_lines(text);
  for (const auto& [name, value] : doc.items()) {
    int line = lines.contains(name) ? lines.find(name)->second : 1;
    auto rule = json_rule(value);
    if (!rule) return rule_error(line, name, rule.error());
    out.rules.insert_or_assign(name, std::move(*rule));
    out.lines[name] = line;
  }
  return out;
}

// ---- YAML -------------------------------------------------------------------------------

class YamlEvents {
 public:
  explicit YamlEvents(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~YamlEvents() {
    if (have_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  YamlEvents(const YamlEvents&) = delete;
  YamlEvents& operator=(const YamlEvents&) = delete;

  // The next event; the previous one is released.
  Result<const yaml_event_t*> next() {
    if (have_event_) yaml_event_delete(&event_);
    have_event_ = false;
    if (!yaml_parser_parse(&parser_, &event_)) {
      int line = static_cast<int>(parser_.problem_mark.line) + 1;
      std::string why = parser_.problem ? parser_.problem : "not YAML";
      if (parser_.context) why = std::string(parser_.context) + ", " + why;
      return at_line(line, why);
    }
    have_event_ = true;
    return &event_;
  }

 private:
  yaml_parser_t parser_;
  yaml_event_t event_;
  bool have_event_ = false;
};

int line_of(const yaml_event_t& e) {
  return static_cast<int>(e.start_mark.line) + 1;
}

std::string scalar_text(const yaml_event_t& e) {
  return std::string(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
}

// YAML 1.1's spellings of null, which a plain (unquoted, untagged) scalar may use.
bool is_null_scalar(const yaml_event_t& e) {
  if (e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE || e.data.scalar.tag) return false;
  auto text = scalar_text(e);
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

Error unexpected_yaml(const yaml_event_t& e, const char* where) {
  if (e.type == YAML_ALIAS_EVENT) return at_line(line_of(e), "aliases are not supported");
  return at_line(line_of(e), std::string("unexpected ") + where);
}

// The list-of-lists form, after its SEQUENCE-START.
Result<Rule> yaml_rule_list(YamlEvents& events) {
  std::vector<std::vector<std::string>> alternatives;
  for (;;) {
    auto e = events.next();
    if (!e) return e.error();
    if ((*e)->type == YAML_SEQUENCE_END_EVENT) break;
    if ((*e)->type == YAML_SCALAR_EVENT) {
      alternatives.push_back({scalar_text(**e)});
      continue;
    }
    if ((*e)->type != YAML_SEQUENCE_START_EVENT)
      return unexpected_yaml(**e, "value in a rule list");
    auto& checks = alternatives.emplace_back();
    for (;;) {
      auto c = events.next();
      if (!c) return c.error();
      if ((*c)->type == YAML_SEQUENCE_END_EVENT) break;
      if ((*c)->type != YAML_SCALAR_EVENT) return unexpected_yaml(**c, "value in a check list");
      checks.push_back(scalar_text(**c));
    }
  }
  return Rule::parse_list(alternatives);
}

// The rules of the top-level mapping, after its MAPPING-START.
Result<void> yaml_rules(YamlEvents& events, PolicyDocument& out) {
  for (;;) {
    auto key = events.next();
    if (!key) return key.error();
    if ((*key)->type == YAML_MAPPING_END_EVENT) return {};
    if ((*key)->type != YAML_SCALAR_EVENT) return unexpected_yaml(**key, "rule name");
    const std::string name = scalar_text(**key);
    const int line = line_of(**key);
    auto value = events.next();
    if (!value) return value.error();
    Result<Rule> rule = Error::bad_request("");
    if ((*value)->type == YAML_SCALAR_EVENT)
      rule = is_null_scalar(**value) ? Rule::always() : Rule::parse(scalar_text(**value));
    else if ((*value)->type == YAML_SEQUENCE_START_EVENT)
      rule = yaml_rule_list(events);
    else
      return unexpected_yaml(**value, "value: a rule must be text or a list of lists");
    if (!rule) {
      if (rule.error().message().starts_with("line ")) return rule.error();
      return rule_error(line, name, rule.error());
    }
    out.rules.insert_or_assign(name, std::move(*rule));
    out.lines[name] = line;
  }
}

Result<PolicyDocument> from_yaml(std::string_view text) {
  PolicyDocument out;
  YamlEvents events(text);
  auto e = events.next();  // STREAM-START
  if (!e) return e.error();
  e = events.next();
  if (!e) return e.error();
  if ((*e)->type == YAML_STREAM_END_EVENT) return out;
  if ((*e)->type != YAML_DOCUMENT_START_EVENT) return unexpected_yaml(**e, "content");
  e = events.next();
  if (!e) return e.error();
  if ((*e)->type == YAML_MAPPING_START_EVENT) {
    if (auto r = yaml_rules(events, out); !r) return r.error();
  } else if ((*e)->type != YAML_SCALAR_EVENT || !is_null_scalar(**e)) {
    return at_line(line_of(**e), "a policy must map rule names to rules");
  }
  e = events.next();  // DOCUMENT-END
  if (!e) return e.error();
  e = events.next();
  if (!e) return e.error();
  if ((*e)->type != YAML_STREAM_END_EVENT)
    return at_line(line_of(**e), "a policy file holds one document");
  return out;
}

}  // namespace

Result<PolicyDocument> parse_policy_document(std::string_view text) {
  if (text.size() > kMaxPolicyFileBytes)
    return at_line(1, "longer than " + std::to_string(kMaxPolicyFileBytes) + " bytes");
  // A document three levels deep is as deep as a policy goes; deeper JSON falls to the YAML
  // reader, which reports where.
  if (auto doc = parse_json(text, JsonLimits{3, kMaxPolicyFileBytes})) return from_json(text, *doc);
  return from_yaml(text);
}

}  // namespace glance::common::policy

#include "common/policy/rule.h"

#include "common/policy/rule_set.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace glance::common::policy {

struct Rule::Node {
  enum class Kind { always, never, role, rule_ref, generic, all, any, negate };
  Kind kind = Kind::always;
  std::string key;    // the role or rule name, or the generic check's kind
  std::string match;  // the generic check's right-hand side
  std::vector<std::unique_ptr<Node>> children;
};

namespace {

using Node = Rule::Node;
using Kind = Rule::Node::Kind;

std::unique_ptr<Node> leaf(Kind kind, std::string key = {}, std::string match = {}) {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  n->key = std::move(key);
  n->match = std::move(match);
  return n;
}

std::unique_ptr<Node> join(Kind kind, std::vector<std::unique_ptr<Node>> children) {
  if (children.size() == 1) return std::move(children.front());
  auto n = std::make_unique<Node>();
  n->kind = kind;
  n->children = std::move(children);
  return n;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Python's `template % target` for the only conversions a policy uses: %(key)s and %%.
// nullopt when a key is missing or the template uses anything else, which upstream turns
// into a failed check or an exception.
std::optional<std::string> substitute(std::string_view tmpl, const Values& target) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] != '%') {
      out += tmpl[i];
      continue;
    }
    if (i + 1 < tmpl.size() && tmpl[i + 1] == '%') {
      out += '%';
      ++i;
      continue;
    }
    if (i + 1 >= tmpl.size() || tmpl[i + 1] != '(') return std::nullopt;
    size_t close = tmpl.find(')', i + 2);
    if (close == std::string_view::npos || close + 1 >= tmpl.size() || tmpl[close + 1] != 's')
      return std::nullopt;
    auto it = target.find(tmpl.substr(i + 2, close - i - 2));
    if (it == target.end()) return std::nullopt;
    out += it->second;
    i = close + 1;
  }
  return out;
}

// What Python's ast.literal_eval makes of a generic check's kind, printed by str(), when it
// is one of the literals a policy can sensibly hold.
std::optional<std::string> literal_of(std::string_view kind) {
  if (kind.size() >= 2 && (kind.front() == '\'' || kind.front() == '"') &&
      kind.back() == kind.front() && kind.find('\\') == std::string_view::npos &&
      kind.substr(1, kind.size() - 2).find(kind.front()) == std::string_view::npos)
    return std::string(kind.substr(1, kind.size() - 2));
  if (kind == "True" || kind == "False" || kind == "None") return std::string(kind);
  std::string_view digits = kind;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  if (!digits.empty() && (digits.size() == 1 || digits.front() != '0') &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::string(kind);
  return std::nullopt;
}

Result<std::unique_ptr<Node>> parse_check(std::string_view text) {
  if (text == "!") return leaf(Kind::never);
  if (text == "@") return leaf(Kind::always);
  size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    return Error::bad_request("'" + std::string(text) + "' is not a check (KIND:MATCH, @ or !)");
  std::string kind(text.substr(0, colon));
  std::string match(text.substr(colon + 1));
  if (kind == "rule") return leaf(Kind::rule_ref, std::move(match));
  if (kind == "role") return leaf(Kind::role, std::move(match));
  if (kind == "http" || kind == "https")
    return Error::bad_request("'" + std::string(text) + "': http checks are not supported");
  return leaf(Kind::generic, std::move(kind), std::move(match));
}

struct Token {
  enum class Type { lparen, rparen, and_op, or_op, not_op, check, quoted };
  Type type;
  std::string text;
};

// oslo.policy's tokenizer: whitespace separates; '(' and ')' are split off the ends of a
// word only, so "%(tenant)s" stays one check.
std::vector<Token> tokenize(std::string_view rule) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < rule.size()) {
    while (i < rule.size() && is_space(rule[i])) ++i;
    size_t start = i;
    while (i < rule.size() && !is_space(rule[i])) ++i;
    std::string_view word = rule.substr(start, i - start);
    if (word.empty()) break;
    while (!word.empty() && word.front() == '(') {
      out.push_back({Token::Type::lparen, "("});
      word.remove_prefix(1);
    }
    if (word.empty()) continue;
    std::string_view clean = word;
    size_t trail = 0;
    while (!clean.empty() && clean.back() == ')') {
      clean.remove_suffix(1);
      ++trail;
    }
    std::string lowered = lower(clean);
    if (lowered == "and") {
      out.push_back({Token::Type::and_op, std::string(clean)});
    } else if (lowered == "or") {
      out.push_back({Token::Type::or_op, std::string(clean)});
    } else if (lowered == "not") {
      out.push_back({Token::Type::not_op, std::string(clean)});
    } else if (!clean.empty()) {
      bool quoted = word.size() >= 2 && (word.front() == '"' || word.front() == '\'') &&
                    word.back() == word.front();
      out.push_back({quoted ? Token::Type::quoted : Token::Type::check, std::string(clean)});
    }
    for (size_t t = 0; t < trail; ++t) out.push_back({Token::Type::rparen, ")"});
  }
  return out;
}

// or_expr := and_expr ("or" and_expr)*; and_expr := unary ("and" unary)*;
// unary := "not" unary | "(" or_expr ")" | check. The same trees oslo.policy's reducer
// builds for every rule it accepts.
class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<std::unique_ptr<Node>> parse() {
    auto root = parse_or(0);
    if (!root) return root;
    if (pos_ < tokens_.size()) return unexpected();
    return root;
  }

 private:
  Result<std::unique_ptr<Node>> parse_or(int depth) {
    return parse_chain(depth, Token::Type::or_op, Kind::any);
  }

  Result<std::unique_ptr<Node>> parse_chain(int depth, Token::Type op, Kind kind) {
    std::vector<std::unique_ptr<Node>> items;
    do {
      auto item = op == Token::Type::or_op ? parse_chain(depth, Token::Type::and_op, Kind::all)
                                           : parse_unary(depth);
      if (!item) return item;
      items.push_back(std::move(*item));
    } while (accept(op));
    return join(kind, std::move(items));
  }

  Result<std::unique_ptr<Node>> parse_unary(int depth) {
    if (depth >= kMaxRuleNesting)
      return Error::bad_request("parentheses and 'not' nest deeper than " +
                                std::to_string(kMaxRuleNesting) + " levels");
    if (pos_ >= tokens_.size()) return Error::bad_request("the rule ends where a check is due");
    const Token& t = tokens_[pos_];
    if (t.type == Token::Type::not_op) {
      ++pos_;
      auto inner = parse_unary(depth + 1);
      if (!inner) return inner;
      auto n = std::make_unique<Node>();
      n->kind = Kind::negate;
      n->children.push_back(std::move(*inner));
      return n;
    }
    if (t.type == Token::Type::lparen) {
      ++pos_;
      auto inner = parse_or(depth + 1);
      if (!inner) return inner;
      if (!accept(Token::Type::rparen)) return unexpected();
      return inner;
    }
    if (t.type == Token::Type::check) {
      ++pos_;
      return parse_check(t.text);
    }
    return unexpected();
  }

  bool accept(Token::Type type) {
    if (pos_ >= tokens_.size() || tokens_[pos_].type != type) return false;
    ++pos_;
    return true;
  }

  Error unexpected() const {
    if (pos_ >= tokens_.size()) return Error::bad_request("the rule ends where ')' is due");
    const Token& t = tokens_[pos_];
    if (t.type == Token::Type::quoted)
      return Error::bad_request("quoted word " + t.text + " is not a check");
    return Error::bad_request("unexpected '" + t.text + "'");
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

bool evaluate(const Node& n, const Credentials& creds, const Values& target, const RuleSet& rules) {
  switch (n.kind) {
    case Kind::always:
      return true;
    case Kind::never:
      return false;
    case Kind::negate:
      return !evaluate(*n.children.front(), creds, target, rules);
    case Kind::all:
      return std::all_of(n.children.begin(), n.children.end(),
                         [&](const auto& c) { return evaluate(*c, creds, target, rules); });
    case Kind::any:
      return std::any_of(n.children.begin(), n.children.end(),
                         [&](const auto& c) { return evaluate(*c, creds, target, rules); });
    case Kind::rule_ref: {
      const Rule* rule = rules.find(n.key);
      return rule && rule->allows(creds, target, rules);
    }
    case Kind::role: {
      auto role = substitute(n.key, target);
      if (!role) return false;
      std::string wanted = lower(*role);
      return std::any_of(creds.roles.begin(), creds.roles.end(),
                         [&](const std::string& r) { return lower(r) == wanted; });
    }
    case Kind::generic: {
      auto match = substitute(n.match, target);
      if (!match) return false;
      if (auto literal = literal_of(n.key)) return *match == *literal;
      auto it = creds.values.find(n.key);  // a dotted path finds nothing: no value nests
      return it != creds.values.end() && it->second == *match;
    }
  }
  return false;
}

void collect_references(const Node& n, std::vector<std::string>& out) {
  if (n.kind == Kind::rule_ref) out.push_back(n.key);
  for (const auto& c : n.children) collect_references(*c, out);
}

std::string render(const Node& n) {
  switch (n.kind) {
    case Kind::always:
      return "@";
    case Kind::never:
      return "!";
    case Kind::role:
      return "role:" + n.key;
    case Kind::rule_ref:
      return "rule:" + n.key;
    case Kind::generic:
      return n.key + ":" + n.match;
    case Kind::negate:
      return "not " + render(*n.children.front());
    case Kind::all:
    case Kind::any: {
      std::string out = "(";
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i) out += n.kind == Kind::all ? " and " : " or ";
        out += render(*n.children[i]);
      }
      return out + ")";
    }
  }
  return "!";
}

}  // namespace

Rule::Rule(std::unique_ptr<Node> root) : root_(std::move(root)) {}
Rule::Rule(Rule&&) noexcept = default;
Rule& Rule::operator=(Rule&&) noexcept = default;
Rule::~Rule() = default;

Rule Rule::always() {
  return Rule(leaf(Kind::always));
}

Result<Rule> Rule::parse(std::string_view text) {
  if (text.empty()) return always();
  auto tokens = tokenize(text);
  if (tokens.empty()) return Error::bad_request("a rule of blanks only");
  auto root = Parser(std::move(tokens)).parse();
  if (!root) return root.error();
  return Rule(std::move(*root));
}

Result<Rule> Rule::parse_list(const std::vector<std::vector<std::string>>& alternatives) {
  if (alternatives.empty()) return always();
  std::vector<std::unique_ptr<Node>> any;
  for (const auto& checks : alternatives) {
    if (checks.empty()) continue;
    std::vector<std::unique_ptr<Node>> all;
    for (const auto& text : checks) {
      auto check = parse_check(text);
      if (!check) return check.error();
      all.push_back(std::move(*check));
    }
    any.push_back(join(Kind::all, std::move(all)));
  }
  if (any.empty()) return Rule(leaf(Kind::never));
  return Rule(join(Kind::any, std::move(any)));
}

bool Rule::allows(const Credentials& creds, const Values& target, const RuleSet& rules) const {
  return evaluate(*root_, creds, target, rules);
}

std::vector<std::string> Rule::references() const {
  std::vector<std::string> out;
  collect_references(*root_, out);
  return out;
}

std::string Rule::to_string() const {
  return render(*root_);
}

}  // namespace glance::common::policy

#include "api/property_protection_file.h"

// The engine's own give-up bound for the N² part of its estimate; the N·L² part is bounded by
// kMaxPatternChars. Only this file includes Boost.Regex, so the setting is the same for every
// use of it in the program.
#define BOOST_REGEX_MAX_STATE_COUNT 10000000
#include <boost/regex.hpp>

#include <algorithm>
#include <map>
#include <optional>

namespace glance::api {

using common::Error;
using common::Result;

std::string_view operation_name(PropertyOperation op) {
  switch (op) {
    case PropertyOperation::create:
      return "create";
    case PropertyOperation::read:
      return "read";
    case PropertyOperation::update:
      return "update";
    case PropertyOperation::remove:
      return "delete";
  }
  return "?";
}

struct PropertyProtectionFile::Compiled {
  boost::regex regex;
};

namespace {

constexpr std::string_view kSpace = " \t\n\r\f\v";

std::string_view strip(std::string_view s) {
  auto first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// An INI section as Python's ConfigParser reads it: option names lower-cased, values
// stripped, continuation lines joined with '\n'.
struct IniSection {
  std::string name;
  size_t line = 0;
  std::map<std::string, std::string> options;
};

struct IniText {
  std::vector<IniSection> sections;  // in file order, [DEFAULT] excepted
  IniSection defaults;
};

Error line_error(size_t line, const std::string& why) {
  return Error::bad_request("line " + std::to_string(line) + ": " + why);
}

// ConfigParser's (strict) reading: duplicates are errors, "#" and ";" start comment lines
// only, '=' or ':' ends the option name, an indented line continues the option above it.
Result<IniText> read_ini(std::string_view text) {
  IniText ini;
  IniSection* current = nullptr;
  std::string* value = nullptr;  // the option a continuation line extends
  size_t value_indent = 0;
  size_t number = 0;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++number;
    auto line = strip(raw);
    if (line.empty()) continue;
    if (line.front() == '#' || line.front() == ';') {
      value = nullptr;
      continue;
    }
    size_t indent = raw.find_first_not_of(kSpace);
    if (value && indent > value_indent) {
      value->append("\n").append(line);
      continue;
    }
    value = nullptr;
    auto close = line.rfind(']');
    if (line.front() == '[' && close != std::string_view::npos && close > 1) {
      std::string name(line.substr(1, close - 1));
      if (name == "DEFAULT") {
        current = &ini.defaults;
        continue;
      }
      for (const auto& s : ini.sections)
        if (s.name == name)
          return line_error(
              number, "section [" + name + "] already appeared on line " + std::to_string(s.line));
      if (ini.sections.size() == kMaxProtectionSections)
        return line_error(number,
                          "more than " + std::to_string(kMaxProtectionSections) + " sections");
      current = &ini.sections.emplace_back(IniSection{std::move(name), number, {}});
      continue;
    }
    auto delim = line.find_first_of("=:");
    if (delim == std::string_view::npos)
      return line_error(number, "expected [section], \"option = value\" or a comment");
    if (!current) return line_error(number, "an option before the first [section]");
    auto key = lower(strip(line.substr(0, delim)));
    if (key.empty()) return line_error(number, "an option without a name");
    auto [it, added] = current->options.emplace(key, std::string(strip(line.substr(delim + 1))));
    if (!added)
      return line_error(number, "option " + key + " appears twice in [" + current->name + "]");
    value = &it->second;
    value_indent = indent;
  }
  return ini;
}

// ConfigParser's interpolation: "%%" is a '%'; this file has no use for "%(name)s".
std::optional<std::string> unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%') {
      if (i + 1 == v.size() || v[i + 1] != '%') return std::nullopt;
      ++i;
    }
    out.push_back(v[i]);
  }
  return out;
}

std::string where(const IniSection& s, PropertyOperation op) {
  return "[" + s.name + "] " + std::string(operation_name(op));
}

Result<PropertyGrants> grants_of(const IniSection& s, PropertyOperation op, std::string_view raw,
                                 PropertyRuleFormat format) {
  auto value = unescape(raw);
  if (!value) return Error::bad_request(where(s, op) + ": write a '%' as '%%'");
  PropertyGrants grants;
  if (format == PropertyRuleFormat::policies) {
    if (value->find(',') != std::string::npos)
      return Error::bad_request(where(s, op) + ": one policy rule per operation (\"" + *value +
                                "\"); combine rules in the policy file");
    if (!value->empty()) grants.push_back(*value);
    return grants;
  }
  std::string_view rest = *value;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto role = strip(rest.substr(0, comma));
    if (!role.empty()) grants.push_back(lower(role));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  bool everyone = std::ranges::find(grants, "@") != grants.end();
  bool no_one = std::ranges::find(grants, "!") != grants.end();
  if (everyone && no_one)
    return Error::bad_request(where(s, op) + ": '@' and '!' exclude each other");
  return grants;
}

}  // namespace

Result<PropertyProtectionFile> PropertyProtectionFile::parse(std::string_view text,
                                                             PropertyRuleFormat format) {
  if (text.size() > kMaxProtectionFileBytes)
    return Error::bad_request("larger than " + std::to_string(kMaxProtectionFileBytes) + " bytes");
  auto ini = read_ini(text);
  if (!ini) return ini.error();
  std::vector<Section> sections;
  std::vector<std::unique_ptr<Compiled>> compiled;
  std::vector<std::string> warnings;
  for (const auto& s : ini->sections) {
    if (s.name.size() > kMaxPatternChars)
      return Error::bad_request("section on line " + std::to_string(s.line) + ": pattern over " +
                                std::to_string(kMaxPatternChars) + " characters");
    auto c = std::make_unique<Compiled>();
    try {
      // Python's defaults: '.' stops at a newline, '^' and '$' hold at the ends only.
      c->regex.assign(s.name, boost::regex::perl | boost::regex::no_mod_s | boost::regex::no_mod_m);
    } catch (const boost::regex_error& e) {
      return Error::bad_request("section [" + s.name + "] on line " + std::to_string(s.line) +
                                ": not a valid regular expression: " + e.what());
    }
    Section section{s.name, {}};
    for (size_t i = 0; i < kPropertyOperations; ++i) {
      auto op = static_cast<PropertyOperation>(i);
      std::string key(operation_name(op));
      auto it = s.options.find(key);
      if (it == s.options.end()) it = ini->defaults.options.find(key);
      if (it == ini->defaults.options.end())
        return Error::bad_request("section [" + s.name + "] on line " + std::to_string(s.line) +
                                  " has no " + key);
      auto grants = grants_of(s, op, it->second, format);
      if (!grants) return grants.error();
      if (grants->empty())
        warnings.push_back(where(s, op) + " is empty: no one may " + key + " these properties");
      section.grants[i] = std::move(*grants);
    }
    sections.push_back(std::move(section));
    compiled.push_back(std::move(c));
  }
  return PropertyProtectionFile(format, std::move(sections), std::move(compiled),
                                std::move(warnings));
}

PropertyProtectionFile::PropertyProtectionFile(PropertyRuleFormat format,
                                               std::vector<Section> sections,
                                               std::vector<std::unique_ptr<Compiled>> compiled,
                                               std::vector<std::string> warnings)
    : format_(format),
      sections_(std::move(sections)),
      compiled_(std::move(compiled)),
      warnings_(std::move(warnings)) {}

PropertyProtectionFile::PropertyProtectionFile(PropertyProtectionFile&&) noexcept = default;
PropertyProtectionFile& PropertyProtectionFile::operator=(PropertyProtectionFile&&) noexcept =
    default;
PropertyProtectionFile::~PropertyProtectionFile() = default;

const PropertyProtectionFile::Section* PropertyProtectionFile::find(std::string_view name,
                                                                    bool* gave_up) const {
  if (gave_up) *gave_up = false;
  for (size_t i = 0; i < sections_.size(); ++i) {
    try {
      if (boost::regex_search(name.begin(), name.end(), compiled_[i]->regex)) return &sections_[i];
    } catch (const std::runtime_error&) {
      // The engine's step bound (error_complexity, error_stack): undecided counts as
      // protected, never as a match of some later, looser section.
      if (gave_up) *gave_up = true;
      return nullptr;
    }
  }
  return nullptr;
}

}  // namespace glance::api

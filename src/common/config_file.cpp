#include "common/config_file.h"

#include "common/option_descriptions.h"

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>

#include <charconv>
#include <fstream>
#include <sstream>

namespace glance::common {

namespace po = boost::program_options;

namespace {
std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Boost's INI parser yields "section.key" ("key" for lines before any section). Every value of
// a key, in file order.
Result<std::map<std::string, std::vector<std::string>>> parse_ini(std::istream& in,
                                                                  const std::string& name) {
  std::map<std::string, std::vector<std::string>> out;
  try {
    po::options_description none;
    auto parsed = po::parse_config_file(in, none, /*allow_unregistered=*/true);
    for (const auto& opt : parsed.options) {
      std::string key = opt.string_key;
      if (key.find('.') == std::string::npos) key = "DEFAULT." + key;
      out[key].push_back(opt.value.empty() ? std::string() : opt.value.front());
    }
  } catch (const std::exception& e) {
    return Error::bad_request(name + ": " + e.what());
  }
  return out;
}
}  // namespace

std::optional<bool> parse_bool_option(std::string_view value) {
  std::string v = lower(std::string(value));
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return std::nullopt;
}

std::string ConfigFile::canonical(const std::string& section, const std::string& key) {
  return section + "." + key;
}

Result<ConfigFile> ConfigFile::load(const std::vector<std::string>& paths) {
  ConfigFile cfg;
  for (const auto& path : paths) {
    std::ifstream in(path);
    if (!in) return Error::bad_request("cannot read config file " + path);
    auto parsed = parse_ini(in, path);
    if (!parsed) return parsed.error();
    cfg.take(std::move(*parsed));
  }
  return cfg;
}

ConfigFile ConfigFile::from_string(const std::string& ini) {
  ConfigFile cfg;
  std::istringstream in(ini);
  if (auto parsed = parse_ini(in, "<string>")) cfg.take(std::move(*parsed));
  return cfg;
}

void ConfigFile::take(std::map<std::string, std::vector<std::string>> parsed) {
  for (auto& [k, v] : parsed) {
    values_[k] = v.back();
    all_values_[k] = std::move(v);
  }
}

void ConfigFile::note(OptionSpec spec) {
  spec.description = std::string(option_description(spec.section, spec.key));
  auto name = canonical(spec.section, spec.key);
  auto [it, added] = option_index_.try_emplace(name, options_read_.size());
  if (added)
    options_read_.push_back(std::move(spec));
  else
    options_read_[it->second] = std::move(spec);
}

void ConfigFile::describe_default(const std::string& section, const std::string& key,
                                  std::string text) {
  auto it = option_index_.find(canonical(section, key));
  if (it != option_index_.end()) options_read_[it->second].default_value = std::move(text);
}

std::vector<std::string> ConfigFile::get_multi(const std::string& section, const std::string& key) {
  auto name = canonical(section, key);
  known_.insert(name);
  note({section, key, "multi", "", std::nullopt, std::nullopt});
  auto it = all_values_.find(name);
  return it == all_values_.end() ? std::vector<std::string>() : it->second;
}

void ConfigFile::accept(const std::string& section, const std::string& key) {
  known_.insert(canonical(section, key));
  note({section, key, "accepted", "", std::nullopt, std::nullopt});
}

void ConfigFile::add_error(const std::string& section, const std::string& key,
                           const std::string& why) {
  errors_.push_back("option " + key + " in [" + section + "]: " + why);
}

std::optional<std::string> ConfigFile::get_optional(const std::string& section,
                                                    const std::string& key) {
  note({section, key, "string", "", std::nullopt, std::nullopt});
  return raw(section, key);
}

std::optional<std::string> ConfigFile::raw(const std::string& section, const std::string& key) {
  auto name = canonical(section, key);
  known_.insert(name);
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string ConfigFile::get_string(const std::string& section, const std::string& key,
                                   std::string def) {
  note({section, key, "string", def, std::nullopt, std::nullopt});
  return raw(section, key).value_or(std::move(def));
}

int64_t ConfigFile::get_int(const std::string& section, const std::string& key, int64_t def,
                            int64_t min, int64_t max) {
  note({section, key, "integer", std::to_string(def),
        min == INT64_MIN ? std::nullopt : std::optional<int64_t>(min),
        max == INT64_MAX ? std::nullopt : std::optional<int64_t>(max)});
  auto raw = this->raw(section, key);
  if (!raw) return def;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || end != raw->data() + raw->size()) {
    errors_.push_back("option " + key + " in [" + section + "]: '" + *raw + "' is not an integer");
    return def;
  }
  if (v < min || v > max) {
    errors_.push_back("option " + key + " in [" + section + "]: " + *raw + " is out of range [" +
                      std::to_string(min) + ", " + std::to_string(max) + "]");
    return def;
  }
  return v;
}

bool ConfigFile::get_bool(const std::string& section, const std::string& key, bool def) {
  note({section, key, "boolean", def ? "True" : "False", std::nullopt, std::nullopt});
  auto raw = this->raw(section, key);
  if (!raw) return def;
  auto v = parse_bool_option(*raw);
  if (!v) {
    errors_.push_back("option " + key + " in [" + section + "]: '" + *raw + "' is not a boolean");
    return def;
  }
  return *v;
}

std::vector<std::string> ConfigFile::get_list(const std::string& section, const std::string& key,
                                              std::vector<std::string> def) {
  std::string listed;
  for (const auto& item : def) listed += (listed.empty() ? "" : ",") + item;
  note({section, key, "list", listed, std::nullopt, std::nullopt});
  auto raw = this->raw(section, key);
  if (!raw) return def;
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(*raw);
  while (std::getline(in, item, ',')) {
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

std::vector<std::string> ConfigFile::unknown_options() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : values_)
    if (!known_.count(k)) out.push_back(k);
  return out;
}

}  // namespace glance::common

#pragma once

#include "common/error.h"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace glance::common {

// Options read from Glance-style INI files ("[DEFAULT]", "[database]", ...), parsed by
// Boost.ProgramOptions. Later files override earlier ones, as with oslo.config's repeated
// --config-file. Typed getters convert on read and record both the option as known and any
// conversion error, so a daemon can report every bad value and every unknown option at once.
// Not thread-safe; used only at start-up.
class ConfigFile {
 public:
  // Fails when a file cannot be read or is not valid INI.
  static Result<ConfigFile> load(const std::vector<std::string>& paths);
  static ConfigFile from_string(const std::string& ini);

  std::string get_string(const std::string& section, const std::string& key, std::string def);
  std::optional<std::string> get_optional(const std::string& section, const std::string& key);
  int64_t get_int(const std::string& section, const std::string& key, int64_t def,
                  int64_t min = INT64_MIN, int64_t max = INT64_MAX);
  bool get_bool(const std::string& section, const std::string& key, bool def);
  std::vector<std::string> get_list(const std::string& section, const std::string& key,
                                    std::vector<std::string> def);
  // Every value of an option that may be given on several lines (oslo.config's MultiStrOpt,
  // e.g. [oslo_messaging_notifications] driver), in order; the file read last that sets it
  // wins. Empty when unset.
  std::vector<std::string> get_multi(const std::string& section, const std::string& key);
  // Marks an option as understood without reading it (accepted for compatibility).
  void accept(const std::string& section, const std::string& key);
  // Records a value that read well but that the daemon cannot use (`why` says how), so that
  // it is reported with the conversion errors.
  void add_error(const std::string& section, const std::string& key, const std::string& why);

  // One option a getter or accept() was asked for: a line of the configuration reference
  // (docs/configuration.md is generated from these, through each program's --list-options).
  struct OptionSpec {
    std::string section;
    std::string key;
    std::string type;           // string, integer, boolean, list, multi or accepted
    std::string default_value;  // as it would be written in the file; empty when none
    std::optional<int64_t> min;
    std::optional<int64_t> max;
    // What the option does (common/option_descriptions.h); empty when the table lacks it.
    std::string description = {};
  };
  // For an option read with a default worked out on this machine (the number of CPUs, the
  // host name): what the reference says of that default instead of this machine's value, in
  // parentheses.
  void describe_default(const std::string& section, const std::string& key, std::string text);
  // Every option asked for so far, once each, in the order first asked.
  const std::vector<OptionSpec>& options_read() const { return options_read_; }

  // "section.key" of options present in the files that no getter asked for.
  std::vector<std::string> unknown_options() const;
  // One line per value that did not convert, naming the option.
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  static std::string canonical(const std::string& section, const std::string& key);
  // The raw value, and records the option as known (no OptionSpec).
  std::optional<std::string> raw(const std::string& section, const std::string& key);
  void note(OptionSpec spec);
  void take(std::map<std::string, std::vector<std::string>> parsed);
  std::map<std::string, std::string> values_;  // "section.key" -> raw value (the last one)
  std::map<std::string, std::vector<std::string>> all_values_;  // every value, in file order
  std::set<std::string> known_;
  std::vector<std::string> errors_;
  std::vector<OptionSpec> options_read_;
  std::map<std::string, size_t> option_index_;  // "section.key" -> its place in options_read_
};

// Parses oslo.config's boolean spellings; nullopt for anything else.
std::optional<bool> parse_bool_option(std::string_view value);

}  // namespace glance::common

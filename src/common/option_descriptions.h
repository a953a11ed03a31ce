#pragma once

#include <string_view>
#include <vector>

namespace glance::common {

// What one configuration option does, in a sentence or two, as the configuration reference
// (docs/configuration.md) and every program's --list-options show it. One table holds the
// description of every option any program reads, keyed by section and name, so an option
// read in several programs (bind_port, [keystone_authtoken]) is described once. The
// reference's generator (scripts/config-reference.py) fails when a program reads an option
// this table does not describe, or when the table describes an option no program reads.
// Descriptions hold no tab, newline or '|' (they go into tab-separated lines and Markdown
// tables). All functions are pure and safe for concurrent calls.
//
// The views of an OptionDescription, and the one option_description() returns, point at
// string literals: they stay valid for the whole run of the program.
struct OptionDescription {
  std::string_view section;
  std::string_view key;
  std::string_view text;
};

// The description of [section] key; empty when the table has none.
std::string_view option_description(std::string_view section, std::string_view key);

// Every entry of the table, in no particular order.
std::vector<OptionDescription> all_option_descriptions();

}  // namespace glance::common

#include "common/option_descriptions.h"

#include "common/option_description_tables.h"

#include <algorithm>
#include <tuple>

namespace glance::common {

namespace {
auto by_name(const OptionDescription& d) {
  return std::tie(d.section, d.key);
}

// Sorted by section and name, built once (a function-local static: safe for concurrent
// first calls).
const std::vector<OptionDescription>& sorted_table() {
  static const std::vector<OptionDescription> table = [] {
    auto all = all_option_descriptions();
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return by_name(a) < by_name(b); });
    return all;
  }();
  return table;
}
}  // namespace

std::vector<OptionDescription> all_option_descriptions() {
  std::vector<OptionDescription> all;
  for (auto part :
       {server_option_descriptions(), service_option_descriptions(), api_option_descriptions(),
        store_option_descriptions(), registry_option_descriptions()})
    all.insert(all.end(), part.begin(), part.end());
  return all;
}

std::string_view option_description(std::string_view section, std::string_view key) {
  const auto& table = sorted_table();
  OptionDescription wanted{section, key, {}};
  auto it = std::lower_bound(table.begin(), table.end(), wanted,
                             [](const auto& a, const auto& b) { return by_name(a) < by_name(b); });
  if (it == table.end() || it->section != section || it->key != key) return {};
  return it->text;
}

}  // namespace glance::common

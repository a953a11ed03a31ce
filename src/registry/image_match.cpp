#include "registry/image_match.h"

#include <set>
#include <utility>

namespace glance::registry {

using common::Image;
using common::ImageFields;

namespace {
template <class T, class U>
bool same_if_set(const std::optional<T>& given, const U& stored) {
  return !given || *given == stored;
}

bool is_going_away(const std::string& status) {
  return status == "deleted" || status == "pending_delete";
}

bool properties_held(const common::ImageProperties& stored,
                     const std::optional<common::ImageProperties>& given, bool purge) {
  if (purge) return stored == given.value_or(common::ImageProperties{});
  if (!given) return true;
  for (const auto& [name, value] : *given) {
    auto it = stored.find(name);
    if (it == stored.end() || it->second != value) return false;
  }
  return true;
}

bool locations_held(const std::vector<common::ImageLocation>& stored,
                    const std::optional<std::vector<common::ImageLocation>>& given) {
  if (!given) return true;
  std::set<std::pair<std::string, std::string>> wanted, have;
  for (const auto& l : *given)
    if (!is_going_away(l.status)) wanted.emplace(l.url, l.status);
  for (const auto& l : stored) have.emplace(l.url, l.status);
  return wanted == have;
}
bool tags_held(const std::vector<std::string>& stored,
               const std::optional<std::vector<std::string>>& given) {
  if (!given) return true;
  return std::set<std::string>(stored.begin(), stored.end()) ==
         std::set<std::string>(given->begin(), given->end());
}
}  // namespace

bool image_holds(const Image& stored, const ImageFields& f, bool purge_props) {
  return same_if_set(f.name, stored.name) && same_if_set(f.disk_format, stored.disk_format) &&
         same_if_set(f.container_format, stored.container_format) &&
         same_if_set(f.checksum, stored.checksum) &&
         same_if_set(f.os_hash_algo, stored.os_hash_algo) &&
         same_if_set(f.os_hash_value, stored.os_hash_value) && same_if_set(f.owner, stored.owner) &&
         same_if_set(f.size, stored.size) && same_if_set(f.virtual_size, stored.virtual_size) &&
         same_if_set(f.min_disk, stored.min_disk) && same_if_set(f.min_ram, stored.min_ram) &&
         same_if_set(f.status, stored.status) &&
         (f.visibility ? *f.visibility == stored.visibility
                       : same_if_set(f.is_public, stored.is_public)) &&
         same_if_set(f.os_hidden, stored.os_hidden) && tags_held(stored.tags, f.tags) &&
         same_if_set(f.is_protected, stored.is_protected) &&
         properties_held(stored.properties, f.properties, purge_props) &&
         locations_held(stored.locations, f.locations);
}

}  // namespace glance::registry

#include "store/store.h"

#include <cctype>

namespace glance::store {

std::string Location::scheme() const {
  auto sep = uri.find("://");
  if (sep == std::string::npos) return {};
  std::string scheme = uri.substr(0, sep);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme;
}

Task<void> Store::remove_leftovers(const std::string&, const std::optional<Location>&) {
  co_return common::Result<void>();
}

Task<std::vector<std::string>> Store::image_ids_with_data() {
  co_return std::vector<std::string>();
}

}  // namespace glance::store

#include "store/store.h"

namespace glance::store {

std::string Location::scheme() const {
  auto sep = uri.find("://");
  return sep == std::string::npos ? std::string() : uri.substr(0, sep);
}

}  // namespace glance::store

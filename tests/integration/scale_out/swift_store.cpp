#include "tests/integration/scale_out/swift_store.h"

#include "tests/support/swift_cluster.h"

#include <regex>

namespace glance::testing::scale_out {

ClusterStore swift_store(const std::string& container) {
  const auto& c = swift_cluster();
  ClusterStore store;
  store.options =
      "stores = swift\ndefault_store = swift\nswift_store_auth_address = " + c.auth_url +
      "\nswift_store_auth_version = 1\nswift_store_user = " + c.user +
      "\nswift_store_key = " + c.key + "\nswift_store_container = " + container +
      "\nswift_store_create_container_on_put = True\n";
  store.names = [container] { return swift_object_names(container); };
  // The Swift store writes an image as a manifest "<id>-<tag>" and its segments
  // "<id>-<tag>-00001", ...
  store.upload_of = [](const std::string& name) {
    static const std::regex segment("(.*)-[0-9]{5}");
    std::smatch m;
    return std::regex_match(name, m, segment) ? m[1].str() : name;
  };
  return store;
}

}  // namespace glance::testing::scale_out

#include "tests/integration/scale_out/swift_store.h"

#include "tests/support/http_client.h"
#include "tests/support/swift_cluster.h"

#include <regex>
#include <stdexcept>

namespace glance::testing::scale_out {

ClusterStore swift_store(const std::string& container) {
  const auto& c = swift_cluster();
  ClusterStore store;
  store.options =
      "stores = swift\ndefault_store = swift\nswift_store_auth_address = " + c.auth_url +
      "\nswift_store_auth_version = 1\nswift_store_user = " + c.user +
      "\nswift_store_key = " + c.key + "\nswift_store_container = " + container +
      "\nswift_store_create_container_on_put = True\n";
  store.names = [container] {
    std::string storage_url;
    const std::string token = swift_token(swift_cluster(), &storage_url);
    HttpClient swift(swift_cluster().proxy_port, {{"X-Auth-Token", token}});
    auto r = swift.get(url_path(storage_url) + "/" + container + "?format=json");
    std::vector<std::string> names;
    if (r.status == 404) return names;  // no upload yet
    if (r.status != 200)
      throw std::runtime_error("listing Swift container " + container + ": " +
                               std::to_string(r.status) + " " + r.body);
    for (const auto& object : r.json()) names.push_back(object["name"].get<std::string>());
    return names;
  };
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

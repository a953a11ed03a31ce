#include "store/swift/swift_driver.h"

namespace glance::store {

SwiftStoreConfig load_swift_config(common::ConfigFile& file) {
  SwiftStoreConfig c;
  const std::string s = "glance_store";
  c.auth_address = file.get_string(s, "swift_store_auth_address", c.auth_address);
  const std::string version =
      file.get_string(s, "swift_store_auth_version", std::to_string(c.auth_version));
  if (version == "1" || version == "1.0" || version == "2" || version == "2.0" || version == "3" ||
      version == "3.0")
    c.auth_version = version[0] - '0';
  else
    file.add_error(s, "swift_store_auth_version", "must be 1, 2 or 3");
  c.user = file.get_string(s, "swift_store_user", c.user);
  c.key = file.get_string(s, "swift_store_key", c.key);
  c.container = file.get_string(s, "swift_store_container", c.container);
  c.multiple_containers_seed = static_cast<int>(
      file.get_int(s, "swift_store_multiple_containers_seed", c.multiple_containers_seed, 0, 32));
  c.create_container_on_put =
      file.get_bool(s, "swift_store_create_container_on_put", c.create_container_on_put);
  // Swift refuses single objects over 5 GiB by default (max_file_size): 5120 units is below it.
  constexpr int64_t kMaxUnits = 5120;
  c.large_object_size =
      kSwiftMegabyte *
      static_cast<uint64_t>(file.get_int(s, "swift_store_large_object_size",
                                         static_cast<int64_t>(c.large_object_size / kSwiftMegabyte),
                                         1, kMaxUnits));
  c.large_object_chunk_size =
      kSwiftMegabyte *
      static_cast<uint64_t>(file.get_int(
          s, "swift_store_large_object_chunk_size",
          static_cast<int64_t>(c.large_object_chunk_size / kSwiftMegabyte), 1, kMaxUnits));
  c.auth_insecure = file.get_bool(s, "swift_store_auth_insecure", c.auth_insecure);
  c.cacert = file.get_string(s, "swift_store_cacert", c.cacert);
  c.endpoint = file.get_string(s, "swift_store_endpoint", c.endpoint);
  c.endpoint_type = file.get_string(s, "swift_store_endpoint_type", c.endpoint_type);
  c.service_type = file.get_string(s, "swift_store_service_type", c.service_type);
  c.region = file.get_string(s, "swift_store_region", c.region);
  return c;
}

Driver swift_driver() {
  return {.names = {"swift"}, .configure = [](common::ConfigFile& file) -> StartDriver {
            return [c = load_swift_config(file)](
                       BlockingPool& pool) -> common::Result<std::unique_ptr<Store>> {
              auto store = SwiftStore::create(c, pool);
              if (!store) return store.error();
              return std::unique_ptr<Store>(std::move(*store));
            };
          }};
}

}  // namespace glance::store

#include "store/store_registry.h"

#include "store/file_store.h"
#include "store/swift_store.h"

#include <spdlog/spdlog.h>

namespace glance::store {

using common::Error;
using common::Result;

void StoreRegistry::add(std::unique_ptr<Store> store) {
  for (const auto& scheme : store->schemes()) by_scheme_[scheme] = store.get();
  stores_.push_back(std::move(store));
}

Store* StoreRegistry::find(const std::string& scheme) const {
  auto it = by_scheme_.find(scheme);
  return it == by_scheme_.end() ? nullptr : it->second;
}

std::vector<Store*> StoreRegistry::writable() const {
  std::vector<Store*> out;
  for (const auto& store : stores_)
    if (store->writable()) out.push_back(store.get());
  return out;
}

namespace {
void load_s3_config(common::ConfigFile& file, S3StoreConfig& c) {
  const std::string s = "glance_store";
  c.s3_store_host = file.get_string(s, "s3_store_host", c.s3_store_host);
  c.s3_store_region_name = file.get_string(s, "s3_store_region_name", c.s3_store_region_name);
  c.s3_store_access_key = file.get_string(s, "s3_store_access_key", c.s3_store_access_key);
  c.s3_store_secret_key = file.get_string(s, "s3_store_secret_key", c.s3_store_secret_key);
  c.s3_store_bucket = file.get_string(s, "s3_store_bucket", c.s3_store_bucket);
  c.s3_store_create_bucket_on_put =
      file.get_bool(s, "s3_store_create_bucket_on_put", c.s3_store_create_bucket_on_put);
  c.s3_store_bucket_url_format =
      file.get_string(s, "s3_store_bucket_url_format", c.s3_store_bucket_url_format);
  if (!s3::parse_url_style(c.s3_store_bucket_url_format))
    file.add_error(s, "s3_store_bucket_url_format", "must be auto, path or virtual");
  c.s3_store_large_object_size =
      file.get_int(s, "s3_store_large_object_size", c.s3_store_large_object_size, 0);
  // S3 refuses parts under 5 MiB but the last, as upstream's check says.
  c.s3_store_large_object_chunk_size =
      file.get_int(s, "s3_store_large_object_chunk_size", c.s3_store_large_object_chunk_size, 5);
  c.s3_store_thread_pools = file.get_int(s, "s3_store_thread_pools", c.s3_store_thread_pools, 1);
  c.s3_store_cacert = file.get_string(s, "s3_store_cacert", c.s3_store_cacert);
}

// The swift_store_* options; sizes are counted in glance_store's ONE_MB.
void load_swift_config(common::ConfigFile& file, SwiftStoreConfig& c) {
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
}

}  // namespace

StoreConfig load_store_config(common::ConfigFile& file) {
  const std::string s = "glance_store";
  StoreConfig c;
  c.stores = file.get_list(s, "stores", c.stores);
  c.default_store = file.get_string(s, "default_store", c.default_store);
  c.filesystem_store_datadir =
      file.get_string(s, "filesystem_store_datadir", c.filesystem_store_datadir);
  c.http.https_insecure = file.get_bool(s, "https_insecure", c.http.https_insecure);
  c.http.https_ca_certificates_file =
      file.get_string(s, "https_ca_certificates_file", c.http.https_ca_certificates_file);
  load_s3_config(file, c.s3);
  load_swift_config(file, c.swift);
  return c;
}

Result<std::unique_ptr<StoreRegistry>> StoreRegistry::from_config(const StoreConfig& config,
                                                                  BlockingPool& pool) {
  auto registry = std::make_unique<StoreRegistry>();
  for (const auto& name : config.stores) {
    if (name == "file" || name == "filesystem") {
      if (registry->find("file")) continue;
      auto file = FileStore::open_dir(config.filesystem_store_datadir, pool);
      if (!file) return file.error();
      registry->add(std::move(*file));
    } else if (name == "http" || name == "https") {
      if (!registry->find("http")) registry->add(std::make_unique<HttpStore>(config.http));
    } else if (name == "s3") {
      if (registry->find("s3")) continue;
      auto s3 = S3Store::create(config.s3, pool);
      if (!s3) return s3.error();
      registry->add(std::move(*s3));
    } else if (name == "swift") {
      if (registry->find("swift")) continue;
      auto swift = SwiftStore::create(config.swift, pool);
      if (!swift) return swift.error();
      registry->add(std::move(*swift));
    } else {
      return Error::bad_request("Unknown store '" + name + "' in [glance_store] stores");
    }
  }
  registry->default_ = registry->find(config.default_store);
  if (!registry->default_)
    return Error::bad_request("[glance_store] default_store '" + config.default_store +
                              "' is not among the loaded stores");
  return registry;
}

}  // namespace glance::store

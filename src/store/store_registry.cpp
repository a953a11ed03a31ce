#include "store/store_registry.h"

#include "store/file_store.h"

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
  return c;
}

Result<std::unique_ptr<StoreRegistry>> StoreRegistry::from_config(const StoreConfig& config) {
  auto registry = std::make_unique<StoreRegistry>();
  for (const auto& name : config.stores) {
    if (name == "file" || name == "filesystem") {
      if (registry->find("file")) continue;
      auto file = FileStore::open_dir(config.filesystem_store_datadir);
      if (!file) return file.error();
      registry->add(std::move(*file));
    } else if (name == "http" || name == "https") {
      if (!registry->find("http")) registry->add(std::make_unique<HttpStore>(config.http));
    } else if (name == "s3") {
      if (registry->find("s3")) continue;
      auto s3 = S3Store::create(config.s3);
      if (!s3) return s3.error();
      registry->add(std::move(*s3));
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

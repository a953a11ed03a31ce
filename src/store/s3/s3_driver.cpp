#include "store/s3/s3_driver.h"

namespace glance::store {

S3StoreConfig load_s3_config(common::ConfigFile& file) {
  S3StoreConfig c;
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
  return c;
}

Driver s3_driver() {
  return {.names = {"s3"}, .configure = [](common::ConfigFile& file) -> StartDriver {
            return [c = load_s3_config(file)](
                       BlockingPool& pool) -> common::Result<std::unique_ptr<Store>> {
              auto store = S3Store::create(c, pool);
              if (!store) return store.error();
              return std::unique_ptr<Store>(std::move(*store));
            };
          }};
}

}  // namespace glance::store

#include "common/option_description_tables.h"

namespace glance::common {

namespace {
constexpr std::string_view kStore = "glance_store";

// The stores, under glance_store's names; a store's options are read only when `stores`
// loads it.
constexpr OptionDescription kStores[] = {
    {kStore, "stores", "The store drivers to load: `file`, `http`, `swift`, `s3`, `rbd`."},
    {kStore, "default_store",
     "The store uploads and copies go to unless `x-image-meta-store` names another."},
    {kStore, "filesystem_store_datadir", "The directory where the file store keeps image data."},

    // http (read-only: locations and copy-from sources).
    {kStore, "https_insecure",
     "Do not verify the certificates of https sources unless `https_ca_certificates_file` is "
     "set (upstream's default, true)."},
    {kStore, "https_ca_certificates_file",
     "CA bundle to verify https sources with; setting it turns verification on."},

    // swift, single-tenant.
    {kStore, "swift_store_auth_address",
     "The auth server: tempauth's (`http://proxy:8080/auth/v1.0`) or Keystone's "
     "(`https://keystone:5000/v3`)."},
    {kStore, "swift_store_auth_version",
     "1 (tempauth) or 3 (Keystone v3). 2 (Keystone v2.0, upstream's default) is read but the "
     "swift store then refuses to start."},
    {kStore, "swift_store_user",
     "tempauth's `account:user`, or Keystone's `project:user` (both in domain `default`)."},
    {kStore, "swift_store_key", "The password of `swift_store_user`."},
    {kStore, "swift_store_container", "The container images go to."},
    {kStore, "swift_store_multiple_containers_seed",
     "1 to 32 spreads images over 16^N containers, `<container>_<the image id's first N hex "
     "digits>`; 0: one container."},
    {kStore, "swift_store_create_container_on_put",
     "Create a missing container on upload; otherwise the upload fails."},
    {kStore, "swift_store_large_object_size",
     "Images of a known size below this go up in one PUT, others as segments behind a Dynamic "
     "Large Object; in units of 1,024,000 bytes, as upstream."},
    {kStore, "swift_store_large_object_chunk_size",
     "The size of each segment of a large object, in units of 1,024,000 bytes."},
    {kStore, "swift_store_service_type",
     "Keystone only: the catalog's service type of the Swift account."},
    {kStore, "swift_store_endpoint_type",
     "Keystone only: which catalog endpoint holds the account, `publicURL`, `internalURL` or "
     "`adminURL`."},
    {kStore, "swift_store_region",
     "Keystone only: the region of the catalog's endpoint; unset: any."},
    {kStore, "swift_store_endpoint",
     "A storage URL to use instead of the one authentication returns."},
    {kStore, "swift_store_auth_insecure",
     "Do not verify the certificates of the auth server and of Swift."},
    {kStore, "swift_store_cacert",
     "CA file to verify the auth server and Swift with; unset: the system's."},

    // s3.
    {kStore, "s3_store_host",
     "The S3 server (AWS, Ceph RGW, MinIO, Swift's s3api): `host[:port]` (http) or a URL."},
    {kStore, "s3_store_access_key", "The S3 access key."},
    {kStore, "s3_store_secret_key", "The S3 secret key."},
    {kStore, "s3_store_bucket", "The bucket images go to."},
    {kStore, "s3_store_region_name",
     "The SigV4 signing region; unset: taken from an AWS host name, else `us-east-1`."},
    {kStore, "s3_store_create_bucket_on_put",
     "Create a missing bucket on upload; otherwise the upload fails."},
    {kStore, "s3_store_bucket_url_format",
     "`path` (`https://host/bucket/key`), `virtual` (`https://bucket.host/key`) or `auto` (path, "
     "unless the host is AWS's and no region is set)."},
    {kStore, "s3_store_large_object_size",
     "Images of a declared size of this many MiB or more are sent as multipart uploads."},
    {kStore, "s3_store_large_object_chunk_size",
     "The part size of multipart uploads, in MiB; an upload of unknown size holds one part in "
     "memory."},
    {kStore, "s3_store_thread_pools",
     "Accepted for compatibility: parts are sent one after another (upstream: parts sent at "
     "once)."},
    {kStore, "s3_store_cacert", "CA bundle for `s3+https`; unset: the system's."},

    // rbd.
    {kStore, "rbd_store_pool", "The Ceph pool images go to."},
    {kStore, "rbd_store_user",
     "The Ceph user, without `client.`; unset: librados's default or the conf file's."},
    {kStore, "rbd_store_ceph_conf", "The Ceph configuration file librados reads."},
    {kStore, "rbd_store_chunk_size",
     "The RBD object size of new images, in MiB, rounded down to a power of two; also the first "
     "growth step of an upload of unknown size."},
    {kStore, "rados_connect_timeout",
     "Seconds to connect to Ceph and for each Ceph operation (librados's client_mount_timeout, "
     "rados_mon_op_timeout and rados_osd_op_timeout), and the longest an upload waits for its "
     "writes or its image's close, which librbd may hold back beyond those timeouts (a 503 "
     "then); 0 or less: rbd_store_op_timeout applies."},
    {kStore, "rbd_store_op_timeout",
     "Seconds that bound connecting to Ceph, each Ceph operation and each wait of an upload "
     "for its writes or its image's close when rados_connect_timeout is 0 or less, so that no "
     "call waits forever on a stopped cluster; 0 or less as well: librados's defaults "
     "(operations never time out) and uploads that wait as long as librbd does."},
};
}  // namespace

std::span<const OptionDescription> store_option_descriptions() {
  return kStores;
}

}  // namespace glance::common

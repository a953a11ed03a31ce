#include "common/option_description_tables.h"

namespace glance::common {

namespace {
// glance-api's own options, which glance-scrubber and the glance-cache-* commands read from
// the same file, and the scrubber's.
constexpr OptionDescription kApi[] = {
    // The Images API.
    {"DEFAULT", "enable_v1_api",
     "Serve the Images API v1 under /v1; off, its requests get the versions document (300)."},
    {"DEFAULT", "enable_v2_api",
     "Serve the part of the Images API v2 that README.md lists under /v2; off, as for v1."},
    {"DEFAULT", "public_endpoint",
     "The base URL of the links in the versions document; unset: the URL the client used."},
    {"DEFAULT", "image_size_cap", "The largest image accepted, in bytes (1 TiB by default)."},
    {"DEFAULT", "user_storage_quota",
     "Bytes each owner may store, summed over its images: an integer with an optional `B`, "
     "`KB`, `MB`, `GB` or `TB` (powers of 1024); 0 means unlimited."},
    {"DEFAULT", "image_member_quota",
     "The most members one image may be shared with, counted by the registry; negative means "
     "no limit."},
    {"DEFAULT", "image_property_quota",
     "The most properties one image may have after a create or an update; negative means no "
     "limit."},
    {"DEFAULT", "image_tag_quota",
     "The most tags one image may have (Images API v2, answered 413 past it); negative means no "
     "limit."},
    {"DEFAULT", "show_image_direct_url",
     "Show v2's `direct_url` (the first location) to callers the `get_image_location` rule "
     "admits; locations may carry store credentials."},
    {"DEFAULT", "show_multiple_locations",
     "Show v2's `locations` to callers the `get_image_location` rule admits, and let PATCH add, "
     "remove and replace them."},
    {"DEFAULT", "delayed_delete",
     "Deleting an image marks it `pending_delete` and leaves its data for glance-scrubber, "
     "instead of removing it at once."},
    {"DEFAULT", "property_protection_file",
     "A file saying who may create, read, update and delete which image properties (see "
     "etc/property-protections-*.conf.sample); empty: no protections. Read at start-up."},
    {"DEFAULT", "property_protection_rule_format",
     "What the values of `property_protection_file` name: `roles` or `policies` (rules of the "
     "policy)."},
    {"DEFAULT", "metadata_encryption_key",
     "Refused when set (upstream encrypts the locations it sends the registry with it): "
     "locations are not encrypted."},
    {"DEFAULT", "data_api",
     "Accepted and ignored (upstream: the Python module of the database layer)."},
    {"DEFAULT", "digest_algorithm",
     "Accepted and ignored (upstream: the digest of the signature that checks, at start-up, that "
     "`cert_file` and `key_file` belong together; here the TLS library checks that)."},
    {"image_format", "disk_formats", "The disk formats an image may declare."},
    {"image_format", "container_formats", "The container formats an image may declare."},

    // External image sources.
    {"DEFAULT", "external_source_schemes",
     "URI schemes a client may give in `x-image-meta-location` or `x-glance-api-copy-from`; "
     "`file`, `filesystem` and `swift+config` are refused even when listed."},
    {"DEFAULT", "external_source_allowed_hosts",
     "Hosts a client's source may name: addresses, CIDRs, host names or `.domain` suffixes, "
     "checked on every resolved address and redirect. Unset: any host, but copy-from never "
     "reaches loopback, link-local, private or reserved addresses it does not list."},
    {"DEFAULT", "external_source_denied_hosts",
     "Hosts a client's source may never name, in the same forms; they win over "
     "`external_source_allowed_hosts`."},

    // Transfers (not upstream options).
    {"DEFAULT", "max_concurrent_uploads",
     "Uploads running at once; one more is answered 503 with `Retry-After` before its image "
     "changes. 0 means no limit. Not an upstream option."},
    {"DEFAULT", "max_concurrent_copies",
     "`x-glance-api-copy-from` copies running at once; one more is answered 503 with "
     "`Retry-After`. 0 means no limit. Not an upstream option."},
    {"DEFAULT", "store_worker_threads",
     "Threads shared by all transfers for hashing and blocking store work (file, rbd, the "
     "cache); 0 means one per CPU, at least 4. Not an upstream option."},
    {"DEFAULT", "upload_orphan_timeout",
     "Seconds an upload may go without renewing its lease before any glance-api takes it for "
     "dead, kills the image and removes its data; 0 turns this off. Give every glance-api the "
     "same value."},

    // The link to glance-registry.
    {"DEFAULT", "registry_host", "The host glance-registry listens on."},
    {"DEFAULT", "registry_port", "The port glance-registry listens on."},
    {"DEFAULT", "registry_client_timeout",
     "Seconds to wait for the registry's answer; 0 means no limit."},
    {"DEFAULT", "registry_client_protocol",
     "`http` or `https` (TLS 1.2 and later, the host name checked) towards the registry."},
    {"DEFAULT", "registry_client_ca_file",
     "CA file to check the registry's certificate with; unset: `GLANCE_CLIENT_CA_FILE`, else "
     "the system's."},
    {"DEFAULT", "registry_client_insecure", "Do not verify the registry's certificate."},
    {"DEFAULT", "registry_client_cert_file",
     "PEM client certificate presented to the registry, with `registry_client_key_file`; "
     "unset: `GLANCE_CLIENT_CERT_FILE`."},
    {"DEFAULT", "registry_client_key_file",
     "The private key of `registry_client_cert_file`; unset: `GLANCE_CLIENT_KEY_FILE`."},
    {"DEFAULT", "send_identity_headers",
     "Send the caller's identity (`X-Tenant-Id`, `X-Roles`, ...) to the registry, for a "
     "`trusted-auth` registry."},
    {"DEFAULT", "use_user_token",
     "Forward the caller's token to the registry; false sends the api's own token, for "
     "`admin_user` at `auth_url` (or none, with `auth_strategy = noauth` and no `auth_url`)."},
    {"DEFAULT", "auth_strategy",
     "With `use_user_token = false`: `keystone` (or any strategy with `auth_url` set) gets the "
     "api's own token from Keystone; `noauth` without `auth_url` sends none."},
    {"DEFAULT", "auth_url",
     "With `use_user_token = false`: the Keystone (v3) URL of the api's own token; unset: "
     "`$OS_AUTH_URL`."},
    {"DEFAULT", "admin_user",
     "With `use_user_token = false`: the user of the api's own token (domain `default`)."},
    {"DEFAULT", "admin_password", "With `use_user_token = false`: the password of `admin_user`."},
    {"DEFAULT", "admin_tenant_name",
     "With `use_user_token = false`: the project of the api's own token (domain `default`)."},
    {"DEFAULT", "auth_region",
     "Accepted and ignored: the registry is `registry_host`, never an endpoint of the catalog."},

    // The image cache.
    {"DEFAULT", "image_cache_dir",
     "The directory of the local image cache; required with a `caching` or `cachemanagement` "
     "flavor."},
    {"DEFAULT", "image_cache_max_size",
     "Bytes the cache is pruned down to, least recently used copies first, by "
     "glance-cache-pruner or `image_cache_prune_interval`."},
    {"DEFAULT", "image_cache_stall_time",
     "Seconds after which an unfinished fill is removed by glance-cache-cleaner or "
     "`image_cache_clean_interval`."},
    {"DEFAULT", "image_cache_driver", "The cache's index: `sqlite` only."},
    {"DEFAULT", "image_cache_sqlite_db", "The cache index's file, in `image_cache_dir`."},
    {"DEFAULT", "image_cache_prune_interval",
     "Seconds between glance-api's own runs of glance-cache-pruner's job; 0 leaves it to the "
     "command. Not an upstream option."},
    {"DEFAULT", "image_cache_clean_interval",
     "Seconds between glance-api's own runs of glance-cache-cleaner's job; 0 leaves it to the "
     "command. Not an upstream option."},
    {"DEFAULT", "image_cache_prefetch_interval",
     "Seconds between glance-api's own runs of glance-cache-prefetcher's job; 0 leaves it to "
     "the command. Not an upstream option."},

    // glance-scrubber.
    {"DEFAULT", "wakeup_time", "glance-scrubber `--daemon`: seconds between passes."},
    {"DEFAULT", "scrub_time",
     "glance-scrubber: seconds an image stays `pending_delete` (restorable) before its data is "
     "deleted. glance-api accepts and ignores it."},
    {"DEFAULT", "scrub_pool_size", "glance-scrubber: images scrubbed at once in a pass."},
    {"DEFAULT", "scrubber_claim_lease",
     "glance-scrubber: seconds a scrubber's claim on an image holds; another scrubber takes over "
     "an older claim. Not an upstream option."},
    {"DEFAULT", "scrubber_datadir",
     "Accepted and ignored by glance-scrubber (upstream: its queue's directory); the registry "
     "keeps the queue."},
    {"DEFAULT", "cleanup_scrubber",
     "Accepted and ignored by glance-scrubber (upstream's early releases: one host cleans up "
     "the scrubber's queue)."},
    {"DEFAULT", "cleanup_scrubber_time",
     "Accepted and ignored by glance-scrubber (upstream's early releases: the age of the queue "
     "files that clean-up removed)."},
};
}  // namespace

std::span<const OptionDescription> api_option_descriptions() {
  return kApi;
}

}  // namespace glance::common

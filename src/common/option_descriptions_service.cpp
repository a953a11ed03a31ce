#include "common/option_description_tables.h"

namespace glance::common {

namespace {
constexpr std::string_view kKs = "keystone_authtoken";
constexpr std::string_view kNotify = "oslo_messaging_notifications";

// Services a daemon talks to besides its clients: Keystone (with [paste_deploy] flavor
// keystone, under keystonemiddleware's names), the policy files and the message broker.
constexpr OptionDescription kService[] = {
    {kKs, "www_authenticate_uri",
     "Where clients get tokens, sent as `WWW-Authenticate: Keystone uri=...` with every 401; "
     "empty: `auth_url`."},
    {kKs, "auth_uri", "The older name of `www_authenticate_uri`, read when that is unset."},
    {kKs, "auth_url",
     "Keystone's root or `/v3` URL, where the service user authenticates with its password. "
     "Required."},
    {kKs, "auth_type",
     "The service user's authentication plugin; only `password`, the default, is supported "
     "(anything else stops start-up)."},
    {kKs, "auth_section",
     "Refused when set (upstream: another section holding the credentials): give them in "
     "[keystone_authtoken] itself."},
    {kKs, "username",
     "The service user that validates callers' tokens (it needs the service or admin role). "
     "Required."},
    {kKs, "password", "The service user's password. Required."},
    {kKs, "project_name", "The project the service user's token is scoped to. Required."},
    {kKs, "user_domain_name",
     "The service user's domain by name; with neither it nor `user_domain_id`, the domain with "
     "id `default`."},
    {kKs, "user_domain_id", "The service user's domain by id; see `user_domain_name`."},
    {kKs, "project_domain_name",
     "The domain of `project_name` by name; with neither it nor `project_domain_id`, the domain "
     "with id `default`."},
    {kKs, "project_domain_id", "The domain of `project_name` by id; see `project_domain_name`."},
    {kKs, "region_name",
     "The region of the identity endpoint, in the service token's catalog, that validates "
     "tokens; empty: the first in any region."},
    {kKs, "interface",
     "Which identity endpoint of the catalog validates tokens: `internal`, `public` or `admin` "
     "(`auth_url` when the catalog has none)."},
    {kKs, "cafile", "CA bundle to check Keystone's certificate with; empty: the system's."},
    {kKs, "insecure", "Do not verify Keystone's certificate."},
    {kKs, "certfile",
     "PEM client certificate presented to Keystone, with `keyfile` (both or neither)."},
    {kKs, "keyfile", "The private key of `certfile`."},
    {kKs, "token_cache_time",
     "Seconds a token's validation is reused from memory, never past the token's expiry, so a "
     "revoked token is honoured at most this long; 0 or -1 validates every request."},
    {kKs, "delay_auth_decision",
     "Let a request without a valid token through, marked `X-Identity-Status: Invalid`; the "
     "context then answers 401 or, with `allow_anonymous_access`, serves it read-only."},
    {kKs, "service_token_roles",
     "An `X-Service-Token` (as Nova sends beside the user's) is confirmed only with one of "
     "these roles; only then may the user's token be expired."},
    {kKs, "service_token_roles_required",
     "False: a valid service token without one of `service_token_roles` is accepted too, "
     "with a warning in the log, as keystonemiddleware's default does."},
    {kKs, "http_connect_timeout", "Seconds to connect to Keystone."},
    {kKs, "http_request_timeout", "Seconds each read or write of a Keystone request may take."},
    {kKs, "enforce_token_bind",
     "`permissive` (the default) or `disabled` only: token binding is not verified, so any other "
     "value stops start-up."},
    {kKs, "check_revocations_for_cached",
     "Must be false: cached validations are not checked for revocation (lower "
     "`token_cache_time` instead)."},
    {kKs, "auth_version",
     "Accepted and ignored: tokens are validated with Keystone's v3 API only."},
    {kKs, "include_service_catalog",
     "Accepted and ignored: validations ask for no catalog, and `X-Service-Catalog` is never "
     "passed on."},
    {kKs, "service_type",
     "Accepted and ignored (upstream: the service type in `X-Service-Catalog`, never set "
     "here)."},
    {kKs, "http_request_max_retries",
     "Accepted and ignored: a Keystone request that fails is answered 503, not retried."},
    {kKs, "cache",
     "Accepted and ignored (upstream: the environment key of a cache shared with Swift): "
     "validations are cached in the daemon's own memory."},
    {kKs, "log_name", "Accepted and ignored (upstream: the middleware's logger name)."},
    {kKs, "memcached_servers",
     "Accepted and ignored: validations are cached in the daemon's own memory, not in "
     "memcached."},
    {kKs, "memcache_security_strategy",
     "Accepted and ignored (upstream: signs or encrypts entries in a shared memcached, which is "
     "not used)."},
    {kKs, "memcache_secret_key",
     "Accepted and ignored (upstream: the key of `memcache_security_strategy`)."},
    {kKs, "memcache_use_advanced_pool",
     "Accepted and ignored (upstream: a pool of memcached connections)."},
    {kKs, "memcache_pool_dead_retry",
     "Accepted and ignored (upstream: seconds before a dead memcached server is tried again)."},
    {kKs, "memcache_pool_maxsize",
     "Accepted and ignored (upstream: most connections to each memcached server)."},
    {kKs, "memcache_pool_socket_timeout",
     "Accepted and ignored (upstream: seconds per memcached request)."},
    {kKs, "memcache_pool_unused_timeout",
     "Accepted and ignored (upstream: seconds an idle memcached connection is kept)."},
    {kKs, "memcache_pool_conn_get_timeout",
     "Accepted and ignored (upstream: seconds to wait for a pooled memcached connection)."},

    // Policy, as oslo.policy reads it.
    {"oslo_policy", "policy_file",
     "The policy rules, JSON or YAML; a relative path is looked for beside the config files, "
     "then in /etc/glance and /etc. Read again when it changes and on SIGHUP; the registry uses "
     "only `context_is_admin`."},
    {"oslo_policy", "policy_dirs",
     "Directories whose files, in name order, override the policy file's rules one by one."},
    {"oslo_policy", "policy_default_rule",
     "The rule deciding an action, or a `rule:NAME`, that no rule names."},

    // Notifications, as oslo.messaging sends them.
    {kNotify, "driver",
     "How image events leave: `messagingv2` (oslo.messaging's envelope, what Ceilometer "
     "expects), `messaging`, `log` or `noop`; several lines or a list. Unset: none sent."},
    {kNotify, "topics",
     "Each event goes to every topic, with routing key `<topic>.info` or `<topic>.error`."},
    {kNotify, "transport_url",
     "The RabbitMQ brokers, `rabbit://user:pass@host:port[,user:pass@host2:port2]/vhost`, tried "
     "in order; unset: `[DEFAULT] transport_url`."},
    {kNotify, "retry",
     "Accepted and ignored: a notification waits in memory until the broker is back, up to "
     "`max_queued_notifications`."},
    {kNotify, "max_queued_notifications",
     "Notifications held in memory while the broker is away; later ones are dropped and "
     "counted. Not an upstream option."},
    {kNotify, "max_reconnect_delay_ms",
     "The longest pause between attempts to reach an absent broker, in milliseconds. Not an "
     "upstream option."},
    {"oslo_messaging_rabbit", "amqp_durable_queues",
     "Declare the exchange and the notification queues durable."},
    {"oslo_messaging_rabbit", "amqp_auto_delete",
     "Declare the exchange and the notification queues auto-deleted."},
    {"DEFAULT", "transport_url",
     "The broker of the messaging notification drivers when [oslo_messaging_notifications] "
     "names none."},
    {"DEFAULT", "control_exchange", "The topic exchange notifications are published to."},
    {"DEFAULT", "default_publisher_id", "The `publisher_id` of every notification."},
    {"DEFAULT", "disabled_notifications",
     "Event types (`image.send`) or groups (`image`, the part before the first dot) not sent."},
};
}  // namespace

std::span<const OptionDescription> service_option_descriptions() {
  return kService;
}

}  // namespace glance::common

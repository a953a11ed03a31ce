#include "common/option_description_tables.h"

namespace glance::common {

namespace {
// What every daemon reads: its listener, its logging and the request context.
constexpr OptionDescription kServer[] = {
    {"DEFAULT", "bind_host", "The address the daemon listens on."},
    {"DEFAULT", "bind_port",
     "The port the daemon listens on; 0 binds one the kernel picks, logged as `listening on "
     "HOST:PORT`."},
    {"DEFAULT", "workers",
     "Threads serving requests in the one process (upstream: forked worker processes); 0 means "
     "1."},
    {"DEFAULT", "backlog", "The listen backlog: connections the kernel queues before accept."},
    {"DEFAULT", "tcp_keepidle",
     "Accepted for compatibility and ignored (upstream: seconds before TCP keep-alive probes "
     "start)."},
    {"DEFAULT", "http_keepalive", "Keep client connections open between requests."},
    {"DEFAULT", "client_socket_timeout",
     "Seconds a connection may go without progress in a read or a write (idle between requests, "
     "silent mid-request, not reading a download) before it is closed; 0 means no limit. A TLS "
     "handshake gets at most 30 s."},
    {"DEFAULT", "max_header_line", "The longest request header line accepted, in bytes."},
    {"DEFAULT", "max_connections",
     "Client connections open at once; one more is answered 503 with `Retry-After` and closed. "
     "Not an upstream option."},
    {"DEFAULT", "graceful_shutdown_timeout",
     "Seconds SIGTERM waits for the requests and transfers in flight before the daemon exits; "
     "0 waits for as long as they take."},
    {"DEFAULT", "cert_file",
     "PEM certificate (the server's, then its intermediates) to serve HTTPS with, TLS 1.2 and "
     "later only; needs `key_file`. Read again on SIGHUP."},
    {"DEFAULT", "key_file",
     "The private key of `cert_file`; one without the other stops the daemon. Read again on "
     "SIGHUP."},
    {"DEFAULT", "ca_file",
     "PEM file of CAs: with it, every client must present a certificate signed by one of them "
     "(needs `cert_file` and `key_file`). Read again on SIGHUP."},
    {"DEFAULT", "expose_metrics",
     "Answer `GET /metrics` with the daemon's Prometheus metrics, without authentication "
     "(docs/observability.md). Not an upstream option."},
    {"DEFAULT", "metrics_bind_port",
     "Serve `/metrics` on a plain-HTTP listener of its own on this port instead of the API "
     "port; 0 lets the kernel pick one. Unset: on the API port. Not an upstream option."},
    {"DEFAULT", "metrics_bind_host",
     "The address of the `metrics_bind_port` listener; unset: `bind_host`. Not an upstream "
     "option."},
    {"DEFAULT", "limit_param_default",
     "Images in a list page when the request gives no `limit` (glance-api: v2 lists; "
     "glance-registry: its lists)."},
    {"DEFAULT", "api_limit_max",
     "The largest page of images a list request may ask for; a larger `limit` is lowered to "
     "it."},
    {"DEFAULT", "max_request_id_length",
     "The longest `X-Openstack-Request-ID` a trusted caller may send, in characters; a longer "
     "one is answered 431. 0 means no limit."},
    {"healthcheck", "disable_by_file_path",
     "While this file exists, `GET /healthcheck` answers 503, so that a load balancer moves "
     "traffic away before a stop."},

    // Logging.
    {"DEFAULT", "debug", "Log at debug level instead of info. Read again on SIGHUP."},
    {"DEFAULT", "log_file",
     "The file to log to; reopened on SIGHUP, so that logrotate can move it away."},
    {"DEFAULT", "log_dir", "Without `log_file`: log to `<log_dir>/<program>.log`."},
    {"DEFAULT", "use_stderr",
     "Log to standard error (the journal, under systemd); also used when no other destination "
     "is set."},
    {"DEFAULT", "use_syslog", "Log to syslog too, with `syslog_log_facility`."},
    {"DEFAULT", "syslog_log_facility",
     "The syslog facility: `LOG_USER`, `LOG_DAEMON` or `LOG_LOCAL0` to `LOG_LOCAL7`."},
    {"DEFAULT", "verbose",
     "Accepted for compatibility and ignored (deprecated upstream: info is the level "
     "without `debug`)."},

    // The request context.
    {"paste_deploy", "flavor",
     "Who the daemon takes the caller to be: unset, every caller is admin; `keystone` validates "
     "each token against Keystone ([keystone_authtoken]); `trusted-auth` trusts the identity "
     "headers as sent, only for a daemon no client can reach. glance-api also takes `caching` "
     "or `cachemanagement`, alone or after `+` (the image cache)."},
    {"paste_deploy", "config_file",
     "Accepted for compatibility and ignored: the request pipeline is built in, chosen by "
     "`flavor` (upstream: the paste pipeline file)."},
    {"DEFAULT", "admin_role",
     "The role that makes a caller admin, beside the policy's `context_is_admin` rule."},
    {"DEFAULT", "owner_is_tenant",
     "The owner of a new image is the caller's project (true) or the caller's user (false)."},
    {"DEFAULT", "allow_anonymous_access",
     "A caller whose identity is not confirmed (no valid token under `delay_auth_decision`) "
     "gets a read-only anonymous context instead of 401. Without a `flavor` every caller is "
     "admin anyway."},
};
}  // namespace

std::span<const OptionDescription> server_option_descriptions() {
  return kServer;
}

}  // namespace glance::common

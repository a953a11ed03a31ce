#include "common/option_description_tables.h"

namespace glance::common {

namespace {
// glance-registry's own options, and glance-manage's.
constexpr OptionDescription kRegistry[] = {
    {"database", "connection",
     "The MySQL or MariaDB database, as upstream writes it: "
     "`mysql+pymysql://USER:PASSWORD@HOST:PORT/DATABASE` (or `mysql://`, `?unix_socket=PATH`). "
     "Required; create the schema with `glance-manage db_sync`."},
    {"database", "max_pool_size",
     "Threads running queries, each with one MySQL connection (upstream: connections per "
     "worker process)."},
    {"database", "mysql_wsrep_sync_wait",
     "On a Galera node, the `wsrep_sync_wait` of each connection: 1 makes reads see every write "
     "committed on any node before them; 0 keeps the server's setting. An oslo.db option."},
    {"healthcheck", "check_database_node",
     "`/healthcheck` also answers 503 while the database does not answer or its Galera node is "
     "not primary and synced. Not an upstream option."},
    {"DEFAULT", "enable_v1_registry",
     "Accepted for compatibility and ignored: the v1 registry API is always served."},
    {"DEFAULT", "enable_v2_registry",
     "Accepted for compatibility and ignored: the v2 registry's `/rpc` is never served."},
};
}  // namespace

std::span<const OptionDescription> registry_option_descriptions() {
  return kRegistry;
}

}  // namespace glance::common

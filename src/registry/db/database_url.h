#pragma once

#include "common/error.h"

#include <cstdint>
#include <string>

namespace glance::registry {

using common::Error;
using common::Result;

// Where the registry's MySQL lives, from `[database] connection` written as Glance writes
// it: mysql://user:pass@host:port/db, mysql+pymysql://..., ?unix_socket=/path.
struct DatabaseUrl {
  std::string user;
  std::string password;
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string database;
  std::string unix_socket;
  // Not part of the URL: [database] mysql_wsrep_sync_wait, the causality checks a Galera node
  // makes before a read (wsrep_sync_wait; 1 = reads see every write committed anywhere in the
  // cluster before them). Applied on Galera nodes only; 0 leaves the server's setting.
  int wsrep_sync_wait = 1;

  // A form safe for logs: the password replaced by "***".
  std::string redacted() const;
};

// Fails with bad_request naming what is wrong (scheme other than mysql, no database, ...).
Result<DatabaseUrl> parse_database_url(const std::string& url);

}  // namespace glance::registry

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

  // A form safe for logs: the password replaced by "***".
  std::string redacted() const;
};

// Fails with bad_request naming what is wrong (scheme other than mysql, no database, ...).
Result<DatabaseUrl> parse_database_url(const std::string& url);

}  // namespace glance::registry

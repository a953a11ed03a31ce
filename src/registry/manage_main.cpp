// glance-manage: database administration (db_sync, db_version).

#include "common/daemon.h"
#include "registry/db/db_executor.h"
#include "registry/db/migrations.h"

#include <spdlog/spdlog.h>

#include <iostream>

using namespace glance;

namespace {
int usage() {
  std::cerr << "usage: glance-manage [--config-file PATH]... db_sync | db_version\n"
               "       (also written 'db sync' and 'db version')\n";
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  const std::string program = "glance-manage";
  auto cmd = common::parse_command_line(argc, argv, program, true);
  auto file = common::load_config_or_exit(cmd, program);
  // glance-manage reads the daemons' files: options it has no use for are expected there.
  std::string connection = file.get_string("database", "connection", "");
  std::vector<std::string> words = cmd.args;
  if (words.size() >= 2 && words[0] == "db") {
    words[1] = "db_" + words[1];
    words.erase(words.begin());
  }
  if (words.size() != 1) return usage();
  const std::string& command = words[0];
  if (command != "db_sync" && command != "db_version") return usage();

  auto url = registry::parse_database_url(connection);
  if (!url) {
    std::cerr << program << ": " << url.error().message() << "\n";
    return 1;
  }
  registry::DbExecutor db(*url, 1);
  auto result = db.run_sync<int>([&](registry::MysqlConnection& c) {
    return command == "db_sync" ? registry::db_sync(c) : registry::schema_version(c);
  });
  if (!result) {
    std::cerr << program << ": " << result.error().message() << "\n";
    return 1;
  }
  std::cout << *result << "\n";
  return 0;
}

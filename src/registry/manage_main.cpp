// glance-manage: database administration (db_sync, db_version, db_purge).

#include "common/daemon.h"
#include "registry/db/db_executor.h"
#include "registry/db/migrations.h"
#include "registry/db/purge.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <iostream>
#include <optional>

using namespace glance;

namespace {
int usage() {
  std::cerr << "usage: glance-manage [--config-file PATH]... db_sync | db_version\n"
               "       glance-manage [--config-file PATH]... db_purge [--age_in_days N] "
               "[--max_rows M]\n"
               "       (also written 'db sync', 'db version' and 'db purge')\n";
  return 2;
}

// db purge's own options, as upstream's glance-manage spells them (defaults 30 and 100).
struct PurgeOptions {
  int64_t age_in_days = 30;
  int64_t max_rows = 100;
};

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Takes --age_in_days and --max_rows (as "--name N" or "--name=N") out of argv before the
// common command line parser sees them: they belong to one command only. Exits 2 on a value
// that is not an integer, with upstream's message.
PurgeOptions take_purge_options(int& argc, char** argv) {
  PurgeOptions options;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    int64_t* target = nullptr;
    std::string name;
    for (auto [flag, field] : {std::pair{"--age_in_days", &options.age_in_days},
                               std::pair{"--max_rows", &options.max_rows}}) {
      if (arg == flag || arg.starts_with(std::string(flag) + "=")) {
        target = field;
        name = flag + 2;
      }
    }
    if (target == nullptr) {
      argv[kept++] = argv[i];
      continue;
    }
    std::string value;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    }
    auto parsed = parse_int(value);
    if (!parsed) {
      std::cerr << "glance-manage: Invalid int value for " << name << ": " << value << "\n";
      std::exit(2);
    }
    *target = *parsed;
  }
  argc = kept;
  return options;
}

// Exits 1 on a value out of range, with upstream's messages.
void check_purge_options_or_exit(const PurgeOptions& options) {
  if (options.age_in_days < 0) {
    std::cerr << "glance-manage: Must supply a non-negative value for age.\n";
    std::exit(1);
  }
  if (options.age_in_days >= std::time(nullptr) / 86400) {
    std::cerr << "glance-manage: Maximal age is count of days since epoch.\n";
    std::exit(1);
  }
  if (options.max_rows < -1) {
    std::cerr << "glance-manage: Minimal rows limit is -1.\n";
    std::exit(1);
  }
}

int purge(registry::DbExecutor& db, const PurgeOptions& options) {
  auto cutoff = std::chrono::system_clock::now() - std::chrono::days(options.age_in_days);
  auto purged =
      db.run_once_sync<std::vector<registry::PurgedTable>>([&](registry::MysqlConnection& c) {
        return registry::purge_deleted_rows(c, cutoff, options.max_rows);
      });
  if (!purged) {
    std::cerr << "glance-manage: " << purged.error().message() << "\n";
    return 1;
  }
  for (const auto& t : *purged)
    std::cout << "Deleted " << t.rows << " row(s) from table " << t.table << "\n";
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  const std::string program = "glance-manage";
  auto purge_options = take_purge_options(argc, argv);
  check_purge_options_or_exit(purge_options);
  auto cmd = common::parse_command_line(argc, argv, program, true);
  auto file = common::load_config_or_exit(cmd, program);
  // glance-manage reads the daemons' files: options it has no use for are expected there.
  std::string connection = file.get_string("database", "connection", "");
  if (cmd.list_options) common::check_config_or_exit(file, true);
  std::vector<std::string> words = cmd.args;
  if (words.size() >= 2 && words[0] == "db") {
    words[1] = "db_" + words[1];
    words.erase(words.begin());
  }
  if (words.size() != 1) return usage();
  const std::string& command = words[0];
  if (command != "db_sync" && command != "db_version" && command != "db_purge") return usage();

  auto url = registry::parse_database_url(connection);
  if (!url) {
    std::cerr << program << ": " << url.error().message() << "\n";
    return 1;
  }
  registry::DbExecutor db(*url, 1);
  if (command == "db_purge") return purge(db, purge_options);
  auto result = db.run_once_sync<int>([&](registry::MysqlConnection& c) {
    return command == "db_sync" ? registry::db_sync(c) : registry::schema_version(c);
  });
  if (!result) {
    std::cerr << program << ": " << result.error().message() << "\n";
    return 1;
  }
  std::cout << *result << "\n";
  return 0;
}

#include "tests/support/glance_cli.h"

#include "tests/support/daemon.h"
#include "tests/support/mariadb_server.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <regex>
#include <sstream>

namespace glance::testing {

std::string glance_cli(const std::string& scheme, int port, const std::string& auth_options) {
  return "glance --os-image-api-version 1 --os-image-url " + scheme +
         "://127.0.0.1:" + std::to_string(port) + " " + auth_options;
}

std::string run_glance_cli(const std::string& cli, const std::string& args,
                           const std::string& stdin_redirect) {
  auto [code, out] = Daemon::run(cli, args + " " + stdin_redirect);
  EXPECT_EQ(code, 0) << args << "\n" << out;
  return out;
}

std::string run_glance_cli_tty(const std::string& cli, const std::string& args) {
  auto [code, out] = Daemon::run("script", "-qec '" + cli + " " + args + "' /dev/null");
  EXPECT_EQ(code, 0) << args << "\n" << out;
  return out;
}

std::map<std::string, std::string> parse_cli_table(const std::string& out) {
  std::map<std::string, std::string> rows;
  static const std::regex row(R"(^\|\s*(.*?)\s*\|\s*(.*?)\s*\|\r?$)");
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, row)) rows[m[1]] = m[2];
  }
  return rows;
}

std::string md5_of_file(const std::string& path) {
  return run_command("md5sum " + path).substr(0, 32);
}

void write_random_file(const std::string& path, size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string data(size, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  std::ofstream(path, std::ios::binary) << data;
}

}  // namespace glance::testing

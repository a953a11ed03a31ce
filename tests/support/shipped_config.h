#pragma once

#include "common/config_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>

namespace glance::testing {

// A shipped config file (etc/NAME) with every "#key = value" example line made live; values
// shown as <...> stay commented (they describe a computed default or "none"). Tests load it
// and compare with the built-in defaults, so the documentation cannot drift from the code.
inline std::string uncommented_shipped_config(const std::string& name) {
  std::ifstream in(std::string(GLANCE_SOURCE_DIR) + "/etc/" + name);
  EXPECT_TRUE(in.good()) << name;
  static const std::regex option(R"(^#([a-z_0-9]+) = ([^<].*)$)");
  std::stringstream out;
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    out << (std::regex_match(line, m, option) ? m[1].str() + " = " + m[2].str() : line) << "\n";
  }
  return out.str();
}

// etc/NAME made live by uncommented_shipped_config and an empty file, each as a ConfigFile and
// as the daemon configuration `load` makes of it.
template <class Config>
struct ShippedAndDefault {
  common::ConfigFile shipped_file;
  common::ConfigFile empty_file;
  Config shipped;
  Config defaults;
};

// Loads both, expecting the shipped file to hold no unknown option, no error, and the line
// `expected_line` (e.g. "\nbind_port = 9292\n"), so that the comparison is not made against
// an empty file.
template <class Load>
auto shipped_and_default_configs(const std::string& name, const std::string& expected_line,
                                 Load load) {
  std::string text = uncommented_shipped_config(name);
  auto shipped_file = common::ConfigFile::from_string(text);
  auto shipped = load(shipped_file);
  EXPECT_TRUE(shipped_file.unknown_options().empty())
      << "first unknown: " << shipped_file.unknown_options().front();
  EXPECT_TRUE(shipped_file.errors().empty()) << shipped_file.errors().front();
  EXPECT_NE(text.find(expected_line), std::string::npos) << text;
  auto empty_file = common::ConfigFile::from_string("");
  auto defaults = load(empty_file);
  return ShippedAndDefault<decltype(shipped)>{std::move(shipped_file), std::move(empty_file),
                                              std::move(shipped), std::move(defaults)};
}

// Expects the options every daemon shares (server, logging, request context) equal in the
// shipped configuration and the defaults.
template <class Config>
void expect_shared_options_equal(const Config& shipped, const Config& defaults) {
  EXPECT_EQ(shipped.server.bind_host, defaults.server.bind_host);
  EXPECT_EQ(shipped.server.bind_port, defaults.server.bind_port);
  EXPECT_EQ(shipped.server.workers, defaults.server.workers);
  EXPECT_EQ(shipped.server.backlog, defaults.server.backlog);
  EXPECT_EQ(shipped.server.http_keepalive, defaults.server.http_keepalive);
  EXPECT_EQ(shipped.server.client_socket_timeout, defaults.server.client_socket_timeout);
  EXPECT_EQ(shipped.server.max_header_line, defaults.server.max_header_line);
  EXPECT_EQ(shipped.server.shutdown_grace, defaults.server.shutdown_grace);
  EXPECT_EQ(shipped.log.debug, defaults.log.debug);
  EXPECT_EQ(shipped.log.use_stderr, defaults.log.use_stderr);
  EXPECT_EQ(shipped.log.use_syslog, defaults.log.use_syslog);
  EXPECT_EQ(shipped.log.syslog_log_facility, defaults.log.syslog_log_facility);
  EXPECT_EQ(shipped.context.admin_role, defaults.context.admin_role);
  EXPECT_EQ(shipped.context.owner_is_tenant, defaults.context.owner_is_tenant);
  EXPECT_EQ(shipped.context.allow_anonymous_access, defaults.context.allow_anonymous_access);
  EXPECT_EQ(shipped.context.flavor, defaults.context.flavor);
}

}  // namespace glance::testing

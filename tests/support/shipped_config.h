#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>

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

}  // namespace glance::testing

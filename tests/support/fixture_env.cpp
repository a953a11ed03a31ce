#include "tests/support/fixture_env.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace glance::testing {

FixtureEnv::FixtureEnv(const std::string& dir_variable, const std::string& file,
                       const std::string& unset_hint, const std::string& missing_hint) {
  const char* dir = std::getenv(dir_variable.c_str());
  if (!dir || !*dir) throw std::runtime_error(dir_variable + " is not set: " + unset_hint);
  dir_ = dir;
  path_ = dir_ + "/" + file;
  std::ifstream in(path_);
  if (!in) throw std::runtime_error("no " + path_ + ": " + missing_hint);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    values_[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

const std::string& FixtureEnv::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end() || it->second.empty()) throw std::runtime_error(path_ + " lacks " + key);
  return it->second;
}

}  // namespace glance::testing

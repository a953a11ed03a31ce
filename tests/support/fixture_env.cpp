#include "tests/support/fixture_env.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <utility>

namespace glance::testing {

namespace {
std::string dir_from(const std::string& dir_variable, const std::string& unset_hint) {
  const char* dir = std::getenv(dir_variable.c_str());
  if (!dir || !*dir) throw std::runtime_error(dir_variable + " is not set: " + unset_hint);
  return dir;
}
}  // namespace

FixtureEnv::FixtureEnv(const std::string& dir_variable, const std::string& file,
                       const std::string& unset_hint, const std::string& missing_hint)
    : FixtureEnv(dir_from(dir_variable, unset_hint), file, missing_hint) {}

FixtureEnv::FixtureEnv(std::string dir, const std::string& file, const std::string& missing_hint)
    : dir_(std::move(dir)) {
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

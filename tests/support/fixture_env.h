#pragma once

#include <map>
#include <string>

namespace glance::testing {

// The KEY=VALUE file that a ctest fixture's start script writes into its directory
// (scripts/swift-aio.sh, scripts/keystone-aio.sh), found through the environment variable
// that glance_add_test sets for the tests needing that fixture. Lines that are empty, start
// with '#' or lack '=' are skipped.
class FixtureEnv {
 public:
  // Reads $`dir_variable`/`file`. Throws std::runtime_error when the variable is unset or
  // empty ("<dir_variable> is not set: <unset_hint>") or the file cannot be read
  // ("no <path>: <missing_hint>").
  FixtureEnv(const std::string& dir_variable, const std::string& file,
             const std::string& unset_hint, const std::string& missing_hint);

  // Reads `dir`/`file`, for a service a test started in `dir` itself.
  FixtureEnv(std::string dir, const std::string& file, const std::string& missing_hint);

  const std::string& dir() const { return dir_; }
  // The value of `key`; throws std::runtime_error when the file lacks it or it is empty.
  const std::string& get(const std::string& key) const;

 private:
  std::string dir_;
  std::string path_;
  std::map<std::string, std::string> values_;
};

}  // namespace glance::testing

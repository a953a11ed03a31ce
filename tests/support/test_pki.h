#pragma once

#include <string>

namespace glance::testing {

// A throwaway certificate authority in a fresh directory, made with the `openssl` command:
// it issues P-256 certificates valid for a day, for "localhost" and 127.0.0.1, usable by a
// server and a client alike. Files are PEM; nothing is cleaned up (temporary directory).
class TestPki {
 public:
  // Makes the CA `name` (its certificate is ca_file()). Throws std::runtime_error with
  // openssl's output when a command fails.
  explicit TestPki(const std::string& name = "glance-test-ca");

  struct Issued {
    std::string cert_file;
    std::string key_file;
  };
  // Issues a certificate with subject CN=`common_name` and writes `<file_stem>.pem` and
  // `<file_stem>-key.pem`.
  Issued issue(const std::string& file_stem, const std::string& common_name);

  const std::string& ca_file() const { return ca_file_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string ca_file_;
  std::string ca_key_file_;
};

}  // namespace glance::testing

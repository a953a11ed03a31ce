#include "tests/support/test_pki.h"

#include "tests/support/daemon.h"
#include "tests/support/mariadb_server.h"

#include <fstream>
#include <stdexcept>

namespace glance::testing {

namespace {
void openssl(const std::string& args) {
  auto [code, out] = Daemon::run("openssl", args);
  if (code != 0) throw std::runtime_error("openssl " + args + " failed: " + out);
}

constexpr const char* kNewKey = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
}  // namespace

TestPki::TestPki(const std::string& name) : dir_(make_temp_dir("glance-pki")) {
  ca_file_ = dir_ + "/ca.pem";
  ca_key_file_ = dir_ + "/ca-key.pem";
  openssl(std::string("req -x509 ") + kNewKey + " -days 1 -subj /CN=" + name +
          " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign" +
          " -keyout " + ca_key_file_ + " -out " + ca_file_);
  std::ofstream(dir_ + "/leaf.ext") << "basicConstraints = CA:FALSE\n"
                                       "keyUsage = critical, digitalSignature\n"
                                       "extendedKeyUsage = serverAuth, clientAuth\n"
                                       "subjectAltName = DNS:localhost, IP:127.0.0.1\n"
                                       "subjectKeyIdentifier = hash\n"
                                       "authorityKeyIdentifier = keyid:always\n";
}

TestPki::Issued TestPki::issue(const std::string& file_stem, const std::string& common_name) {
  Issued out{dir_ + "/" + file_stem + ".pem", dir_ + "/" + file_stem + "-key.pem"};
  const std::string csr = dir_ + "/" + file_stem + ".csr";
  openssl(std::string("req ") + kNewKey + " -subj /CN=" + common_name + " -keyout " + out.key_file +
          " -out " + csr);
  openssl("x509 -req -days 1 -in " + csr + " -CA " + ca_file_ + " -CAkey " + ca_key_file_ +
          " -CAcreateserial -extfile " + dir_ + "/leaf.ext -out " + out.cert_file);
  return out;
}

}  // namespace glance::testing

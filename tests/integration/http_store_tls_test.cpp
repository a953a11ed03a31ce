// The http store over TLS, against a real TLS server: OpenSSL's own `s_server -WWW` serving
// files from a temporary directory with a certificate made for the test. The certificate is
// checked against the configured CA file and the host name; an unknown CA is refused.

#include "store/http/http_store.h"
#include "tests/support/daemon.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/store_io.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/asio/io_context.hpp>

#include <fstream>

namespace glance::store {
namespace {

namespace net = boost::asio;
using common::Errc;

bool accepts(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// `openssl s_server -WWW` in a fresh directory holding a self-signed certificate for
// "localhost" and 127.0.0.1, and a second, unrelated one.
class TlsServer {
 public:
  TlsServer() : dir_(testing::make_temp_dir("glance-tls")) {
    for (const char* name : {"server", "other"}) {
      auto [code, out] = testing::Daemon::run(
          "openssl",
          "req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
          "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
              dir_ + "/" + name + "-key.pem -out " + dir_ + "/" + name + ".pem");
      if (code != 0) throw std::runtime_error("openssl req failed: " + out);
    }
    // s_server binds the port itself; a port taken meanwhile shows as a start that never
    // accepts, and another is tried.
    for (int attempt = 0; attempt < 5 && !pid_; ++attempt) start(testing::closed_port());
    if (!pid_) throw std::runtime_error("openssl s_server did not start");
  }
  ~TlsServer() {
    if (pid_) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  void put(const std::string& name, const std::string& data) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << data;
  }
  std::string url(const std::string& host, const std::string& name) const {
    return "https://" + host + ":" + std::to_string(port_) + "/" + name;
  }
  std::string ca(const std::string& which) const { return dir_ + "/" + which + ".pem"; }

 private:
  void start(uint16_t port) {
    pid_t pid = ::fork();
    if (pid == 0) {
      if (::chdir(dir_.c_str()) != 0) _exit(127);
      std::string accept = "127.0.0.1:" + std::to_string(port);
      ::execlp("openssl", "openssl", "s_server", "-quiet", "-accept", accept.c_str(), "-cert",
               "server.pem", "-key", "server-key.pem", "-WWW", "-http_server_binmode",
               static_cast<char*>(nullptr));
      _exit(127);
    }
    bool exited = false;
    testing::eventually(
        [&] {
          if (accepts(port)) return true;
          exited = ::waitpid(pid, nullptr, WNOHANG) == pid;
          return exited;
        },
        std::chrono::seconds(5));
    if (exited) return;
    if (accepts(port)) {
      pid_ = pid;
      port_ = port;
      return;
    }
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  }

  std::string dir_;
  pid_t pid_ = 0;
  uint16_t port_ = 0;
};

class HttpStoreTls : public ::testing::Test {
 protected:
  common::Result<std::string> read(HttpStore& store, const std::string& url) {
    const Location where{url};
    const ReadOptions options;
    return testing::await(ioc_, testing::read_image(store, where, options));
  }
  net::io_context ioc_;
  TlsServer server_;
};

TEST_F(HttpStoreTls, VerifiedAgainstTheConfiguredCa) {
  std::string data(300000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 13);
  server_.put("image.raw", data);
  HttpStoreConfig config;
  config.https_ca_certificates_file = server_.ca("server");
  HttpStore store(config);
  auto got = read(store, server_.url("localhost", "image.raw"));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(*got == data);
}

TEST_F(HttpStoreTls, AnUnknownCaIsRefused) {
  server_.put("image.raw", "data");
  HttpStoreConfig config;
  config.https_ca_certificates_file = server_.ca("other");
  HttpStore store(config);
  auto got = read(store, server_.url("localhost", "image.raw"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code(), Errc::unavailable);
  EXPECT_NE(got.error().message().find("TLS"), std::string::npos) << got.error().message();
}

TEST_F(HttpStoreTls, InsecureByDefaultAsUpstream) {
  server_.put("image.raw", "data");
  HttpStore store(HttpStoreConfig{});
  auto got = read(store, server_.url("localhost", "image.raw"));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, "data");
}

}  // namespace
}  // namespace glance::store

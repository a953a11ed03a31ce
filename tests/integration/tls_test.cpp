// TLS on both daemons and on the api's link to the registry, with certificates made for the
// test by a throwaway CA: the api over HTTPS end to end, a registry that requires a client
// certificate, python-glanceclient with --os-cacert, options refused at start-up, clients
// that do not speak TLS, and certificates swapped under a running daemon by SIGHUP.

#include "common/hex_digest.h"
#include "tests/support/daemon.h"
#include "tests/support/eventually.h"
#include "tests/support/glance_cli.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"
#include "tests/support/raw_connection.h"
#include "tests/support/registry_fixture.h"
#include "tests/support/test_data.h"
#include "tests/support/test_pki.h"
#include "tests/support/tls_client.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

struct Pki {
  TestPki ca;
  TestPki::Issued server = ca.issue("server", "glance-server");
  TestPki::Issued api_client = ca.issue("api-client", "glance-api");
  // A certificate from a CA the daemons do not trust.
  TestPki stranger_ca{"stranger-ca"};
  TestPki::Issued stranger = stranger_ca.issue("stranger", "glance-api");
};

std::string server_tls(const TestPki::Issued& cert, const std::string& ca_file = "") {
  std::string c = "cert_file = " + cert.cert_file + "\nkey_file = " + cert.key_file + "\n";
  if (!ca_file.empty()) c += "ca_file = " + ca_file + "\n";
  return c;
}

std::string api_config(int registry_port, const std::string& extra) {
  const std::string datadir = make_temp_dir("glance-tls-store") + "/images";
  return "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 2\n"
         "registry_host = 127.0.0.1\nregistry_port = " +
         std::to_string(registry_port) + "\nregistry_client_timeout = 30\n" + extra +
         "\n[glance_store]\nstores = file\ndefault_store = file\nfilesystem_store_datadir = " +
         datadir + "\n";
}

const HeaderList kImageHeaders = {{"Content-Type", "application/octet-stream"},
                                  {"x-image-meta-disk_format", "raw"},
                                  {"x-image-meta-container_format", "bare"},
                                  {"x-image-meta-is_public", "true"}};

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    guarded_suite_setup([] { pki_ = new Pki(); }, &setup_error_);
  }
  void SetUp() override { CHECK_SUITE_SETUP(setup_error_); }

  // A registry serving TLS that requires client certificates signed by the test CA.
  std::unique_ptr<RegistryEnvironment> strict_registry() {
    return std::make_unique<RegistryEnvironment>(server_tls(pki_->server, pki_->ca.ca_file()));
  }
  // The api's options for an HTTPS link to the registry, with `cert` as client certificate.
  static std::string registry_link(const TestPki::Issued* cert) {
    std::string c =
        "registry_client_protocol = https\nregistry_client_ca_file = " + pki_->ca.ca_file() + "\n";
    if (cert)
      c += "registry_client_cert_file = " + cert->cert_file +
           "\nregistry_client_key_file = " + cert->key_file + "\n";
    return c;
  }
  static TlsClientFiles trusting() { return {pki_->ca.ca_file(), "", ""}; }

  static Pki* pki_;
  static std::string setup_error_;
};
Pki* Tls::pki_ = nullptr;
std::string Tls::setup_error_;

TEST_F(Tls, ApiServesHttpsEndToEndThroughARegistryRequiringClientCertificates) {
  auto registry = strict_registry();
  Daemon api(api_binary(), api_config(registry->daemon().port(),
                                      server_tls(pki_->server) + registry_link(&pki_->api_client)));
  api.start();
  HttpsClient client(api.port(), trusting());

  const std::string data = random_bytes(3 << 20, 5);
  auto created = client.request("POST", "/v1/images",
                                with(kImageHeaders, {{"x-image-meta-name", "over-tls"}}), data);
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];
  EXPECT_EQ(created.json()["image"]["checksum"], common::md5_hex(data));
  // Links the api gives out name the scheme it was reached by.
  EXPECT_EQ(created.header("Location").value_or(""),
            "https://127.0.0.1:" + std::to_string(api.port()) + "/v1/images/" + id);

  // A file-store download: over TLS the file is copied through the stream, not sendfile(2).
  auto downloaded = client.get("/v1/images/" + id);
  ASSERT_EQ(downloaded.status, 200u);
  EXPECT_EQ(downloaded.body.size(), data.size());
  EXPECT_TRUE(downloaded.body == data);
  auto ranged = client.get("/v1/images/" + id, {{"Range", "bytes=1000-1999"}});
  EXPECT_EQ(ranged.status, 206u);
  EXPECT_TRUE(ranged.body == data.substr(1000, 1000));
  auto listed = client.get("/v1/images");
  ASSERT_EQ(listed.status, 200u);
  EXPECT_NE(listed.body.find(id), std::string::npos);

  // The registry itself: the api's certificate opens it; none, or a stranger's, does not.
  auto direct =
      HttpsClient(registry->daemon().port(),
                  {pki_->ca.ca_file(), pki_->api_client.cert_file, pki_->api_client.key_file})
          .get("/images/" + id);
  EXPECT_EQ(direct.status, 200u) << direct.body;
  EXPECT_ANY_THROW(HttpsClient(registry->daemon().port(), trusting()).get("/images"));
  EXPECT_ANY_THROW(
      HttpsClient(registry->daemon().port(),
                  {pki_->ca.ca_file(), pki_->stranger.cert_file, pki_->stranger.key_file})
          .get("/images"));
  // Plain HTTP to either TLS port gets no HTTP answer.
  EXPECT_EQ(count_responses(HttpClient(api.port())
                                .raw("GET /healthcheck HTTP/1.1\r\n"
                                     "Host: x\r\nConnection: close\r\n\r\n")),
            0u);
  EXPECT_EQ(count_responses(HttpClient(registry->daemon().port())
                                .raw("GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")),
            0u);
}

TEST_F(Tls, RegistryRefusesAnApiWithoutATrustedClientCertificate) {
  auto registry = strict_registry();
  const int port = registry->daemon().port();
  for (const TestPki::Issued* cert : {static_cast<const TestPki::Issued*>(nullptr),
                                      static_cast<const TestPki::Issued*>(&pki_->stranger)}) {
    Daemon api(api_binary(), api_config(port, registry_link(cert)));
    api.start();
    auto r = HttpClient(api.port()).get("/v1/images");
    EXPECT_EQ(r.status, 503u) << (cert ? "stranger's certificate: " : "no certificate: ") << r.body;
  }
  EXPECT_TRUE(eventually([&] {
    return registry->daemon().log().find("TLS handshake with 127.0.0.1 failed") !=
           std::string::npos;
  })) << registry->daemon().log();

  // Upstream's environment fallbacks name the certificate when the options do not.
  Daemon api(api_binary(), api_config(port, registry_link(nullptr)));
  api.set_env("GLANCE_CLIENT_CERT_FILE", pki_->api_client.cert_file);
  api.set_env("GLANCE_CLIENT_KEY_FILE", pki_->api_client.key_file);
  api.start();
  auto r = HttpClient(api.port()).get("/v1/images");
  EXPECT_EQ(r.status, 200u) << r.body;
}

TEST_F(Tls, GlanceclientTalksHttpsWithTheCaCertificate) {
  auto registry = strict_registry();
  Daemon api(api_binary(), api_config(registry->daemon().port(),
                                      server_tls(pki_->server) + registry_link(&pki_->api_client)));
  api.start();
  const std::string dir = make_temp_dir("glance-tls-cli");
  const std::string data = random_bytes(1 << 20, 9);
  std::ofstream(dir + "/in.img", std::ios::binary) << data;
  // requests lets REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) override the CLI's --os-cacert: the
  // CLI runs without them, as on a host that does not set them.
  const std::string cli = "env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE " +
                          glance_cli("https", api.port(), "--os-auth-token fake");
  const std::string trusted = cli + " --os-cacert " + pki_->ca.ca_file();

  auto [code, out] = Daemon::run(trusted,
                                 "image-create --name cli-tls --disk-format raw "
                                 "--container-format bare --is-public True --file " +
                                     dir + "/in.img <&-");
  ASSERT_EQ(code, 0) << out;
  auto created = parse_cli_table(out);
  EXPECT_EQ(created["status"], "active") << out;
  EXPECT_EQ(created["checksum"], common::md5_hex(data));
  const std::string id = created["id"];
  ASSERT_EQ(id.size(), 36u) << out;

  auto [dl_code, dl_out] =
      Daemon::run(trusted, "image-download --file " + dir + "/out.img " + id + " <&-");
  ASSERT_EQ(dl_code, 0) << dl_out;
  std::ifstream in(dir + "/out.img", std::ios::binary);
  std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(back == data) << back.size() << " bytes back";

  // Trusting another CA, the client refuses the server's certificate.
  auto [bad_code, bad_out] =
      Daemon::run(cli + " --os-cacert " + pki_->stranger_ca.ca_file(), "image-list <&-");
  EXPECT_NE(bad_code, 0) << bad_out;
  EXPECT_NE(bad_out.find("CERTIFICATE_VERIFY_FAILED"), std::string::npos) << bad_out;
}

// Runs a daemon binary on `config` and expects it to refuse to start, naming `option`.
void expect_refused(const std::string& binary, const std::string& config, const std::string& option,
                    const std::string& env = "") {
  const std::string dir = make_temp_dir("glance-tls-refused");
  std::ofstream(dir + "/daemon.conf") << config;
  auto [code, out] = Daemon::run(env + binary, "--config-file " + dir + "/daemon.conf");
  EXPECT_EQ(code, 1) << config << "\n" << out;
  EXPECT_NE(out.find("option " + option + " "), std::string::npos) << config << "\n" << out;
}

TEST_F(Tls, OptionsThatCannotBeHonouredStopTheDaemonNamingThem) {
  const auto& s = pki_->server;
  const auto& c = pki_->api_client;
  const std::string missing = pki_->ca.dir() + "/no-such-file.pem";
  // Half a key pair: the missing half is named.
  expect_refused(api_binary(), api_config(9191, "cert_file = " + s.cert_file), "key_file");
  expect_refused(api_binary(), api_config(9191, "key_file = " + s.key_file), "cert_file");
  expect_refused(api_binary(), api_config(9191, "ca_file = " + pki_->ca.ca_file()), "ca_file");
  expect_refused(api_binary(), api_config(9191, server_tls({missing, s.key_file})), "cert_file");
  // A key of another certificate.
  expect_refused(api_binary(), api_config(9191, server_tls({s.cert_file, c.key_file})),
                 "cert_file");
  expect_refused(api_binary(), api_config(9191, server_tls(s, missing)), "ca_file");
  // The registry link: files for a plain link, half a pair, a file that does not load.
  expect_refused(api_binary(), api_config(9191, "registry_client_cert_file = " + c.cert_file),
                 "registry_client_cert_file");
  expect_refused(api_binary(), api_config(9191, "registry_client_ca_file = " + pki_->ca.ca_file()),
                 "registry_client_ca_file");
  expect_refused(api_binary(),
                 api_config(9191, "registry_client_protocol = https\nregistry_client_cert_file = " +
                                      c.cert_file),
                 "registry_client_key_file");
  expect_refused(api_binary(), api_config(9191, "registry_client_protocol = https"),
                 "registry_client_cert_file", "GLANCE_CLIENT_KEY_FILE=" + c.key_file + " ");
  expect_refused(
      api_binary(),
      api_config(9191, "registry_client_protocol = https\nregistry_client_ca_file = " + missing),
      "registry_client_ca_file");
  // The registry shares the listener's options.
  expect_refused(registry_binary(),
                 registry_config("mysql://glance@127.0.0.1:1/none", "cert_file = " + s.cert_file),
                 "key_file");
}

// Hostile clients against a TLS port: plain HTTP, garbage, a handshake that stalls, and
// downloads reset midway. The api keeps serving and gives back what they held.
TEST_F(Tls, ClientsThatFailTheHandshakeOrVanishCostOnlyTheirConnection) {
  RegistryEnvironment registry;
  Daemon api(api_binary(), api_config(registry.daemon().port(),
                                      server_tls(pki_->server) + "client_socket_timeout = 2\n"));
  api.start();
  HttpsClient client(api.port(), trusting());
  const std::string data = random_bytes(8 << 20, 13);
  auto created = client.request("POST", "/v1/images",
                                with(kImageHeaders, {{"x-image-meta-name", "big"}}), data);
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string id = created.json()["image"]["id"];
  ASSERT_EQ(client.get("/v1/images/" + id).body.size(), data.size());
  ASSERT_EQ(client.get("/healthcheck").status, 200u);
  auto baseline = ProcessHealth::snapshot(api.pid());

  {
    RawConnection plain(api.port());
    ASSERT_TRUE(plain.send("GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(count_responses(plain.read()), 0u);
    EXPECT_TRUE(plain.closed_by_server());
  }
  {
    RawConnection garbage(api.port());
    garbage.send(random_bytes(4096, 3));
    EXPECT_TRUE(garbage.closed_by_server());
  }
  {
    // Silent clients, and one that stops after a record header: the handshake timeout
    // (client_socket_timeout, 2 s here) closes them all.
    std::vector<std::unique_ptr<RawConnection>> stalled;
    for (int i = 0; i < 20; ++i) stalled.push_back(std::make_unique<RawConnection>(api.port()));
    stalled.front()->send(std::string("\x16\x03\x01\x02\x00", 5));
    for (auto& c : stalled) EXPECT_TRUE(c->closed_by_server(std::chrono::seconds(15)));
  }
  for (int i = 0; i < 10; ++i) {
    TlsConnection c(api.port(), trusting());
    ASSERT_TRUE(c.send("GET /v1/images/" + id + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    ASSERT_GE(c.read(256 << 10).size(), size_t{256} << 10) << "download " << i;
    c.reset();
  }

  const std::string md5 = common::md5_hex(data);
  expect_recovered(api, baseline, [&](const Daemon&) {
    try {
      auto r = client.get("/v1/images/" + id);
      return r.status == 200u && common::md5_hex(r.body) == md5;
    } catch (const std::exception&) {
      return false;
    }
  });
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void replace_file(const std::string& from, const std::string& to) {
  fs::copy_file(from, to + ".new", fs::copy_options::overwrite_existing);
  fs::rename(to + ".new", to);
}

TEST_F(Tls, SighupServesTheCertificateNowOnDiskAndKeepsTheOldOneWhenTheNewIsBroken) {
  auto first = pki_->ca.issue("first", "glance-first");
  auto second = pki_->ca.issue("second", "glance-second");
  const std::string dir = make_temp_dir("glance-tls-live");
  const TestPki::Issued live{dir + "/cert.pem", dir + "/key.pem"};
  replace_file(first.cert_file, live.cert_file);
  replace_file(first.key_file, live.key_file);
  RegistryEnvironment registry;
  Daemon api(api_binary(), api_config(registry.daemon().port(), server_tls(live)));
  api.start();
  auto subject = [&] { return TlsConnection(api.port(), trusting()).peer_subject(); };
  EXPECT_NE(subject().find("CN=glance-first"), std::string::npos);

  // A connection made before the reload keeps working after it.
  TlsConnection before(api.port(), trusting());
  replace_file(second.cert_file, live.cert_file);
  replace_file(second.key_file, live.key_file);
  api.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return subject().find("CN=glance-second") != std::string::npos; }));
  ASSERT_TRUE(before.send("GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  EXPECT_EQ(count_responses(before.read(1 << 20)), 1u);

  // A key that does not match, then a file that is not PEM: each reload is refused and
  // logged, and the running certificate stays.
  replace_file(first.key_file, live.key_file);
  api.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return api.log().find("keeping the running certificates") != std::string::npos;
  })) << api.log();
  std::ofstream(live.cert_file) << "not a certificate\n";
  api.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] {
    return occurrences(api.log(), "keeping the running certificates") == 2;
  })) << api.log();
  EXPECT_NE(subject().find("CN=glance-second"), std::string::npos);
  EXPECT_EQ(HttpsClient(api.port(), trusting()).get("/healthcheck").status, 200u);
}

}  // namespace
}  // namespace glance::testing

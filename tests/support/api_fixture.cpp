#include "tests/support/api_fixture.h"

#include "tests/support/mariadb_server.h"

#include <filesystem>

namespace glance::testing {

namespace {
std::string api_config(int registry_port, const std::string& datadir, bool keystone,
                       const std::string& extra, const std::string& store_extra) {
  std::string c = "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nworkers = 2\n";
  c += "registry_host = 127.0.0.1\nregistry_port = " + std::to_string(registry_port) + "\n";
  c += "registry_client_timeout = 30\n";
  if (keystone) c += "send_identity_headers = True\n";
  c += extra + "\n[glance_store]\n";
  if (store_extra.find("stores =") == std::string::npos) c += "stores = file\n";
  if (store_extra.find("default_store =") == std::string::npos) c += "default_store = file\n";
  c += "filesystem_store_datadir = " + datadir + "\n";
  c += store_extra + "\n";
  // An api behind a proxy that validated the caller's token: it trusts the identity headers.
  if (keystone) c += "[paste_deploy]\nflavor = trusted-auth\n";
  return c;
}

std::string trusted_auth(bool keystone) {
  return keystone ? "\n[paste_deploy]\nflavor = trusted-auth\n" : "";
}
}  // namespace

ApiEnvironment::ApiEnvironment(bool keystone, const std::string& api_extra,
                               const std::string& store_extra, const std::string& api_tail,
                               const std::string& registry_tail)
    : keystone_(keystone),
      registry_tail_(registry_tail),
      datadir_(make_temp_dir("glance-api-store") + "/images") {
  registry_ = std::make_unique<RegistryEnvironment>(trusted_auth(keystone) + registry_tail);
  registry_port_ = registry_->daemon().port();
  api_ = std::make_unique<Daemon>(
      api_binary(),
      api_config(registry_port_, datadir_, keystone, api_extra, store_extra) + "\n" + api_tail);
  api_->start();
}

size_t ApiEnvironment::stored_files() const {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(datadir_)) ++n;
  return n;
}

void ApiEnvironment::stop_registry() {
  if (registry_again_)
    registry_again_->stop();
  else
    registry_->daemon().stop();
}

void ApiEnvironment::start_registry_again() {
  // The port came from the kernel when the registry first bound port 0; reusing it keeps
  // the api's registry_port valid. SO_REUSEADDR lets it bind again at once.
  std::string config =
      registry_config(registry_->db_url(), trusted_auth(keystone_) + registry_tail_);
  auto at = config.find("bind_port = 0");
  config.replace(at, 13, "bind_port = " + std::to_string(registry_port_));
  registry_again_ = std::make_unique<Daemon>(registry_binary(), config);
  registry_again_->start();
}

ProcessHealth SharedTenantsApiTest::warm_baseline() const {
  auto r = alice_.post("/v1/images", "warm-up",
                       {{"x-image-meta-name", "warm-up"},
                        {"x-image-meta-disk_format", "raw"},
                        {"x-image-meta-container_format", "bare"},
                        {"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(r.status, 201u) << r.body;
  if (r.status == 201) {
    const std::string id = r.json()["image"]["id"];
    EXPECT_EQ(alice_.get("/v1/images/" + id).body, "warm-up");
    EXPECT_EQ(alice_.del("/v1/images/" + id).status, 200u);
  }
  EXPECT_EQ(alice_.get("/v1/images/detail").status, 200u);
  return ProcessHealth::snapshot(env_->api().pid());
}

}  // namespace glance::testing

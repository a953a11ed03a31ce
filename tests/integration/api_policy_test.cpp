// Policy files against a real glance-api (keystone flavor, identities forwarded to a
// trusted-auth registry): each v1 rule denied in turn is a bare 403 that changes nothing,
// generic checks against the image owner, YAML and JSON files, policy_dirs, reloads on
// SIGHUP and on a change on disk, and files that do not parse.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

class ApiPolicy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(make_temp_dir("glance-api-policy"));
    fs::create_directories(*dir_ + "/policy.d");
    write_file(policy_file(), "# no rules yet\n");
    env_ = new ApiEnvironment(true, "\n[oslo_policy]\npolicy_file = " + policy_file() +
                                        "\npolicy_dirs = " + *dir_ + "/policy.d\n");
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
    fs::remove_all(*dir_);
    delete dir_;
  }
  void TearDown() override {
    for (auto& e : fs::directory_iterator(*dir_ + "/policy.d")) fs::remove(e.path());
    set_policy("# back to the built-in rules\n");
  }

  static std::string policy_file() { return *dir_ + "/policy.yaml"; }

  // Writes the policy file and has the api reread it (SIGHUP); returns once it did.
  static void set_policy(const std::string& yaml) {
    write_file(policy_file(), yaml);
    reload();
  }
  static void reload() {
    const std::string done = "policy reloaded on SIGHUP";
    const std::string failed = "policy not reloaded on SIGHUP";
    auto before = count_of(env_->api().log(), done) + count_of(env_->api().log(), failed);
    env_->api().signal(SIGHUP);
    ASSERT_TRUE(eventually([&] {
      auto log = env_->api().log();
      return count_of(log, done) + count_of(log, failed) > before;
    }));
  }

  std::string create(const HttpClient& as, const std::string& data = "bytes",
                     HeaderList extra = {}) {
    HeaderList h = kRawBare;
    h.insert(h.end(), extra.begin(), extra.end());
    auto r = as.post("/v1/images", data, h);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? r.json()["image"]["id"].get<std::string>() : "";
  }
  size_t image_count() const {
    auto r = admin_.get("/v1/images/detail?is_public=none");
    EXPECT_EQ(r.status, 200u);
    return json_field(r, "images").size();
  }
  static void expect_policy_refusal(const HttpResponse& r) {
    EXPECT_EQ(r.status, 403u) << r.body;
    if (!r.body.empty())
      EXPECT_NE(r.body.find("Access was denied to this resource."), std::string::npos) << r.body;
  }

  static std::string* dir_;
  static ApiEnvironment* env_;
  HttpClient alice_ = env_->client(identity("tenant-a", "member", "alice"));
  HttpClient bob_ = env_->client(identity("tenant-b", "member", "bob"));
  HttpClient admin_ = env_->client(identity("tenant-admin", "admin", "root"));
};
std::string* ApiPolicy::dir_ = nullptr;
ApiEnvironment* ApiPolicy::env_ = nullptr;

TEST_F(ApiPolicy, BuiltInRulesLetUsersWorkAndKeepAdminRulesForAdmins) {
  auto id = create(alice_);
  EXPECT_EQ(alice_.get("/v1/images/" + id).status, 200u);
  expect_policy_refusal(alice_.post("/v1/images", "", {{"x-image-meta-is_public", "True"}}));
  expect_policy_refusal(
      alice_.post("/v1/images", "", {{"x-image-meta-location", "http://127.0.0.1:1/x"}}));
  EXPECT_EQ(admin_.put("/v1/images/" + id, "", {{"x-image-meta-is_public", "True"}}).status, 200u);
}

TEST_F(ApiPolicy, DenyingGetImagesRefusesBothListings) {
  set_policy("get_images: '!'\n");
  expect_policy_refusal(alice_.get("/v1/images"));
  expect_policy_refusal(admin_.get("/v1/images/detail"));
  // The refusal comes before the parameters are looked at, as upstream's does.
  expect_policy_refusal(alice_.get("/v1/images?size_min=nonsense"));
}

TEST_F(ApiPolicy, DenyingGetImageRefusesHeadAndGetEvenOfMissingImages) {
  auto id = create(alice_);
  set_policy("get_image: '!'\n");
  expect_policy_refusal(alice_.head("/v1/images/" + id));
  expect_policy_refusal(alice_.get("/v1/images/" + id));
  expect_policy_refusal(alice_.head("/v1/images/no-such-image"));
  EXPECT_EQ(alice_.get("/v1/images").status, 200u);
}

TEST_F(ApiPolicy, DenyingDownloadImageRefusesTheDataNotTheMetadata) {
  auto id = create(alice_);
  set_policy("download_image: '!'\n");
  EXPECT_EQ(alice_.head("/v1/images/" + id).status, 200u);
  expect_policy_refusal(alice_.get("/v1/images/" + id));
  // The refusal also comes before a 404, with an empty target.
  expect_policy_refusal(alice_.get("/v1/images/no-such-image"));
  auto queued = alice_.post("/v1/images", "", {{"x-image-meta-name", "queued"}});
  ASSERT_EQ(queued.status, 201u);
  expect_policy_refusal(
      alice_.get("/v1/images/" + queued.json()["image"]["id"].get<std::string>()));
}

TEST_F(ApiPolicy, DenyingAddImageCreatesNothing) {
  set_policy("add_image: '!'\n");
  auto before = image_count();
  auto files = env_->stored_files();
  expect_policy_refusal(alice_.post("/v1/images", "", {{"x-image-meta-name", "nope"}}));
  expect_policy_refusal(admin_.post("/v1/images", "data", kRawBare));
  EXPECT_EQ(image_count(), before);
  EXPECT_EQ(env_->stored_files(), files);
}

TEST_F(ApiPolicy, DenyingModifyImageChangesNothing) {
  auto id = create(alice_, "bytes", {{"x-image-meta-name", "original"}});
  set_policy("modify_image: '!'\n");
  expect_policy_refusal(alice_.put("/v1/images/" + id, "", {{"x-image-meta-name", "changed"}}));
  auto head = alice_.head("/v1/images/" + id);
  EXPECT_EQ(head.header("x-image-meta-name"), std::optional<std::string>("original"));
}

TEST_F(ApiPolicy, DenyingPublicizeImageRefusesEvenAdmins) {
  auto id = create(alice_);
  set_policy("publicize_image: '!'\n");
  auto before = image_count();
  expect_policy_refusal(admin_.post("/v1/images", "", {{"x-image-meta-is_public", "True"}}));
  EXPECT_EQ(image_count(), before);
  expect_policy_refusal(admin_.put("/v1/images/" + id, "", {{"x-image-meta-is_public", "True"}}));
  EXPECT_EQ(admin_.head("/v1/images/" + id).header("x-image-meta-is_public"),
            std::optional<std::string>("False"));
  // Setting it false is no publicizing.
  EXPECT_EQ(alice_.put("/v1/images/" + id, "", {{"x-image-meta-is_public", "False"}}).status, 200u);
}

TEST_F(ApiPolicy, DenyingCopyFromOrUploadImageRefusesCopies) {
  for (const char* rule : {"copy_from", "upload_image"}) {
    SCOPED_TRACE(rule);
    set_policy(std::string(rule) + ": '!'\n");
    auto before = image_count();
    expect_policy_refusal(alice_.post("/v1/images", "",
                                      {{"x-image-meta-disk_format", "raw"},
                                       {"x-image-meta-container_format", "bare"},
                                       {"x-glance-api-copy-from", "http://127.0.0.1:1/x"}}));
    EXPECT_EQ(image_count(), before);
  }
}

TEST_F(ApiPolicy, DenyingUploadImageRefusesDataButNotMetadata) {
  auto queued = alice_.post("/v1/images", "", {{"x-image-meta-name", "waiting"}});
  ASSERT_EQ(queued.status, 201u);
  std::string id = queued.json()["image"]["id"];
  set_policy("upload_image: '!'\n");
  auto files = env_->stored_files();
  auto before = image_count();
  expect_policy_refusal(alice_.post("/v1/images", "data", kRawBare));
  expect_policy_refusal(alice_.put("/v1/images/" + id, "data", kRawBare));
  EXPECT_EQ(image_count(), before);
  EXPECT_EQ(env_->stored_files(), files);
  EXPECT_EQ(alice_.head("/v1/images/" + id).header("x-image-meta-status"),
            std::optional<std::string>("queued"));
  EXPECT_EQ(alice_.put("/v1/images/" + id, "", {{"x-image-meta-name", "renamed"}}).status, 200u);
}

TEST_F(ApiPolicy, DenyingDeleteImageKeepsTheImage) {
  auto id = create(alice_);
  set_policy("delete_image: '!'\n");
  expect_policy_refusal(alice_.del("/v1/images/" + id));
  expect_policy_refusal(admin_.del("/v1/images/" + id));
  auto got = alice_.get("/v1/images/" + id);
  EXPECT_EQ(got.status, 200u);
  EXPECT_EQ(got.body, "bytes");
}

TEST_F(ApiPolicy, SetImageLocationIsAdminOnlyByDefaultAndCanBeDeniedToAdmins) {
  auto before = image_count();
  set_policy("set_image_location: '!'\n");
  expect_policy_refusal(admin_.post("/v1/images", "",
                                    {{"x-image-meta-disk_format", "raw"},
                                     {"x-image-meta-container_format", "bare"},
                                     {"x-image-meta-location", "http://127.0.0.1:1/x"}}));
  EXPECT_EQ(image_count(), before);
  // Opened to everyone, a user's location gets past the policy to the source checks.
  set_policy("set_image_location: ''\n");
  auto r = alice_.post("/v1/images", "", {{"x-image-meta-location", "ftp://example.com/x"}});
  EXPECT_EQ(r.status, 400u) << r.body;
}

TEST_F(ApiPolicy, MemberRulesRefuseEachMemberAction) {
  auto id = create(alice_);
  const std::string members = "/v1/images/" + id + "/members";
  ASSERT_EQ(alice_.put(members + "/tenant-b", "").status, 204u);
  auto listing = [&] { return alice_.get(members).body; };
  const std::string shared = listing();

  set_policy("get_members: '!'\n");
  expect_policy_refusal(alice_.get(members));

  set_policy("modify_member: '!'\n");
  expect_policy_refusal(alice_.put(members + "/tenant-c", ""));
  expect_policy_refusal(alice_.put(members, R"({"memberships": []})"));
  EXPECT_EQ(listing(), shared);

  set_policy("delete_member: '!'\n");
  expect_policy_refusal(alice_.del(members + "/tenant-b"));
  EXPECT_EQ(listing(), shared);
  EXPECT_EQ(bob_.head("/v1/images/" + id).status, 200u);
}

TEST_F(ApiPolicy, RulesV1NeverAsksForChangeNothing) {
  auto id = create(alice_);
  set_policy(
      "add_member: '!'\nget_member: '!'\nget_image_location: '!'\n"
      "delete_image_location: '!'\nmanage_image_cache: '!'\n");
  EXPECT_EQ(alice_.put("/v1/images/" + id + "/members/tenant-b", "").status, 204u);
  EXPECT_EQ(alice_.get("/v1/images/" + id).status, 200u);
  EXPECT_EQ(alice_.del("/v1/images/" + id).status, 200u);
}

TEST_F(ApiPolicy, ReadOnlyAndOwnerlessRefusalsComeBeforeThePolicy) {
  set_policy("modify_member: '@'\n");
  HttpClient ownerless = env_->client(
      {{"X-Identity-Status", "Confirmed"}, {"X-User-Id", "drifter"}, {"X-Roles", "member"}});
  auto id = create(alice_);
  auto r = ownerless.put("/v1/images/" + id + "/members/tenant-b", "");
  EXPECT_EQ(r.status, 401u);
  EXPECT_NE(r.body.find("No authenticated user"), std::string::npos);
}

TEST_F(ApiPolicy, GenericChecksAgainstTheImageOwner) {
  auto id = create(alice_, "owned bytes", {{"x-image-meta-property-billing", "team-a"}});
  ASSERT_EQ(alice_.put("/v1/images/" + id + "/members/tenant-b", "").status, 204u);
  set_policy("download_image: project_id:%(owner)s or role:admin\n");
  EXPECT_EQ(alice_.get("/v1/images/" + id).status, 200u);
  expect_policy_refusal(bob_.get("/v1/images/" + id));
  EXPECT_EQ(bob_.head("/v1/images/" + id).status, 200u);  // the metadata stays visible
  EXPECT_EQ(admin_.get("/v1/images/" + id).status, 200u);
  // Properties are in the target too; the core fields win over properties of the same name.
  set_policy("download_image: \"'team-a':%(billing)s and tenant:%(owner)s\"\n");
  EXPECT_EQ(alice_.get("/v1/images/" + id).status, 200u);
  expect_policy_refusal(bob_.get("/v1/images/" + id));
  set_policy("download_image: \"'True':%(is_public)s\"\n");
  expect_policy_refusal(alice_.get("/v1/images/" + id));
}

TEST_F(ApiPolicy, ContextIsAdminMakesAdmins) {
  HttpClient operator_ = env_->client(identity("tenant-ops", "superuser", "op"));
  expect_policy_refusal(operator_.post("/v1/images", "", {{"x-image-meta-is_public", "True"}}));
  set_policy("context_is_admin: role:admin or role:superuser\n");
  auto r = operator_.post("/v1/images", "", {{"x-image-meta-is_public", "True"}});
  EXPECT_EQ(r.status, 201u) << r.body;
}

TEST_F(ApiPolicy, UndefinedRulesFallToTheDefaultRule) {
  set_policy("default: '!'\nget_images: rule:not_written_anywhere\n");
  expect_policy_refusal(admin_.get("/v1/images"));
  set_policy("default: '@'\nget_images: rule:not_written_anywhere\n");
  EXPECT_EQ(alice_.get("/v1/images").status, 200u);
}

TEST_F(ApiPolicy, JsonFilesInPolicyDirsOverrideThePolicyFile) {
  set_policy("get_images: '!'\n");
  expect_policy_refusal(alice_.get("/v1/images"));
  write_file(*dir_ + "/policy.d/50-open.json", "{\n  \"get_images\": \"role:member\"\n}\n");
  reload();
  EXPECT_EQ(alice_.get("/v1/images").status, 200u);
  expect_policy_refusal(admin_.get("/v1/images"));
}

TEST_F(ApiPolicy, AChangeOnDiskIsPickedUpWithoutRestartOrSignal) {
  auto pid = env_->api().pid();
  EXPECT_EQ(alice_.get("/v1/images").status, 200u);
  write_file(policy_file(), "get_images: '!'\n");
  EXPECT_TRUE(eventually([&] { return alice_.get("/v1/images").status == 403; }));
  write_file(policy_file(), "get_images: ''\n");
  EXPECT_TRUE(eventually([&] { return alice_.get("/v1/images").status == 200; }));
  EXPECT_EQ(env_->api().pid(), pid);
}

TEST_F(ApiPolicy, ABrokenFileOnReloadKeepsTheRulesInForce) {
  set_policy("get_images: '!'\n");
  expect_policy_refusal(alice_.get("/v1/images"));
  auto baseline = ProcessHealth::snapshot(env_->api().pid());
  const std::string broken = "get_images: ''\nadd_image: role:admin and\n";
  write_file(policy_file(), broken);
  reload();
  auto log = env_->api().log();
  EXPECT_NE(log.find("policy.yaml: line 2: rule \"add_image\""), std::string::npos);
  expect_policy_refusal(alice_.get("/v1/images"));
  // The on-disk watcher reports the same file once and keeps the rules too.
  write_file(policy_file(), broken + "# touched\n");
  EXPECT_TRUE(eventually([&] {
    (void)alice_.get("/v1/images");  // the watcher looks when a decision is asked for
    return count_of(env_->api().log(), "policy not reloaded, the rules in force stay") > 0;
  }));
  expect_policy_refusal(alice_.get("/v1/images"));
  // Neither the failed loads nor the rules left behind cost the daemon anything.
  write_file(policy_file(), std::string((1 << 20) + 1, '#'));  // one byte too long
  reload();
  expect_policy_refusal(alice_.get("/v1/images"));
  expect_recovered(env_->api(), baseline, [this](const Daemon&) {
    return alice_.get("/v1/images").status == 403 && admin_.get("/v1/images").status == 403;
  });
}

// A glance-api of its own with a file store under `dir` and `policy_file`; its registry is
// unreachable, as these tests are about start-up and reloads only.
std::string standalone_api_config(const std::string& dir, const std::string& policy_file) {
  return "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nregistry_host = 127.0.0.1\n"
         "registry_port = 1\n[glance_store]\nstores = file\ndefault_store = file\n"
         "filesystem_store_datadir = " +
         dir + "/images\n[oslo_policy]\npolicy_file = " + policy_file + "\n";
}

TEST(ApiPolicyStartup, AFileThatDoesNotParseStopsStartUpNamingTheLine) {
  auto dir = make_temp_dir("glance-api-bad-policy");
  write_file(dir + "/policy.json", "{\n  \"get_images\": \"\",\n  \"add_image\": \"(role:a\"\n}\n");
  Daemon api(api_binary(), standalone_api_config(dir, dir + "/policy.json"));
  EXPECT_ANY_THROW(api.start());
  EXPECT_NE(api.wait_exit(std::chrono::seconds(10)), 0);
  EXPECT_NE(api.log().find("policy.json: line 3: rule \"add_image\""), std::string::npos)
      << api.log();
  fs::remove_all(dir);
}

TEST(ApiPolicyStartup, ARelativePolicyFileIsFoundBesideTheConfigFile) {
  auto dir = make_temp_dir("glance-api-rel-policy");
  Daemon api(api_binary(), standalone_api_config(dir, "beside.yaml"));
  // The config file lands in a directory of the Daemon's own; put the policy there.
  write_file(fs::path(api.config_path()).parent_path() / "beside.yaml", "get_images: '\n");
  EXPECT_ANY_THROW(api.start());
  EXPECT_NE(api.log().find("beside.yaml: line"), std::string::npos) << api.log();
  fs::remove_all(dir);
}

// A reload asked for the moment the daemon says it listens, before its signal handling is
// set up, is served once it is, rather than killing the daemon with SIGHUP's default action.
TEST(ApiPolicyStartup, AReloadAskedTheMomentItListensIsServedNotFatal) {
  auto dir = make_temp_dir("glance-api-early-reload");
  write_file(dir + "/policy.yaml", "# the built-in rules\n");
  Daemon api(api_binary(), standalone_api_config(dir, dir + "/policy.yaml"));
  api.signal_once_listening(SIGHUP);
  api.start();
  EXPECT_TRUE(eventually([&] { return count_of(api.log(), "policy reloaded on SIGHUP") == 1; }))
      << api.log();
  EXPECT_EQ(api.wait_exit(std::chrono::milliseconds(200)), -1) << api.log();
  EXPECT_EQ(HttpClient(api.port()).get("/versions").status, 200u);
  EXPECT_EQ(api.stop(), 0) << api.log();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace glance::testing

// Property protections against a real glance-api (identities forwarded to a trusted-auth
// registry): roles and policies files over create, read, update and delete, the purge rule,
// property names full of regex metacharacters, a pattern that backtracks without end, and
// files that stop start-up.

#include "tests/support/api_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/mariadb_server.h"
#include "tests/support/process_health.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>

namespace glance::testing {
namespace {

namespace fs = std::filesystem;

const HeaderList kNoPurge = {{"x-glance-registry-purge-props", "false"}};
const HeaderList kRawBare = {{"x-image-meta-disk_format", "raw"},
                             {"x-image-meta-container_format", "bare"},
                             {"Content-Type", "application/octet-stream"}};

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

std::string section(const std::string& pattern, const std::string& create, const std::string& read,
                    const std::string& update, const std::string& remove) {
  return "[" + pattern + "]\ncreate = " + create + "\nread = " + read + "\nupdate = " + update +
         "\ndelete = " + remove + "\n\n";
}

HeaderList props(std::initializer_list<std::pair<std::string, std::string>> list) {
  HeaderList h;
  for (const auto& [name, value] : list) h.emplace_back("x-image-meta-property-" + name, value);
  return h;
}

HeaderList operator+(HeaderList a, const HeaderList& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void expect_protected(const HttpResponse& r, const std::string& name) {
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_NE(r.body.find("Property '" + name + "' is protected"), std::string::npos) << r.body;
}

// One api with a protection file, shared by a suite; `file` and `extra` are written before it
// starts.
class ProtectedApi : public ::testing::Test {
 protected:
  static void start(const std::string& file, const std::string& extra) {
    dir_ = new std::string(make_temp_dir("glance-api-props"));
    write_file(*dir_ + "/protections.conf", file);
    env_ = new ApiEnvironment(
        true, "property_protection_file = " + *dir_ + "/protections.conf\n" + extra);
  }
  static void stop() {
    delete env_;
    env_ = nullptr;
    fs::remove_all(*dir_);
    delete dir_;
  }

  // An image of tenant-a, created by an admin with `properties` and some data.
  std::string admin_creates(const HeaderList& properties) {
    auto r = admin_.post("/v1/images", "bytes",
                         kRawBare + HeaderList{{"x-image-meta-owner", "tenant-a"}} + properties);
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? r.json()["image"]["id"].get<std::string>() : "";
  }
  // The image's properties as an admin sees them (HEAD).
  std::map<std::string, std::string> stored(const std::string& id) {
    std::map<std::string, std::string> out;
    auto r = admin_.head("/v1/images/" + id);
    EXPECT_EQ(r.status, 200u);
    const std::string prefix = "x-image-meta-property-";
    for (const auto& [name, value] : r.headers) {
      std::string lower = name;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.starts_with(prefix)) out[lower.substr(prefix.size())] = value;
    }
    return out;
  }
  size_t image_count() {
    auto r = admin_.get("/v1/images/detail?is_public=none");
    EXPECT_EQ(r.status, 200u);
    return json_field(r, "images").size();
  }

  static std::string* dir_;
  static ApiEnvironment* env_;
  HttpClient admin_ = env_->client(identity("tenant-admin", "admin", "root"));
};
std::string* ProtectedApi::dir_ = nullptr;
ApiEnvironment* ProtectedApi::env_ = nullptr;

class RolesFormat : public ProtectedApi {
 protected:
  static void SetUpTestSuite() {
    // The first section backtracks without end on a long run of a's that does not end in one.
    start(
        section("^(a+)+$", "@", "@", "@", "@") +
            section("^x_owner_.*", "admin,member", "admin,member", "admin,member", "admin,member") +
            section("^x_readonly_.*", "admin", "admin,member", "admin", "admin") +
            section("^x_hidden_.*", "admin", "admin", "admin", "admin") +
            section("^x_keep_.*", "member", "admin,member", "member", "!") +
            section(R"(^x_a\.b\+c$)", "Member", "@", "!", "!") +
            section("^open_", "@", "@", "@", "@"),
        "property_protection_rule_format = roles\n");
  }
  static void TearDownTestSuite() { stop(); }

  HttpClient alice_ = env_->client(identity("tenant-a", "member", "alice"));
  HttpClient reader_ = env_->client(identity("tenant-a", "reader", "rita"));
};

TEST_F(RolesFormat, CreatingAProtectedPropertyIsRefusedAndStoresNothing) {
  auto before = image_count();
  auto files = env_->stored_files();
  expect_protected(alice_.post("/v1/images", "data",
                               kRawBare + props({{"x_owner_a", "1"}, {"x_readonly_a", "2"}})),
                   "x_readonly_a");
  expect_protected(alice_.post("/v1/images", "", props({{"x_hidden_a", "1"}})), "x_hidden_a");
  // A property no section matches is closed to everyone, admins included.
  expect_protected(admin_.post("/v1/images", "", props({{"unlisted", "1"}})), "unlisted");
  expect_protected(reader_.post("/v1/images", "", props({{"x_owner_a", "1"}})), "x_owner_a");
  EXPECT_EQ(image_count(), before);
  EXPECT_EQ(env_->stored_files(), files);

  auto ok = alice_.post("/v1/images", "data", kRawBare + props({{"x_owner_a", "1"}}));
  ASSERT_EQ(ok.status, 201u) << ok.body;
  EXPECT_EQ(ok.json()["image"]["properties"]["x_owner_a"], "1");
  EXPECT_EQ(admin_.post("/v1/images", "", props({{"x_hidden_a", "1"}})).status, 201u);
}

TEST_F(RolesFormat, RolesOfAConfirmedServiceTokenCount) {
  // Nova's snapshot: a reader's token with a member service token.
  HeaderList service = {{"X-Service-Roles", "member"}};
  expect_protected(reader_.post("/v1/images", "", service + props({{"x_owner_a", "1"}})),
                   "x_owner_a");
  service.emplace_back("X-Service-Identity-Status", "Confirmed");
  auto r = reader_.post("/v1/images", "", service + props({{"x_owner_a", "1"}}));
  EXPECT_EQ(r.status, 201u) << r.body;
}

TEST_F(RolesFormat, UnreadablePropertiesAreHiddenFromEveryRead) {
  auto id =
      admin_creates(props({{"x_owner_a", "o"}, {"x_readonly_a", "r"}, {"x_hidden_a", "secret"}}));
  for (auto method : {"HEAD", "GET"}) {
    auto r = alice_.request(method, "/v1/images/" + id);
    ASSERT_EQ(r.status, 200u) << method;
    EXPECT_EQ(r.header("x-image-meta-property-x_owner_a"), std::optional<std::string>("o"));
    EXPECT_EQ(r.header("x-image-meta-property-x_readonly_a"), std::optional<std::string>("r"));
    EXPECT_EQ(r.header("x-image-meta-property-x_hidden_a"), std::nullopt) << method;
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
  }
  // A 304 carries the metadata headers too.
  auto etag = alice_.head("/v1/images/" + id).header("ETag");
  ASSERT_TRUE(etag);
  auto not_modified = alice_.get("/v1/images/" + id, {{"If-None-Match", *etag}});
  ASSERT_EQ(not_modified.status, 304u);
  EXPECT_EQ(not_modified.header("x-image-meta-property-x_readonly_a"),
            std::optional<std::string>("r"));
  EXPECT_EQ(not_modified.header("x-image-meta-property-x_hidden_a"), std::nullopt);
  auto brief = alice_.get("/v1/images");  // names no properties at all
  ASSERT_EQ(brief.status, 200u);
  EXPECT_EQ(brief.body.find("secret"), std::string::npos) << brief.body;
  auto detail = alice_.get("/v1/images/detail");
  ASSERT_EQ(detail.status, 200u);
  EXPECT_EQ(detail.body.find("x_hidden_a"), std::string::npos) << detail.body;
  EXPECT_NE(detail.body.find("x_readonly_a"), std::string::npos) << detail.body;
  // The reader role may read nothing here.
  auto head = reader_.head("/v1/images/" + id);
  ASSERT_EQ(head.status, 200u);
  EXPECT_EQ(head.header("x-image-meta-property-x_owner_a"), std::nullopt);
  EXPECT_EQ(stored(id).at("x_hidden_a"), "secret");
  auto admin_detail = admin_.get("/v1/images/detail?is_public=none");
  EXPECT_NE(admin_detail.body.find("secret"), std::string::npos);
}

TEST_F(RolesFormat, UpdatesNeedUpdateForChangesAndReadAlways) {
  auto id = admin_creates(props({{"x_readonly_a", "r"}, {"x_hidden_a", "secret"}}));
  const HeaderList& keep = kNoPurge;
  const auto before = stored(id);
  expect_protected(alice_.put("/v1/images/" + id, "", keep + props({{"x_readonly_a", "changed"}})),
                   "x_readonly_a");
  // Guessing a hidden value right is still refused.
  expect_protected(alice_.put("/v1/images/" + id, "", keep + props({{"x_hidden_a", "secret"}})),
                   "x_hidden_a");
  expect_protected(alice_.put("/v1/images/" + id, "", keep + props({{"x_hidden_b", "new"}})),
                   "x_hidden_b");
  EXPECT_EQ(stored(id), before);
  // Resending a readable value unchanged is no update.
  auto same = alice_.put("/v1/images/" + id, "",
                         keep + props({{"x_readonly_a", "r"}, {"x_owner_a", "mine"}}));
  ASSERT_EQ(same.status, 200u) << same.body;
  EXPECT_EQ(same.json()["image"]["properties"].count("x_hidden_a"), 0u) << same.body;
  EXPECT_EQ(stored(id).at("x_owner_a"), "mine");
  EXPECT_EQ(admin_.put("/v1/images/" + id, "", keep + props({{"x_readonly_a", "new"}})).status,
            200u);
}

TEST_F(RolesFormat, APurgeKeepsWhatTheCallerCannotSeeAndRefusesWhatItMayNotDelete) {
  auto id =
      admin_creates(props({{"x_owner_a", "o"}, {"x_hidden_a", "secret"}, {"x_readonly_a", "r"}}));
  // x_readonly_a is readable but not deletable by a member: purging it is refused.
  const auto before = stored(id);
  expect_protected(alice_.put("/v1/images/" + id, "", props({{"x_owner_a", "o"}})), "x_readonly_a");
  EXPECT_EQ(stored(id), before);

  ASSERT_EQ(admin_.put("/v1/images/" + id, "", kNoPurge + props({{"x_keep_a", "k"}})).status,
            403u);  // x_keep_a: create is the member role's only
  ASSERT_EQ(alice_.put("/v1/images/" + id, "", kNoPurge + props({{"x_keep_a", "k"}})).status, 200u);
  ASSERT_EQ(admin_
                .put("/v1/images/" + id, "",
                     props({{"x_owner_a", "o"}, {"x_hidden_a", "secret"}, {"x_keep_a", "k"}}))
                .status,
            200u);  // the admin purges x_readonly_a
  // Alice sends only x_keep_a: x_owner_a goes, x_hidden_a (unseen) stays, and the answer
  // does not show it.
  auto purged = alice_.put("/v1/images/" + id, "", props({{"x_keep_a", "k"}}));
  ASSERT_EQ(purged.status, 200u) << purged.body;
  EXPECT_EQ(purged.json()["image"]["properties"], nlohmann::json({{"x_keep_a", "k"}}));
  EXPECT_EQ(stored(id),
            (std::map<std::string, std::string>{{"x_hidden_a", "secret"}, {"x_keep_a", "k"}}));
  // x_keep_a may be deleted by no one; without purging nothing is deleted, so nothing is
  // asked.
  expect_protected(alice_.put("/v1/images/" + id, "", {}), "x_keep_a");
  expect_protected(admin_.put("/v1/images/" + id, "", props({{"x_hidden_a", "secret"}})),
                   "x_keep_a");
  EXPECT_EQ(alice_.put("/v1/images/" + id, "", kNoPurge).status, 200u);
  EXPECT_EQ(stored(id).size(), 2u);
}

TEST_F(RolesFormat, AnUploadNeverPurgesSoAsksNoDelete) {
  auto queued =
      admin_.post("/v1/images", "",
                  HeaderList{{"x-image-meta-owner", "tenant-a"}} + props({{"x_readonly_a", "r"}}));
  ASSERT_EQ(queued.status, 201u) << queued.body;
  std::string id = queued.json()["image"]["id"];
  auto up = alice_.put("/v1/images/" + id, "data", kRawBare);
  ASSERT_EQ(up.status, 200u) << up.body;
  EXPECT_EQ(stored(id).at("x_readonly_a"), "r");
}

TEST_F(RolesFormat, PropertyNamesWithMetacharactersAreMatchedAsText) {
  // The section is ^x_a\.b\+c$ with role "Member" (the file's case does not matter).
  auto ok = alice_.post("/v1/images", "", props({{"x_a.b+c", "1"}}));
  ASSERT_EQ(ok.status, 201u) << ok.body;
  for (const char* near : {"x_azb+c", "x_a.bbc", "x_a.b+c+", "x_a.b+c|x", "x_a.*"})
    expect_protected(alice_.post("/v1/images", "", props({{near, "1"}})), near);
  std::string id = ok.json()["image"]["id"];
  expect_protected(alice_.put("/v1/images/" + id, "", props({{"x_a.b+c", "2"}})), "x_a.b+c");
}

TEST_F(RolesFormat, ABacktrackingPatternCostsBoundedTimeAndCountsAsProtected) {
  auto probe = [this](const Daemon&) { return alice_.get("/v1/images").status == 200; };
  ASSERT_TRUE(probe(env_->api()));
  auto baseline = ProcessHealth::snapshot(env_->api().pid());
  EXPECT_EQ(alice_.post("/v1/images", "", props({{"aaaa", "1"}})).status, 201u);
  std::string evil(254, 'a');
  evil += 'b';
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i)
    expect_protected(alice_.post("/v1/images", "", props({{evil, "1"}})), evil);
  // Generous for a loaded, sanitized build; unbounded backtracking would never answer.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
  expect_recovered(env_->api(), baseline, probe);
}

class PoliciesFormat : public ProtectedApi {
 protected:
  static void SetUpTestSuite() {
    policy_dir_ = new std::string(make_temp_dir("glance-api-props-policy"));
    write_file(*policy_dir_ + "/policy.yaml", "glance_creator: 'role:admin or role:spl_role'\n");
    start(section("^x_owner_.*", "glance_creator", "glance_creator", "glance_creator",
                  "glance_creator") +
              section("^x_public_.*", "@", "@", "context_is_admin", "!"),
          "property_protection_rule_format = policies\n[oslo_policy]\npolicy_file = " +
              *policy_dir_ + "/policy.yaml\n");
  }
  static void TearDownTestSuite() {
    stop();
    fs::remove_all(*policy_dir_);
    delete policy_dir_;
  }
  static std::string* policy_dir_;
  HttpClient alice_ = env_->client(identity("tenant-a", "member", "alice"));
  HttpClient spl_ = env_->client(identity("tenant-a", "spl_role", "sam"));
};
std::string* PoliciesFormat::policy_dir_ = nullptr;

TEST_F(PoliciesFormat, TheNamedRulesDecideEveryOperation) {
  auto before = image_count();
  expect_protected(alice_.post("/v1/images", "", props({{"x_owner_a", "1"}})), "x_owner_a");
  EXPECT_EQ(image_count(), before);
  auto created = spl_.post("/v1/images", "", props({{"x_owner_a", "1"}, {"x_public_a", "p"}}));
  ASSERT_EQ(created.status, 201u) << created.body;
  std::string id = created.json()["image"]["id"];

  auto seen = alice_.head("/v1/images/" + id);
  ASSERT_EQ(seen.status, 200u);
  EXPECT_EQ(seen.header("x-image-meta-property-x_owner_a"), std::nullopt);
  EXPECT_EQ(seen.header("x-image-meta-property-x_public_a"), std::optional<std::string>("p"));
  // Alice's purge keeps x_owner_a, which she cannot see; x_public_a may be deleted by no one.
  expect_protected(alice_.put("/v1/images/" + id, "", {}), "x_public_a");
  auto kept = alice_.put("/v1/images/" + id, "", props({{"x_public_a", "p"}}));
  ASSERT_EQ(kept.status, 200u) << kept.body;
  EXPECT_EQ(stored(id),
            (std::map<std::string, std::string>{{"x_owner_a", "1"}, {"x_public_a", "p"}}));
  // Updating x_public_a takes context_is_admin.
  expect_protected(
      spl_.put("/v1/images/" + id, "", props({{"x_owner_a", "1"}, {"x_public_a", "q"}})),
      "x_public_a");
  EXPECT_EQ(
      admin_.put("/v1/images/" + id, "", props({{"x_owner_a", "2"}, {"x_public_a", "q"}})).status,
      200u);
  EXPECT_EQ(spl_.put("/v1/images/" + id, "", props({{"x_public_a", "q"}})).status, 200u);
  EXPECT_EQ(stored(id), (std::map<std::string, std::string>{{"x_public_a", "q"}}));
}

TEST_F(PoliciesFormat, APolicyChangeChangesTheDecisions) {
  write_file(*policy_dir_ + "/policy.yaml", "glance_creator: 'role:admin or role:member'\n");
  env_->api().signal(SIGHUP);
  ASSERT_TRUE(eventually(
      [&] { return env_->api().log().find("policy reloaded on SIGHUP") != std::string::npos; }));
  auto r = alice_.post("/v1/images", "", props({{"x_owner_a", "1"}}));
  EXPECT_EQ(r.status, 201u) << r.body;
  write_file(*policy_dir_ + "/policy.yaml", "glance_creator: 'role:admin or role:spl_role'\n");
  env_->api().signal(SIGHUP);
  ASSERT_TRUE(eventually([&] {
    return alice_.post("/v1/images", "", props({{"x_owner_b", "1"}})).status == 403;
  }));
}

// A glance-api configured with `protection_file` and `extra` in [DEFAULT]; no registry is
// needed, as it must not get as far as serving.
std::string refused_start_log(const std::string& dir, const std::string& protection_file,
                              const std::string& extra = "") {
  Daemon api(api_binary(),
             "[DEFAULT]\nbind_host = 127.0.0.1\nbind_port = 0\nregistry_host = 127.0.0.1\n"
             "registry_port = 1\nproperty_protection_file = " +
                 protection_file + "\n" + extra + "[glance_store]\nstores = file\n" +
                 "default_store = file\nfilesystem_store_datadir = " + dir + "/images\n");
  EXPECT_ANY_THROW(api.start());
  EXPECT_NE(api.wait_exit(std::chrono::seconds(30)), 0);
  return api.log();
}

TEST(PropertyProtectionStartup, BadFilesStopStartUpNamingTheFault) {
  auto dir = make_temp_dir("glance-api-bad-props");
  const std::string ok = section(".*", "@", "@", "@", "@");
  struct Case {
    std::string text, extra, expected;
  };
  std::string garbage(3 << 20, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 131) % 251);
  for (const auto& c : std::vector<Case>{
           {"[(a]\ncreate = @\nread = @\nupdate = @\ndelete = @\n", "",
            "section [(a] on line 1: not a valid regular expression"},
           {"[p]\ncreate = @\nread = @\nupdate = @\n", "", "section [p] on line 1 has no delete"},
           {"[p]\ncreate = no_such_rule\nread = @\nupdate = @\ndelete = @\n",
            "property_protection_rule_format = policies\n",
            "[p] create: no policy rule named \"no_such_rule\""},
           {"[(?P<n>x)]\ncreate = @\nread = @\nupdate = @\ndelete = @\n", "",
            "not a valid regular expression"},
           {garbage, "", "property_protection_file"},
           {ok, "property_protection_rule_format = Roles\n",
            "property_protection_rule_format in [DEFAULT]: must be roles or policies"},
       }) {
    write_file(dir + "/p.conf", c.text);
    auto log = refused_start_log(dir, dir + "/p.conf", c.extra);
    EXPECT_NE(log.find(c.expected), std::string::npos) << c.expected << "\n" << log;
  }
  auto missing = refused_start_log(dir, dir + "/missing.conf");
  EXPECT_NE(missing.find("option property_protection_file in [DEFAULT]: "), std::string::npos)
      << missing;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace glance::testing

#include "common/policy/enforcer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace glance::common::policy {
namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::string> kDefaults = {
    {"default", "role:admin"}, {"get_image", ""}, {"add_image", ""}};

class PolicyEnforcer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("policy-enforcer-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_.search_dirs = {dir_.string()};
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::trunc) << text;
    // Make the change visible whatever the file system's time resolution.
    auto when = fs::last_write_time(dir_ / name) + std::chrono::seconds(++bumps_);
    fs::last_write_time(dir_ / name, when);
  }

  fs::path dir_;
  PolicyConfig config_;
  int bumps_ = 0;
  Credentials member_{{{"project_id", "p1"}, {"is_admin", "False"}}, {"member"}};
  Credentials admin_{{{"project_id", "p1"}, {"is_admin", "True"}}, {"admin"}};
};

TEST_F(PolicyEnforcer, WithoutFilesTheDefaultsRule) {
  auto e = Enforcer::load(config_, kDefaults);
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_TRUE((*e)->allows("get_image", member_, {}));
  EXPECT_FALSE((*e)->allows("delete_image", member_, {}));
  EXPECT_TRUE((*e)->allows("delete_image", admin_, {}));
  EXPECT_TRUE((*e)->sources().empty());
}

TEST_F(PolicyEnforcer, TheFileOverridesRuleByRuleAndDirectoriesInNameOrder) {
  write("policy.json", "{\"get_image\": \"role:admin\"}");
  write("policy.d/20-later.yaml", "add_image: '!'\n");
  write("policy.d/10-first.yaml", "add_image: '@'\nget_image: '@'\n");
  auto e = Enforcer::load(config_, kDefaults);
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_TRUE((*e)->allows("get_image", member_, {}));  // 10-first overrode policy.json
  EXPECT_FALSE((*e)->allows("add_image", admin_, {}));  // 20-later came last
  EXPECT_FALSE((*e)->allows("delete_image", member_, {}));
  ASSERT_EQ((*e)->sources().size(), 3u);
  EXPECT_EQ(fs::path((*e)->sources()[2]).filename(), "20-later.yaml");
}

TEST_F(PolicyEnforcer, AnAbsolutePolicyFileIsUsedAsGiven) {
  write("elsewhere/mine.yaml", "get_image: '!'\n");
  config_.policy_file = (dir_ / "elsewhere/mine.yaml").string();
  config_.search_dirs = {"/nonexistent"};
  auto e = Enforcer::load(config_, kDefaults);
  ASSERT_TRUE(e);
  EXPECT_FALSE((*e)->allows("get_image", admin_, {}));
}

TEST_F(PolicyEnforcer, AFileThatDoesNotParseFailsTheLoadNamingFileAndLine) {
  write("policy.json", "{\n\"get_image\": \"\",\n\"add_image\": \"role:admin or\"\n}\n");
  auto e = Enforcer::load(config_, kDefaults);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("policy.json: line 3: rule \"add_image\""), std::string::npos)
      << e.error().message();
}

TEST_F(PolicyEnforcer, ALoopAcrossFilesNamesWhereTheRuleIsWritten) {
  write("policy.json", "{\"a\": \"rule:b\"}");
  write("policy.d/x.yaml", "\n\nb: rule:a\n");
  auto e = Enforcer::load(config_, kDefaults);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message().find("line"), std::string::npos) << e.error().message();
}

TEST_F(PolicyEnforcer, ReloadPicksUpChangesAndKeepsTheOldRulesOnError) {
  write("policy.yaml", "get_image: '@'\n");
  config_.policy_file = "policy.yaml";
  auto loaded = Enforcer::load(config_, kDefaults);
  ASSERT_TRUE(loaded);
  auto& e = **loaded;
  EXPECT_TRUE(e.allows("get_image", member_, {}));

  write("policy.yaml", "get_image: role:admin\n");
  ASSERT_TRUE(e.reload());
  EXPECT_FALSE(e.allows("get_image", member_, {}));

  write("policy.yaml", "get_image: role:admin and\n");
  auto failed = e.reload();
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message().find("line 1"), std::string::npos);
  EXPECT_FALSE(e.allows("get_image", member_, {}));
  EXPECT_TRUE(e.allows("get_image", admin_, {}));
  e.reload_if_changed();  // the same broken file: nothing to do
  EXPECT_TRUE(e.rules()->allows("get_image", admin_, {}));
  write("policy.yaml", "get_image: '@'\n");
  e.reload_if_changed();  // fixed: picked up
  EXPECT_TRUE(e.rules()->allows("get_image", member_, {}));
}

TEST_F(PolicyEnforcer, ChangesOnDiskAreNoticedWithoutAnExplicitReload) {
  write("policy.json", "{\"get_image\": \"\"}");
  auto loaded = Enforcer::load(config_, kDefaults);
  ASSERT_TRUE(loaded);
  auto& e = **loaded;
  write("policy.json", "{\"get_image\": \"!\"}");
  e.reload_if_changed();
  EXPECT_FALSE(e.rules()->allows("get_image", admin_, {}));
  // A broken file is skipped; fixing it is noticed again.
  write("policy.json", "{\"get_image\": ");
  e.reload_if_changed();
  EXPECT_FALSE(e.rules()->allows("get_image", admin_, {}));
  write("policy.json", "{\"get_image\": \"role:admin\"}");
  e.reload_if_changed();
  EXPECT_TRUE(e.rules()->allows("get_image", admin_, {}));
  // Removing the file leaves the defaults.
  fs::remove(dir_ / "policy.json");
  e.reload_if_changed();
  EXPECT_TRUE(e.sources().empty());
  EXPECT_TRUE(e.rules()->allows("get_image", member_, {}));
}

TEST_F(PolicyEnforcer, DecisionsRaceReloadsSafely) {
  write("policy.json", "{\"get_image\": \"\"}");
  auto loaded = Enforcer::load(config_, kDefaults);
  ASSERT_TRUE(loaded);
  auto& e = **loaded;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) (void)e.allows("get_image", member_, {});
  });
  for (int i = 0; i < 50; ++i) {
    write("policy.json", i % 2 ? "{\"get_image\": \"\"}" : "{\"get_image\": \"!\"}");
    ASSERT_TRUE(e.reload());
  }
  stop = true;
  reader.join();
  EXPECT_TRUE(e.rules()->allows("get_image", member_, {}));  // the last write allowed it
}

}  // namespace
}  // namespace glance::common::policy

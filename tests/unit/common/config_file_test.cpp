#include "common/config_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace glance::common {
namespace {

TEST(ConfigFile, ReadsTypedValuesWithDefaults) {
  auto f = ConfigFile::from_string(
      "[DEFAULT]\nbind_port = 9292\ndebug = True\n# comment\nname = x y\n"
      "[glance_store]\nstores = file, http\n");
  EXPECT_EQ(f.get_int("DEFAULT", "bind_port", 1), 9292);
  EXPECT_TRUE(f.get_bool("DEFAULT", "debug", false));
  EXPECT_EQ(f.get_string("DEFAULT", "name", ""), "x y");
  EXPECT_EQ(f.get_list("glance_store", "stores", {}), (std::vector<std::string>{"file", "http"}));
  EXPECT_EQ(f.get_int("DEFAULT", "missing", 7), 7);
  EXPECT_TRUE(f.errors().empty());
}

TEST(ConfigFile, ReportsBadValuesNamingTheOption) {
  auto f = ConfigFile::from_string("[DEFAULT]\nbind_port = abc\nworkers = 99999\ndebug = maybe\n");
  f.get_int("DEFAULT", "bind_port", 9292, 0, 65535);
  f.get_int("DEFAULT", "workers", 1, 0, 1024);
  f.get_bool("DEFAULT", "debug", false);
  ASSERT_EQ(f.errors().size(), 3u);
  EXPECT_NE(f.errors()[0].find("bind_port"), std::string::npos);
  EXPECT_NE(f.errors()[1].find("out of range"), std::string::npos);
  EXPECT_NE(f.errors()[2].find("not a boolean"), std::string::npos);
}

TEST(ConfigFile, ListsOptionsNobodyAskedFor) {
  auto f = ConfigFile::from_string(
      "[DEFAULT]\nbind_port = 1\nbind_prot = 2\n[database]\nconection = x\n");
  f.get_int("DEFAULT", "bind_port", 0);
  f.get_string("database", "connection", "");
  auto unknown = f.unknown_options();
  EXPECT_EQ(unknown, (std::vector<std::string>{"DEFAULT.bind_prot", "database.conection"}));
}

// What the configuration reference (docs/configuration.md, via --list-options) is made of:
// each option asked for once, in the order first asked, with the default and range the code
// passed, whatever the file says.
TEST(ConfigFile, RecordsEachOptionAskedForWithItsTypeDefaultAndRange) {
  auto f = ConfigFile::from_string("[DEFAULT]\nworkers = 3\n");
  f.get_int("DEFAULT", "workers", 4, 0, 1024);
  f.describe_default("DEFAULT", "workers", "the number of CPUs");
  f.get_bool("DEFAULT", "debug", false);
  f.get_list("glance_store", "stores", {"file", "http"});
  f.get_optional("DEFAULT", "log_file");
  f.get_string("DEFAULT", "log_file", "");
  f.get_int("DEFAULT", "image_size_cap", 10, 1);
  f.get_multi("oslo_messaging_notifications", "driver");
  f.accept("DEFAULT", "verbose");
  const auto& read = f.options_read();
  ASSERT_EQ(read.size(), 7u);
  EXPECT_EQ(read[0].key, "workers");
  EXPECT_EQ(read[0].type, "integer");
  EXPECT_EQ(read[0].default_value, "the number of CPUs");
  EXPECT_EQ(read[0].min, std::optional<int64_t>(0));
  EXPECT_EQ(read[0].max, std::optional<int64_t>(1024));
  EXPECT_EQ(read[1].type, "boolean");
  EXPECT_EQ(read[1].default_value, "False");
  EXPECT_EQ(read[2].section, "glance_store");
  EXPECT_EQ(read[2].default_value, "file,http");
  EXPECT_EQ(read[3].key, "log_file");
  EXPECT_EQ(read[3].type, "string");
  EXPECT_EQ(read[4].min, std::optional<int64_t>(1));
  EXPECT_EQ(read[4].max, std::nullopt);
  EXPECT_EQ(read[5].type, "multi");
  EXPECT_EQ(read[6].type, "accepted");
  EXPECT_TRUE(f.unknown_options().empty());
}

TEST(ConfigFile, LaterFilesOverrideEarlierOnes) {
  std::string a = testing::TempDir() + "/a.conf", b = testing::TempDir() + "/b.conf";
  std::ofstream(a) << "[DEFAULT]\nbind_port = 1\nworkers = 3\n";
  std::ofstream(b) << "[DEFAULT]\nbind_port = 2\n";
  auto f = ConfigFile::load({a, b});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->get_int("DEFAULT", "bind_port", 0), 2);
  EXPECT_EQ(f->get_int("DEFAULT", "workers", 0), 3);
  EXPECT_FALSE(ConfigFile::load({a, "/nonexistent/x.conf"}));
}

TEST(ConfigFile, MultiValuedOptionsKeepEveryLineOfTheLastFileSettingThem) {
  std::string a = testing::TempDir() + "/multi-a.conf", b = testing::TempDir() + "/multi-b.conf";
  std::ofstream(a) << "[n]\ndriver = log\ndriver = messaging\nother = 1\n";
  std::ofstream(b) << "[n]\nother = 2\n";
  auto f = ConfigFile::load({a, b});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->get_multi("n", "driver"), (std::vector<std::string>{"log", "messaging"}));
  // A plain option keeps its last value.
  EXPECT_EQ(f->get_string("n", "driver", ""), "messaging");
  EXPECT_TRUE(f->get_multi("n", "missing").empty());
  std::ofstream(b) << "[n]\ndriver = noop\n";
  f = ConfigFile::load({a, b});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->get_multi("n", "driver"), std::vector<std::string>{"noop"});
  EXPECT_TRUE(f->unknown_options().size() == 1 && f->unknown_options()[0] == "n.other");
}

TEST(ConfigFile, ParsesOsloBooleans) {
  EXPECT_EQ(parse_bool_option("Yes"), true);
  EXPECT_EQ(parse_bool_option("off"), false);
  EXPECT_EQ(parse_bool_option("2"), std::nullopt);
}

}  // namespace
}  // namespace glance::common

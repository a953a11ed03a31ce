#include "api/scrubber/scrubber_options.h"

#include "tests/support/shipped_config.h"

#include <gtest/gtest.h>

namespace glance::api::scrubber {
namespace {

TEST(ScrubberCommandLine, TakesUpstreamsOptions) {
  auto cmd = parse_command_line({"--config-file", "a.conf", "--config-file=b.conf", "-D"});
  ASSERT_TRUE(cmd) << cmd.error().message();
  EXPECT_EQ(cmd->config_files, (std::vector<std::string>{"a.conf", "b.conf"}));
  EXPECT_TRUE(cmd->daemon);
  EXPECT_FALSE(cmd->restore);
  auto last_wins = parse_command_line({"--daemon", "--nodaemon"});
  ASSERT_TRUE(last_wins);
  EXPECT_FALSE(last_wins->daemon);
  auto restore = parse_command_line({"--restore", "3e1c2b7a-0000-4000-8000-000000000000"});
  ASSERT_TRUE(restore);
  EXPECT_EQ(restore->restore, std::optional<std::string>("3e1c2b7a-0000-4000-8000-000000000000"));
  EXPECT_EQ(parse_command_line({"--restore=x"})->restore, std::optional<std::string>("x"));
  EXPECT_TRUE(parse_command_line({"--help"})->help);
  EXPECT_TRUE(parse_command_line({"--version"})->version);
  EXPECT_TRUE(parse_command_line({}));
}

TEST(ScrubberCommandLine, RefusesWhatItCannotDo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--restore", "x", "--daemon"},
           {"-D", "--restore=x"},
           {"--restore"},
           {"--config-file"},
           {"--restore", ""},
           {"--frobnicate"},
           {"positional"},
           {"--config-filex=a"},
       }) {
    auto cmd = parse_command_line(args);
    EXPECT_FALSE(cmd) << args.front();
    if (!cmd) EXPECT_EQ(cmd.error().code(), common::Errc::bad_request);
  }
  auto both = parse_command_line({"--daemon", "--restore", "x"});
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().message().find("should not be set together"), std::string::npos);
}

TEST(ScrubberConfig, UpstreamsDefaults) {
  auto file = common::ConfigFile::from_string("[DEFAULT]\n");
  auto c = load_scrubber_config(file);
  EXPECT_EQ(c.wakeup_time, std::chrono::seconds(300));
  EXPECT_EQ(c.scrub_time, std::chrono::seconds(0));
  EXPECT_EQ(c.scrub_pool_size, 1);
  EXPECT_EQ(c.claim_lease, std::chrono::seconds(3600));
  EXPECT_FALSE(c.api.delayed_delete);
  EXPECT_TRUE(file.errors().empty());
}

TEST(ScrubberConfig, ReadsItsOptionsAndRefusesBadValues) {
  auto file = common::ConfigFile::from_string(
      "[DEFAULT]\nwakeup_time = 60\nscrub_time = 86400\nscrub_pool_size = 8\n"
      "delayed_delete = True\nscrubber_datadir = /var/lib/glance/scrubber\n"
      "registry_host = 10.0.0.5\nregistry_port = 9999\n");
  auto c = load_scrubber_config(file);
  EXPECT_EQ(c.wakeup_time, std::chrono::seconds(60));
  EXPECT_EQ(c.scrub_time, std::chrono::seconds(86400));
  EXPECT_EQ(c.scrub_pool_size, 8);
  EXPECT_TRUE(c.api.delayed_delete);
  EXPECT_EQ(c.api.registry.host, "10.0.0.5");
  EXPECT_EQ(c.api.registry.port, 9999);
  EXPECT_TRUE(file.errors().empty());
  EXPECT_TRUE(file.unknown_options().empty());
  for (const char* bad : {"scrub_pool_size = 0\n", "wakeup_time = 0\n", "scrub_time = -1\n",
                          "scrub_pool_size = many\n", "scrubber_claim_lease = 0\n"}) {
    auto f = common::ConfigFile::from_string(std::string("[DEFAULT]\n") + bad);
    load_scrubber_config(f);
    EXPECT_FALSE(f.errors().empty()) << bad;
  }
}

// etc/glance-scrubber.conf documents every default truly, with no unknown option.
TEST(ShippedScrubberConfig, EveryDocumentedDefaultIsTheRealDefault) {
  auto [shipped_file, empty_file, shipped, defaults] = testing::shipped_and_default_configs(
      "glance-scrubber.conf", "\nwakeup_time = 300\n",
      [](common::ConfigFile& f) { return load_scrubber_config(f); });
  EXPECT_EQ(shipped.wakeup_time, defaults.wakeup_time);
  EXPECT_EQ(shipped.scrub_time, defaults.scrub_time);
  EXPECT_EQ(shipped.scrub_pool_size, defaults.scrub_pool_size);
  EXPECT_EQ(shipped.claim_lease, defaults.claim_lease);
  EXPECT_EQ(shipped.api.delayed_delete, defaults.api.delayed_delete);
  EXPECT_EQ(shipped.api.registry.host, defaults.api.registry.host);
  EXPECT_EQ(shipped.api.registry.port, defaults.api.registry.port);
  EXPECT_EQ(shipped.api.log.debug, defaults.api.log.debug);
}

}  // namespace
}  // namespace glance::api::scrubber

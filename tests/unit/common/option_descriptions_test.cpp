#include "common/option_descriptions.h"

#include "common/config_file.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace glance::common {
namespace {

// Each description is one line of --list-options (tab-separated) and a cell of a Markdown
// table in docs/configuration.md: a character that ends either would break the reference.
TEST(OptionDescriptions, EveryEntryIsOneSentenceOrTwoThatFitATableCell) {
  auto all = all_option_descriptions();
  ASSERT_GT(all.size(), 150u);  // every part of the table is in
  for (const auto& d : all) {
    SCOPED_TRACE(std::string(d.section) + " " + std::string(d.key));
    EXPECT_FALSE(d.section.empty());
    EXPECT_FALSE(d.key.empty());
    ASSERT_GE(d.text.size(), 10u);
    EXPECT_EQ(d.text.find_first_of("\t\n\r|"), std::string_view::npos);
    EXPECT_EQ(d.text.back(), '.');
    EXPECT_NE(d.text.front(), ' ');
    EXPECT_LE(d.text.size(), 360u) << "one or two sentences";
  }
}

// Two entries for one option would leave which one is shown to the order of the parts.
TEST(OptionDescriptions, DescribeEachOptionOnce) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const auto& d : all_option_descriptions())
    EXPECT_TRUE(seen.insert({d.section, d.key}).second) << d.section << " " << d.key;
}

TEST(OptionDescriptions, LookUpBySectionAndName) {
  for (const auto& d : all_option_descriptions())
    EXPECT_EQ(option_description(d.section, d.key), d.text) << d.section << " " << d.key;
  EXPECT_FALSE(option_description("DEFAULT", "bind_port").empty());
  // The same name in another section is another option.
  EXPECT_TRUE(option_description("database", "bind_port").empty());
  EXPECT_NE(option_description("DEFAULT", "auth_url"),
            option_description("keystone_authtoken", "auth_url"));
  EXPECT_TRUE(option_description("DEFAULT", "bind_prot").empty());
  EXPECT_TRUE(option_description("", "").empty());
  EXPECT_TRUE(option_description("DEFAULT", "bind_port ").empty());
  EXPECT_TRUE(option_description("default", "bind_port").empty());
}

// --list-options prints what ConfigFile recorded, so the description travels with the option
// from wherever it is read, whatever reads it.
TEST(OptionDescriptions, RecordedWithEachOptionRead) {
  auto f = ConfigFile::from_string("[DEFAULT]\nbind_port = 1\nbind_prot = 2\n");
  f.get_int("DEFAULT", "bind_port", 9292, 0, 65535);
  f.accept("DEFAULT", "verbose");
  f.get_multi("oslo_messaging_notifications", "driver");
  f.get_string("nowhere", "bind_prot", "");
  const auto& read = f.options_read();
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(read[0].description, option_description("DEFAULT", "bind_port"));
  EXPECT_EQ(read[1].description, option_description("DEFAULT", "verbose"));
  EXPECT_EQ(read[2].description, option_description("oslo_messaging_notifications", "driver"));
  EXPECT_FALSE(read[2].description.empty());
  EXPECT_TRUE(read[3].description.empty());
  // describe_default() changes the default only.
  f.describe_default("DEFAULT", "bind_port", "(a port)");
  EXPECT_EQ(f.options_read()[0].description, option_description("DEFAULT", "bind_port"));
}

}  // namespace
}  // namespace glance::common

#include "common/json_writer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace glance::common {
namespace {

TEST(JsonWriter, WritesNestedValuesWithCommas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("a").number(-5).key("b").begin_array().boolean(true).null().string("x");
  w.end_array().key("c").begin_object().end_object().key("d").raw("{\"k\":1}").end_object();
  EXPECT_EQ(out, R"({"a":-5,"b":[true,null,"x"],"c":{},"d":{"k":1}})");
}

TEST(JsonWriter, EscapesWhatJsonRequiresAndKeepsUtf8) {
  std::string tricky = "quote\" back\\ nl\n tab\t nul" + std::string(1, '\0') + " bell\x07 ünï 😀";
  std::string out;
  JsonWriter(out).string(tricky);
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), tricky);
  EXPECT_NE(out.find("\\u0000"), std::string::npos);
  EXPECT_NE(out.find("ünï"), std::string::npos);
}

TEST(JsonWriter, WritesIllFormedUtf8AsReplacementCharacters) {
  std::string out;
  JsonWriter(out).begin_object().key("k\xff").string("a\xc3").end_object();
  EXPECT_EQ(out, "{\"k\xef\xbf\xbd\":\"a\xef\xbf\xbd\"}");
  EXPECT_NO_THROW((void)nlohmann::json::parse(out));
}

}  // namespace
}  // namespace glance::common

#include "api/registry_image_list.h"

#include <gtest/gtest.h>

#include <string>

namespace glance::api {
namespace {

constexpr size_t kLimit = 1 << 20;
constexpr const char* kUnexpected = "registry returned an unexpected image list";

std::string image(const std::string& id, const std::string& extra = "") {
  return R"({"id": ")" + id + R"(", "name": "n-)" + id + R"(", "status": "active",)" +
         R"( "created_at": "2026-01-02T03:04:05.000000", "properties": {"k": "ü"})" + extra + "}";
}

void expect_unexpected(std::string_view body, size_t limit = kLimit) {
  auto r = read_image_list(body, limit);
  ASSERT_FALSE(r) << body.substr(0, 80);
  EXPECT_EQ(r.error().code(), common::Errc::internal) << body.substr(0, 80);
  EXPECT_EQ(r.error().message(), kUnexpected) << body.substr(0, 80);
}

TEST(ReadImageList, ReadsEveryImageInOrder) {
  std::string body = R"({"images": [)";
  for (int i = 0; i < 1000; ++i) body += (i ? "," : "") + image(std::to_string(i));
  body += "]}";
  auto r = read_image_list(body, kLimit);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->size(), 1000u);
  EXPECT_EQ((*r)[0].id, "0");
  EXPECT_EQ((*r)[999].id, "999");
  EXPECT_EQ((*r)[999].name, "n-999");
  EXPECT_EQ((*r)[999].properties.at("k"), "ü");
  auto empty = read_image_list(R"({"images": []})", kLimit);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(ReadImageList, AnswersThatAreNotOneListAreUnexpected) {
  for (std::string_view bad :
       {"", "garbage", "<html>502 Bad Gateway</html>", "{}", "[]", "null", R"({"image": {}})",
        R"({"images": {"id": "a"}})", R"({"images": null})", R"([{"images": []}])",
        R"({"images": [], "images": []})"})
    expect_unexpected(bad);
}

TEST(ReadImageList, TruncatedAnswersAreUnexpectedWhereverTheyStop) {
  const std::string body = R"({"images": [)" + image("a") + "," + image("b") + "]}";
  for (size_t cut = 0; cut < body.size(); ++cut) expect_unexpected(body.substr(0, cut));
  EXPECT_TRUE(read_image_list(body, kLimit));
}

TEST(ReadImageList, DeepNestingIsUnexpectedWithoutExhaustingTheStack) {
  expect_unexpected(R"({"images": [)" + std::string(500000, '[') + std::string(500000, ']') + "]}",
                    8u << 20);
  expect_unexpected(R"({"images": [)" + image("a", R"(, "x": )" + std::string(40, '[')));
  expect_unexpected(std::string(100000, '{'));
}

TEST(ReadImageList, AnswersOverTheLimitAreUnexpected) {
  const std::string body = R"({"images": [)" + image("a") + "]}";
  expect_unexpected(body, body.size() - 1);
  EXPECT_TRUE(read_image_list(body, body.size()));
}

TEST(ReadImageList, ElementsThatAreNotImagesFailTheList) {
  for (std::string_view bad : {R"({"images": [7]})", R"({"images": ["a"]})", R"({"images": [[]]})",
                               R"({"images": [null]})", R"({"images": [{"name": "no id"}]})"}) {
    auto r = read_image_list(bad, kLimit);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code(), common::Errc::internal) << bad;
    EXPECT_EQ(r.error().message(), "registry returned an image without an id") << bad;
  }
  auto wrong_type = read_image_list(R"({"images": [{"id": "a", "size": "big"}]})", kLimit);
  ASSERT_FALSE(wrong_type);
  EXPECT_NE(wrong_type.error().message(), kUnexpected);
}

TEST(ReadImageList, ABadImageBeforeATruncationIsStillAnUnexpectedList) {
  // As when the whole text was parsed first: the text's fault wins over the image's.
  expect_unexpected(R"({"images": [7, )" + image("a"));
  expect_unexpected(R"({"images": [{"id": "a", "size": "big"}]}trailing)");
}

}  // namespace
}  // namespace glance::api

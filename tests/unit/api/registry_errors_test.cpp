#include "api/registry_errors.h"

#include <gtest/gtest.h>

namespace glance::api {
namespace {

using common::Errc;

TEST(RegistryErrors, ClientErrorsKeepTheirMeaning) {
  EXPECT_EQ(registry_error(400, "x").code(), Errc::bad_request);
  EXPECT_EQ(registry_error(401, "x").code(), Errc::unauthorized);
  EXPECT_EQ(registry_error(403, "x").code(), Errc::forbidden);
  EXPECT_EQ(registry_error(404, "x").code(), Errc::not_found);
  EXPECT_EQ(registry_error(409, "x").code(), Errc::conflict);
}

TEST(RegistryErrors, ServerSideFailuresAre500Except503) {
  EXPECT_EQ(registry_error(413, "x").code(), Errc::internal);
  EXPECT_EQ(registry_error(500, "x").code(), Errc::internal);
  EXPECT_EQ(registry_error(302, "x").code(), Errc::internal);
  EXPECT_EQ(registry_error(503, "x").code(), Errc::unavailable);
  EXPECT_EQ(registry_unreachable("refused").code(), Errc::unavailable);
}

TEST(RegistryErrors, KeepsOnlyTheSpecificMessage) {
  auto e = registry_error(400,
                          "400 Bad Request\n\nThe server could not comply.\n\nInvalid marker. "
                          "Image could not be found.\n");
  EXPECT_EQ(e.message(), "Invalid marker. Image could not be found.");
  auto j = registry_error(409, R"({"code": "409 Conflict", "message": "a\n\nImage exists"})");
  EXPECT_EQ(j.message(), "Image exists");
}

// The message is read after the parsed document that held it is gone; AddressSanitizer
// reports a use after free here if it is not copied out first.
TEST(RegistryErrors, MessageOfAJsonBodyOutlivesTheParsedDocument) {
  const std::string long_text(300, 'x');  // beyond any small-string buffer
  const std::string body = R"({"code": "404 Not Found", "title": "Not Found", "message": )"
                           R"("The resource could not be found.\n\nNo image found with ID )" +
                           long_text + R"(\n"})";
  auto e = registry_error(404, body);
  EXPECT_EQ(e.code(), Errc::not_found);
  EXPECT_EQ(e.message(), "No image found with ID " + long_text);
  EXPECT_EQ(registry_error(503, body).message(),
            "Registry is unavailable: No image found with ID " + long_text);
}

TEST(RegistryErrors, JsonBodiesThatAreNotDocumentsAreTakenAsText) {
  EXPECT_EQ(registry_error(400, "{not json\n\ntail").message(), "tail");
  EXPECT_EQ(registry_error(400, R"({"message": 5})").message(), R"({"message": 5})");
  const std::string deep = "{\"message\":" + std::string(100000, '[');
  EXPECT_EQ(registry_error(400, deep).message(), deep);
}

}  // namespace
}  // namespace glance::api

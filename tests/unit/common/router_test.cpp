#include "common/http/router.h"

#include <gtest/gtest.h>

namespace glance::common::http {
namespace {

Handler answering(unsigned status) {
  return [status](Request&) -> boost::asio::awaitable<Result<Response>> {
    co_return Response::empty(status);
  };
}

Request request(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

TEST(Router, LiteralSegmentsBeatParameters) {
  Router r;
  r.add("GET", "/v1/images/{id}", answering(200));
  r.add("GET", "/v1/images/detail", answering(201));
  auto req = request("GET", "/v1/images/detail");
  auto m = r.match(req, nullptr);
  ASSERT_TRUE(m);
  EXPECT_TRUE(req.path_params.empty());
  auto by_id = request("GET", "/v1/images/abc%2Fdef");
  ASSERT_TRUE(r.match(by_id, nullptr));
  EXPECT_EQ(by_id.param("id"), "abc/def");
}

TEST(Router, WrongMethodGives405WithAllow) {
  Router r;
  r.add("GET", "/v1/images", answering(200));
  r.add("POST", "/v1/images", answering(201));
  auto req = request("DELETE", "/v1/images");
  std::string allow;
  auto m = r.match(req, &allow);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code(), Errc::method_not_allowed);
  EXPECT_EQ(allow, "GET, POST");
}

TEST(Router, RegistryModeAnswers404ForWrongMethod) {
  Router r(Router::OnWrongMethod::not_found);
  r.add("GET", "/images", answering(200));
  auto req = request("PATCH", "/images");
  EXPECT_EQ(r.match(req, nullptr).error().code(), Errc::not_found);
}

TEST(Router, UnknownPathsTrailingSlashesAndSuffixesAre404) {
  Router r;
  r.add("GET", "/v1/images", answering(200));
  r.add("GET", "/v1/images/{id}", answering(200));
  for (const char* path : {"/v1/images/", "/v1/images.json", "/v2/images", "", "/v1/images/a/b"}) {
    auto req = request("GET", path);
    auto m = r.match(req, nullptr);
    ASSERT_FALSE(m) << path;
    EXPECT_EQ(m.error().code(), Errc::not_found) << path;
  }
}

TEST(Router, StarMatchesAnyMethodButExplicitRoutesWin) {
  Router r;
  r.add("*", "/shared-images/{member}", answering(200));
  r.add("PUT", "/x/{m}", answering(204));
  r.add("*", "/x/{m}", answering(405));
  auto any = request("POST", "/shared-images/t1");
  EXPECT_TRUE(r.match(any, nullptr));
  auto put = request("PUT", "/x/1");
  auto m = r.match(put, nullptr);
  ASSERT_TRUE(m);
}

TEST(Router, RefusesPathParametersThatAreNotUtf8) {
  Router r;
  r.add("GET", "/v1/images/{id}/members/{member}", answering(200));
  for (std::string bad : {"/v1/images/%FF/members/m", "/v1/images/a\xff/members/m",
                          "/v1/images/x/members/%C3", "/v1/images/%ED%A0%80/members/m"}) {
    auto req = request("GET", bad);
    auto m = r.match(req, nullptr);
    ASSERT_FALSE(m) << bad;
    EXPECT_EQ(m.error().code(), Errc::bad_request);
    EXPECT_EQ(m.error().message(), "The request path is not UTF-8.");
  }
  auto good = request("GET", "/v1/images/%C3%BC/members/%F0%9F%98%80");
  ASSERT_TRUE(r.match(good, nullptr));
  EXPECT_EQ(good.param("id"), "ü");
  EXPECT_EQ(good.param("member"), "😀");
}

}  // namespace
}  // namespace glance::common::http

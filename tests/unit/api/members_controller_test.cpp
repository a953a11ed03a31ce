// The members controller through its registry seam: what it refuses before asking the
// registry, and what it sends. No sockets.

#include "api/members_controller.h"
#include "tests/support/fake_registry_client.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace glance::api {
namespace {

namespace net = boost::asio;
using common::http::Request;
using common::http::Response;

constexpr const char* kImage = "11111111-2222-3333-4444-555555555555";

class MembersControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    common::Image img;
    img.id = kImage;
    img.owner = "tenant-a";
    registry_.put(img);
  }

  Request request(const std::string& member = "", const std::string& body = "") {
    Request req;
    req.path_params["image_id"] = kImage;
    if (!member.empty()) req.path_params["member"] = member;
    req.body = body;
    req.context.tenant = "tenant-a";
    return req;
  }

  unsigned status(MembersController::Reply (MembersController::*action)(Request&), Request& req,
                  std::string* message = nullptr) {
    net::io_context ioc;
    std::optional<common::Result<Response>> out;
    net::co_spawn(
        ioc, [&]() -> net::awaitable<void> { out = co_await (controller_.*action)(req); },
        net::detached);
    ioc.run();
    if (*out) return (*out)->status;
    if (message) *message = out->error().message();
    return common::to_http_status(out->error().code());
  }

  size_t member_count() {
    net::io_context ioc;
    size_t n = 0;
    // A named caller: g++ 12 mishandles temporaries passed to coroutines (PR 99576).
    const Caller caller;
    const std::string image = kImage;
    net::co_spawn(
        ioc,
        [&]() -> net::awaitable<void> {
          n = (co_await registry_.list_members(caller, image))->size();
        },
        net::detached);
    ioc.run();
    return n;
  }

  static common::policy::PolicyConfig no_files() {
    common::policy::PolicyConfig config;
    config.policy_file.clear();
    config.policy_dirs.clear();
    return config;
  }

  testing::FakeRegistryClient registry_;
  std::unique_ptr<common::policy::Enforcer> rules_ =
      common::policy::Enforcer::load(no_files(), builtin_policy_rules()).value();
  Authorizer auth_{*rules_};
  MembersController controller_{registry_, auth_, 2};
};

TEST_F(MembersControllerTest, ReadOnlyIs403AndNoOwnerIs401BeforeTheLookup) {
  auto req = request("tenant-b");
  req.context.read_only = true;
  std::string why;
  EXPECT_EQ(status(&MembersController::add, req, &why), 403u);
  EXPECT_EQ(why, "Read-only access");
  req = request("tenant-b");
  req.context.tenant.reset();
  req.path_params["image_id"] = "missing";
  EXPECT_EQ(status(&MembersController::add, req, &why), 401u);
  EXPECT_EQ(why, "No authenticated user");
  EXPECT_EQ(status(&MembersController::remove, req), 401u);
  req.context.is_admin = true;
  EXPECT_EQ(status(&MembersController::add, req), 404u);
  EXPECT_EQ(member_count(), 0u);
}

// The registry counts and enforces image_member_quota in the write's transaction: the api
// passes it on every member write, and nothing for a negative (unlimited) quota.
TEST_F(MembersControllerTest, MemberWritesPassTheQuotaToTheRegistry) {
  auto add = request("t1");
  EXPECT_EQ(status(&MembersController::add, add), 204u);
  auto replace = request("", R"({"memberships": [{"member_id": "t2"}]})");
  EXPECT_EQ(status(&MembersController::replace_all, replace), 204u);
  EXPECT_EQ(registry_.member_quotas(), (std::vector<std::optional<int64_t>>{2, 2}));

  MembersController unlimited(registry_, auth_, -1);
  net::io_context ioc;
  auto more = request("t3");
  net::co_spawn(
      ioc, [&]() -> net::awaitable<void> { co_await unlimited.add(more); }, net::detached);
  ioc.run();
  EXPECT_EQ(registry_.member_quotas(), (std::vector<std::optional<int64_t>>{2, 2, std::nullopt}));
}

TEST_F(MembersControllerTest, ReplaceRefusesMissingAndNonObjectBodiesAndWrapsBareOnes) {
  auto none = request();
  EXPECT_EQ(status(&MembersController::replace_all, none), 400u);
  auto array = request("", R"([{"member_id": "t1"}])");
  EXPECT_EQ(status(&MembersController::replace_all, array), 400u);
  auto too_many = request("", R"({"memberships": [{"member_id": "a"}, {"member_id": "b"},
                                                   {"member_id": "c"}]})");
  std::string why;
  EXPECT_EQ(status(&MembersController::replace_all, too_many, &why), 413u);
  EXPECT_EQ(why,
            "The limit has been exceeded on the number of allowed image members for this "
            "image. Attempted: 3, Maximum: 2");
  EXPECT_EQ(member_count(), 0u);
  EXPECT_TRUE(registry_.member_quotas().empty());  // refused before the registry was asked
  auto bare = request("", R"({"member_id": "t9"})");
  EXPECT_EQ(status(&MembersController::replace_all, bare), 204u);
  EXPECT_EQ(member_count(), 1u);
}

TEST_F(MembersControllerTest, DeletedImageIs404WithUpstreamsWords) {
  auto img = registry_.at(kImage);
  img.status = common::ImageStatus::deleted;
  img.deleted = true;
  registry_.put(img);
  auto req = request("t1");
  std::string why;
  EXPECT_EQ(status(&MembersController::add, req, &why), 404u);
  EXPECT_EQ(why, std::string("Image with identifier ") + kImage + " has been deleted.");
}

}  // namespace
}  // namespace glance::api

// Glance v2's member bodies (pure) and members controller through its registry seam: the
// refusals it gives before the registry, in upstream's order, and the policy rules. No sockets.

#include "api/v2/member_request.h"
#include "api/v2/members_controller.h"
#include "tests/support/fake_registry_client.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace glance::api::v2 {
namespace {

namespace net = boost::asio;
using common::Errc;
using common::http::Request;
using common::http::Response;

constexpr const char* kImage = "11111111-2222-3333-4444-555555555555";

TEST(V2MemberRequest, CreateBodiesAsUpstreamReadsThem) {
  EXPECT_EQ(parse_member_create(R"({"member": "t2"})").value(), "t2");
  EXPECT_EQ(parse_member_create(R"({"member": "t2", "extra": 1})").value(), "t2");
  auto refused = [](std::string_view body) {
    auto r = parse_member_create(body);
    EXPECT_FALSE(r) << body;
    if (r) return std::string();
    EXPECT_EQ(r.error().code(), Errc::bad_request) << body;
    return r.error().message();
  };
  EXPECT_EQ(refused(""), "Body expected in request.");
  EXPECT_EQ(refused("{"), "Malformed JSON in request body.");
  EXPECT_EQ(refused("7"), "Unexpected body type. Expected list/dict.");
  EXPECT_EQ(refused("[\"t2\"]"), "Expected a member in the form: {\"member\": \"image_id\"}");
  EXPECT_EQ(refused("{}"), "Member to be added not specified");
  EXPECT_EQ(refused(R"({"member": ""})"), "Member can't be empty");
  EXPECT_EQ(refused(R"({"member": false})"), "Member can't be empty");
  EXPECT_EQ(refused(R"({"member": {}})"), "Member can't be empty");
  EXPECT_EQ(refused(R"({"member": 12})"),
            "Expected a member in the form: {\"member\": \"image_id\"}");
  EXPECT_EQ(refused(R"({"member": {"a": 1}})"),
            "Expected a member in the form: {\"member\": \"image_id\"}");
  EXPECT_EQ(refused("{\"member\": \"" + std::string(256, 'm') + "\"}"),
            "Expected a member in the form: {\"member\": \"image_id\"}");
  EXPECT_TRUE(parse_member_create("{\"member\": \"" + std::string(255, 'm') + "\"}"));
}

TEST(V2MemberRequest, UpdateBodiesAndStatuses) {
  EXPECT_EQ(parse_member_update(R"({"status": "accepted"})").value(), "accepted");
  EXPECT_EQ(parse_member_update("").error().message(), "Body expected in request.");
  EXPECT_EQ(parse_member_update("[]").error().message(),
            "Expected a status in the form: {\"status\": \"status\"}");
  EXPECT_EQ(parse_member_update("{}").error().message(), "Status not specified");
  for (const char* s : {"pending", "accepted", "rejected"})
    EXPECT_EQ(common::to_string(member_status_of(nlohmann::json(s)).value()), s);
  for (const auto& bad : {nlohmann::json("Accepted"), nlohmann::json(""), nlohmann::json(1),
                          nlohmann::json(nullptr), nlohmann::json::array()}) {
    auto r = member_status_of(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message(),
              "Incorrect request: Status must be \"pending\", \"accepted\" or \"rejected\".");
  }
}

class V2MembersControllerTest : public ::testing::Test {
 protected:
  void SetUp() override { put_image("shared"); }

  void put_image(const std::string& visibility) {
    common::Image img;
    img.id = kImage;
    img.owner = "tenant-a";
    img.visibility = visibility;
    registry_.put(img);
  }

  static std::unique_ptr<common::policy::Enforcer> rules(
      std::map<std::string, std::string> overrides) {
    auto all = builtin_policy_rules();
    for (auto& [name, text] : overrides) all[name] = text;
    common::policy::PolicyConfig no_files;
    no_files.policy_file.clear();
    no_files.policy_dirs.clear();
    return common::policy::Enforcer::load(no_files, all).value();
  }

  static Request request(const std::string& tenant, const std::string& member = "",
                         const std::string& body = "") {
    Request req;
    req.path_params["image_id"] = kImage;
    if (!member.empty()) req.path_params["member"] = member;
    req.body = body;
    req.context.tenant = tenant;
    return req;
  }

  // The status (and error text) of `action` on a controller with `overrides` in force.
  std::pair<unsigned, std::string> run(
      MembersController::Reply (MembersController::*action)(Request&), Request req,
      std::map<std::string, std::string> overrides = {}) {
    auto enforcer = rules(std::move(overrides));
    Authorizer auth(*enforcer);
    MembersController controller(registry_, auth, 3);
    net::io_context ioc;
    std::optional<common::Result<Response>> out;
    net::co_spawn(
        ioc, [&]() -> net::awaitable<void> { out = co_await (controller.*action)(req); },
        net::detached);
    ioc.run();
    if (*out) {
      const auto* text = std::get_if<std::string>(&(*out)->body);
      return {(*out)->status, text ? *text : std::string()};
    }
    return {common::to_http_status(out->error().code()), out->error().message()};
  }

  testing::FakeRegistryClient registry_;
  using C = MembersController;
};

TEST_F(V2MembersControllerTest, EachRuleRefusesItsActionInUpstreamsWords) {
  const std::string id = kImage;
  ASSERT_EQ(run(&C::create, request("tenant-a", "", R"({"member": "tenant-b"})")).first, 200u);
  auto refused = run(&C::index, request("tenant-a"), {{"get_members", "!"}});
  EXPECT_EQ(refused, std::make_pair(403u, "Not allowed to list members for image " + id + "."));
  refused = run(&C::create, request("tenant-a", "", R"({"member": "t9"})"), {{"add_member", "!"}});
  EXPECT_EQ(refused, std::make_pair(403u, "Not allowed to create members for image " + id + "."));
  // show hides the refusal as 404.
  refused = run(&C::show, request("tenant-a", "tenant-b"), {{"get_member", "!"}});
  EXPECT_EQ(refused,
            std::make_pair(
                404u, "You are not authorized to lookup the members of the image " + id + "."));
  refused = run(&C::update, request("tenant-b", "tenant-b", R"({"status": "accepted"})"),
                {{"modify_member", "!"}});
  EXPECT_EQ(refused, std::make_pair(403u, "Not allowed to update members for image " + id + "."));
  refused = run(&C::destroy, request("tenant-a", "tenant-b"), {{"delete_member", "!"}});
  EXPECT_EQ(refused, std::make_pair(403u, "Not allowed to delete members for image " + id + "."));
  // With the rules passing, the same calls go through.
  EXPECT_EQ(run(&C::index, request("tenant-a")).first, 200u);
  EXPECT_EQ(run(&C::update, request("tenant-b", "tenant-b", R"({"status": "accepted"})")).first,
            200u);
  EXPECT_EQ(run(&C::destroy, request("tenant-a", "tenant-b")).first, 204u);
}

TEST_F(V2MembersControllerTest, BodyComesBeforeReadOnlyWhichComesBeforeTheImage) {
  auto req = request("tenant-a", "", "{}");
  req.context.read_only = true;
  EXPECT_EQ(run(&C::create, req).second, "Member to be added not specified");
  req.body = R"({"member": "t2"})";
  EXPECT_EQ(run(&C::create, req), std::make_pair(403u, std::string("Read-only access")));
  req.context.read_only = false;
  req.path_params["image_id"] = "missing";
  EXPECT_EQ(run(&C::create, req), std::make_pair(404u, std::string("Image missing not found.")));
}

TEST_F(V2MembersControllerTest, QuotaAndDuplicatesAreTheRegistrysToJudge) {
  ASSERT_EQ(run(&C::create, request("tenant-a", "", R"({"member": "t2"})")).first, 200u);
  EXPECT_EQ(registry_.member_quotas().back(), std::optional<int64_t>(3));
  auto dup = run(&C::create, request("tenant-a", "", R"({"member": "t2"})"));
  EXPECT_EQ(dup, std::make_pair(409u, "Member t2 is duplicated for image " + std::string(kImage)));
}

TEST_F(V2MembersControllerTest, OnlySharedImagesHaveMembers) {
  // A member added while the image was shared stays in the registry, but no route reaches it
  // once the image is private, public or community: not even the owner's or an admin's.
  ASSERT_EQ(run(&C::create, request("tenant-a", "", R"({"member": "t2"})")).first, 200u);
  const std::string words = "Error fetching members of image " + std::string(kImage) +
                            ": Only shared images have members.";
  for (const char* visibility : {"private", "public", "community"}) {
    put_image(visibility);
    for (bool admin : {false, true}) {
      auto as = [admin](Request req) {
        req.context.is_admin = admin;
        return req;
      };
      EXPECT_EQ(run(&C::index, as(request("tenant-a"))), std::make_pair(403u, words)) << visibility;
      EXPECT_EQ(run(&C::create, as(request("tenant-a", "", R"({"member": "t3"})"))),
                std::make_pair(403u, words))
          << visibility;
      EXPECT_EQ(run(&C::show, as(request("tenant-a", "t2"))), std::make_pair(404u, words))
          << visibility;
      EXPECT_EQ(run(&C::update, as(request("t2", "t2", R"({"status": "accepted"})"))),
                std::make_pair(403u, words))
          << visibility;
      EXPECT_EQ(run(&C::destroy, as(request("tenant-a", "t2"))), std::make_pair(403u, words))
          << visibility;
    }
  }
  put_image("shared");
  auto listed = run(&C::index, request("tenant-a"));
  EXPECT_EQ(listed.first, 200u);
  EXPECT_NE(listed.second.find("\"member_id\":\"t2\""), std::string::npos) << listed.second;
  EXPECT_EQ(listed.second.find("t3"), std::string::npos) << listed.second;
}

}  // namespace
}  // namespace glance::api::v2

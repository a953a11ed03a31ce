#include "api/authorizer.h"

#include <gtest/gtest.h>

namespace glance::api {
namespace {

using common::Errc;
using common::RequestContext;

class AuthorizerTest : public ::testing::Test {
 protected:
  // The built-in rules with `overrides` on top, as a policy file would lay them.
  static std::unique_ptr<common::policy::Enforcer> rules(
      std::map<std::string, std::string> overrides = {}) {
    auto all = builtin_policy_rules();
    for (auto& [name, text] : overrides) all[name] = text;
    common::policy::PolicyConfig no_files;
    no_files.policy_file.clear();
    no_files.policy_dirs.clear();
    return common::policy::Enforcer::load(no_files, all).value();
  }
  static RequestContext member(std::string tenant = "t1") {
    RequestContext ctx;
    ctx.tenant = std::move(tenant);
    ctx.user_id = "u1";
    ctx.roles = {"member"};
    return ctx;
  }
};

TEST_F(AuthorizerTest, BuiltInRulesAdmitUsersAndKeepAdminRulesForAdmins) {
  auto r = rules();
  Authorizer auth(*r);
  for (auto action :
       {Action::get_images, Action::get_image, Action::download_image, Action::add_image,
        Action::modify_image, Action::delete_image, Action::copy_from, Action::upload_image,
        Action::get_members, Action::modify_member, Action::delete_member})
    EXPECT_TRUE(auth.authorize(member(), action)) << rule_name(action);
  for (auto action :
       {Action::publicize_image, Action::set_image_location, Action::get_image_location,
        Action::delete_image_location, Action::manage_image_cache})
    EXPECT_FALSE(auth.authorize(member(), action)) << rule_name(action);
  RequestContext unauthenticated;  // no auth flavor: admin without roles
  unauthenticated.is_admin = true;
  EXPECT_TRUE(auth.authorize(unauthenticated, Action::publicize_image));
  EXPECT_TRUE(auth.authorize(unauthenticated, Action::set_image_location));
  EXPECT_FALSE(auth.authorize(unauthenticated, Action::manage_image_cache));  // role:admin
}

TEST_F(AuthorizerTest, APolicyRefusalIsTheBare403) {
  auto r = rules({{"get_images", "!"}});
  auto refused = Authorizer(*r).authorize(member(), Action::get_images);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), Errc::forbidden);
  EXPECT_EQ(refused.error().message(), "");
}

TEST_F(AuthorizerTest, ImageWritesAskTheRulesOfWhatTheyCarry) {
  auto r = rules({{"upload_image", "!"}, {"publicize_image", "@"}});
  Authorizer auth(*r);
  ImageHeaderRequest meta;
  EXPECT_TRUE(auth.authorize_image_write(member(), Action::add_image, meta, false));
  EXPECT_FALSE(auth.authorize_image_write(member(), Action::add_image, meta, true));
  meta.copy_from = "http://example.com/x";
  EXPECT_FALSE(auth.authorize_image_write(member(), Action::modify_image, meta, false));
  meta.copy_from.reset();
  meta.fields.is_public = true;
  EXPECT_TRUE(auth.authorize_image_write(member(), Action::add_image, meta, false));

  auto strict = rules({{"modify_image", "!"}, {"publicize_image", "!"}, {"copy_from", "!"}});
  Authorizer deny(*strict);
  meta.fields.is_public = false;  // setting it false publicizes nothing
  EXPECT_TRUE(deny.authorize_image_write(member(), Action::add_image, meta, false));
  meta.fields.is_public = true;
  EXPECT_FALSE(deny.authorize_image_write(member(), Action::add_image, meta, false));
  EXPECT_FALSE(deny.authorize_image_write(member(), Action::modify_image, {}, false));
  ImageHeaderRequest copy;
  copy.copy_from = "http://example.com/x";
  EXPECT_FALSE(deny.authorize_image_write(member(), Action::add_image, copy, false));
}

TEST_F(AuthorizerTest, ReadOnlyAndOwnerlessCallersAreRefusedBeforeAnyRule) {
  auto r = rules({{"add_image", "@"}, {"modify_member", "@"}, {"delete_member", "!"}});
  Authorizer auth(*r);
  auto anonymous = member();
  anonymous.read_only = true;
  auto e = auth.authorize_image_write(anonymous, Action::add_image, {}, false);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message(), "Read-only access");
  EXPECT_EQ(auth.authorize_member_change(anonymous, Action::modify_member).error().message(),
            "Read-only access");
  RequestContext ownerless = member();
  ownerless.tenant.reset();
  auto unowned = auth.authorize_member_change(ownerless, Action::delete_member);
  ASSERT_FALSE(unowned);
  EXPECT_EQ(unowned.error().code(), Errc::unauthorized);
  ownerless.is_admin = true;
  EXPECT_EQ(auth.authorize_member_change(ownerless, Action::delete_member).error().code(),
            Errc::forbidden);
  EXPECT_TRUE(auth.authorize_member_change(member(), Action::modify_member));
}

TEST_F(AuthorizerTest, TheDownloadTargetIsTheImageWithPropertiesThatDoNotShadowFields) {
  common::Image image;
  image.id = "i1";
  image.owner = "t1";
  image.size = 42;
  image.is_public = true;
  image.properties = {{"owner", "someone-else"}, {"billing", "b7"}, {"unset", std::nullopt}};
  auto target = Authorizer::image_target(image);
  EXPECT_EQ(target["owner"], "t1");
  EXPECT_EQ(target["billing"], "b7");
  EXPECT_EQ(target["size"], "42");
  EXPECT_EQ(target["is_public"], "True");
  EXPECT_EQ(target["protected"], "False");
  EXPECT_EQ(target["status"], "queued");
  EXPECT_FALSE(target.contains("unset"));
  EXPECT_FALSE(target.contains("name"));  // null fields are left out

  auto r = rules({{"download_image", "project_id:%(owner)s"}});
  Authorizer auth(*r);
  EXPECT_TRUE(auth.authorize(member("t1"), Action::download_image, target));
  EXPECT_FALSE(auth.authorize(member("t2"), Action::download_image, target));
  image.owner.reset();
  EXPECT_FALSE(
      auth.authorize(member("t1"), Action::download_image, Authorizer::image_target(image)));
}

TEST_F(AuthorizerTest, V2CreateChecksOwnerThenRulesOfTheVisibility) {
  auto r = rules({{"communitize_image", "!"}});
  Authorizer auth(*r);
  common::ImageFields fields;
  fields.visibility = "private";
  EXPECT_TRUE(auth.authorize_v2_create(member(), fields));
  fields.owner = std::optional<std::string>("t2");
  auto other = auth.authorize_v2_create(member(), fields);
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message(), "You are not permitted to create images owned by 't2'.");
  fields.owner.reset();
  fields.visibility = "public";
  EXPECT_FALSE(auth.authorize_v2_create(member(), fields));  // publicize_image: admins
  fields.visibility = "community";
  auto community = auth.authorize_v2_create(member(), fields);
  ASSERT_FALSE(community);
  EXPECT_EQ(community.error().message(), "");
  RequestContext anonymous;
  fields.visibility = "shared";
  EXPECT_FALSE(auth.authorize_v2_create(anonymous, fields));
}

TEST_F(AuthorizerTest, V2DeleteNeedsTheImageToBeTheCallers) {
  auto r = rules();
  Authorizer auth(*r);
  common::Image image;
  image.id = "i";
  image.owner = "t1";
  EXPECT_TRUE(auth.authorize_v2_delete(member("t1"), image));
  auto foreign = auth.authorize_v2_delete(member("t2"), image);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().message(), "You are not permitted to delete this image.");
}

TEST_F(AuthorizerTest, V2UploadNeedsTheImageToBeTheCallersThenUploadImage) {
  auto r = rules({{"upload_image", "role:uploader"}});
  Authorizer auth(*r);
  common::Image image;
  image.id = "i";
  image.owner = "t1";
  auto foreign = auth.authorize_v2_upload(member("t2"), image);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().message(), "You are not permitted to upload data for this image.");
  auto refused = auth.authorize_v2_upload(member("t1"), image);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message(), "");  // the policy's bare 403
  auto uploader = member("t1");
  uploader.roles.push_back("uploader");
  EXPECT_TRUE(auth.authorize_v2_upload(uploader, image));
}

TEST_F(AuthorizerTest, V2ChangesAskOwnershipFirstThenTheRule) {
  auto r = rules();
  Authorizer auth(*r);
  common::Image image;
  image.id = "i1";
  image.owner = "t1";
  // Deactivate and reactivate are administrators' by default, even for the owner.
  for (auto action : {Action::deactivate, Action::reactivate}) {
    auto refused = auth.authorize_v2_change(member(), image, action, "not yours");
    ASSERT_FALSE(refused) << rule_name(action);
    EXPECT_EQ(refused.error().message(), "") << rule_name(action);
    RequestContext admin = member("t9");
    admin.roles = {"admin"};
    admin.is_admin = true;
    EXPECT_TRUE(auth.authorize_v2_change(admin, image, action, "not yours")) << rule_name(action);
  }
  EXPECT_TRUE(auth.authorize_v2_change(member(), image, Action::modify_image, "not yours"));
  // Another tenant is refused for ownership before any rule is asked.
  auto other = auth.authorize_v2_change(member("t2"), image, Action::modify_image, "not yours");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().message(), "not yours");
  // An ownerless image is nobody's but the admins'.
  image.owner.reset();
  EXPECT_FALSE(auth.authorize_v2_change(member(), image, Action::modify_image, "not yours"));
  auto open = rules({{"deactivate", ""}});
  image.owner = "t1";
  EXPECT_TRUE(Authorizer(*open).authorize_v2_change(member(), image, Action::deactivate, "x"));
}

TEST_F(AuthorizerTest, OnlySharedImagesTakeMembers) {
  common::Image image;
  image.id = "i";
  image.visibility = "shared";
  EXPECT_TRUE(Authorizer::check_takes_members(image));
  for (const char* visibility : {"private", "public", "community", "", "Shared"}) {
    image.visibility = visibility;
    auto refused = Authorizer::check_takes_members(image);
    ASSERT_FALSE(refused) << visibility;
    EXPECT_EQ(refused.error().code(), common::Errc::forbidden);
    EXPECT_EQ(refused.error().message(),
              "Error fetching members of image i: Only shared images have members.");
  }
}

}  // namespace
}  // namespace glance::api

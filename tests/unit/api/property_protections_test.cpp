#include "api/property_protections.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace glance::api {
namespace {

using common::Errc;
using common::Image;
using common::ImageProperties;
using common::RequestContext;
using Op = PropertyOperation;

// Upstream's sample, in roles format.
constexpr const char* kRoles =
    "[^x_owner_.*]\ncreate = admin,member\nread = admin,member\nupdate = admin,member\n"
    "delete = admin,member\n"
    "[^x_readonly_.*]\ncreate = admin\nread = admin,member\nupdate = admin\ndelete = admin\n"
    "[^x_hidden_.*]\ncreate = admin\nread = admin\nupdate = admin\ndelete = admin\n"
    "[^x_none_.*]\ncreate = !\nread = !\nupdate = !\ndelete = !\n"
    "[^x_keep_.*]\ncreate = member\nread = member\nupdate = member\ndelete = !\n"
    "[^x_open$]\ncreate = @\nread = @\nupdate = @\ndelete = @\n";

constexpr const char* kPolicies =
    "[^x_owner_.*]\ncreate = glance_creator\nread = glance_creator\nupdate = glance_creator\n"
    "delete = glance_creator\n"
    "[.*]\ncreate = @\nread = @\nupdate = !\ndelete = !\n";

class PropertyProtectionsTest : public ::testing::Test {
 protected:
  PropertyProtectionsTest() {
    auto all = builtin_policy_rules();
    all["glance_creator"] = "role:admin or role:spl_role";
    common::policy::PolicyConfig no_files;
    no_files.policy_file.clear();
    no_files.policy_dirs.clear();
    enforcer_ = common::policy::Enforcer::load(no_files, all).value();
    auth_ = std::make_unique<Authorizer>(*enforcer_);
  }
  PropertyProtections make(const char* text,
                           PropertyRuleFormat format = PropertyRuleFormat::roles) {
    return PropertyProtections(PropertyProtectionFile::parse(text, format).value(), *auth_);
  }
  static RequestContext as(std::vector<std::string> roles) {
    RequestContext ctx;
    ctx.tenant = "t1";
    ctx.user_id = "u1";
    ctx.roles = std::move(roles);
    return ctx;
  }
  static Image image_with(ImageProperties props) {
    Image image;
    image.id = "i1";
    image.properties = std::move(props);
    return image;
  }

  std::unique_ptr<common::policy::Enforcer> enforcer_;
  std::unique_ptr<Authorizer> auth_;
};

TEST_F(PropertyProtectionsTest, RolesDecideEachOperation) {
  auto p = make(kRoles);
  auto member = as({"member"});
  auto admin = as({"admin"});
  auto other = as({"reader"});
  EXPECT_TRUE(p.allows(member, "x_owner_a", Op::create));
  EXPECT_FALSE(p.allows(other, "x_owner_a", Op::read));
  EXPECT_TRUE(p.allows(member, "x_readonly_a", Op::read));
  EXPECT_FALSE(p.allows(member, "x_readonly_a", Op::update));
  EXPECT_TRUE(p.allows(admin, "x_readonly_a", Op::update));
  EXPECT_FALSE(p.allows(admin, "x_none_a", Op::read));  // '!' is no one, admins included
  EXPECT_TRUE(p.allows(other, "x_open", Op::remove));   // '@' is everyone
  // A property no section matches is closed to all, as upstream's.
  EXPECT_FALSE(p.allows(admin, "unlisted", Op::read));
  EXPECT_FALSE(p.allows(admin, "x_open_not", Op::create));
}

TEST_F(PropertyProtectionsTest, FileRolesIgnoreCaseAgainstLowerCasedContextRoles) {
  auto p = make("[.*]\ncreate = ADMIN\nread = Member\nupdate = @\ndelete = !\n");
  EXPECT_TRUE(p.allows(as({"admin"}), "k", Op::create));
  EXPECT_TRUE(p.allows(as({"member"}), "k", Op::read));
  EXPECT_FALSE(p.allows(as({"member"}), "k", Op::create));
}

TEST_F(PropertyProtectionsTest, ServiceRolesCountInRolesFormat) {
  auto p = make("[.*]\ncreate = service\nread = @\nupdate = @\ndelete = @\n");
  auto ctx = as({"member"});
  EXPECT_FALSE(p.allows(ctx, "k", Op::create));
  ctx.service_roles = {"service"};
  EXPECT_TRUE(p.allows(ctx, "k", Op::create));
}

TEST_F(PropertyProtectionsTest, PoliciesAskThePolicyEngine) {
  auto p = make(kPolicies, PropertyRuleFormat::policies);
  EXPECT_TRUE(p.allows(as({"spl_role"}), "x_owner_a", Op::create));
  EXPECT_TRUE(p.allows(as({"admin"}), "x_owner_a", Op::remove));
  EXPECT_FALSE(p.allows(as({"member"}), "x_owner_a", Op::read));
  EXPECT_TRUE(p.allows(as({"member"}), "other", Op::read));
  EXPECT_FALSE(p.allows(as({"admin"}), "other", Op::update));
}

TEST_F(PropertyProtectionsTest, CreateNeedsCreateForEveryProperty) {
  auto p = make(kRoles);
  EXPECT_TRUE(p.check_create(as({"member"}), {{"x_owner_a", "1"}, {"x_open", "2"}}));
  auto r = p.check_create(as({"member"}), {{"x_owner_a", "1"}, {"x_readonly_b", "2"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), Errc::forbidden);
  EXPECT_EQ(r.error().message(), "Property 'x_readonly_b' is protected");
}

TEST_F(PropertyProtectionsTest, UpdateAllowsAnUnchangedValueOnlyToReaders) {
  auto p = make(kRoles);
  auto current = image_with({{"x_readonly_a", "1"}, {"x_hidden_a", "secret"}});
  ImageProperties same{{"x_readonly_a", "1"}};
  EXPECT_TRUE(p.check_update(as({"member"}), same, current, false));
  ImageProperties changed{{"x_readonly_a", "2"}};
  auto r = p.check_update(as({"member"}), changed, current, false);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "Property 'x_readonly_a' is protected");
  // Guessing a hidden value right is still refused: read comes first.
  ImageProperties guess{{"x_hidden_a", "secret"}};
  EXPECT_FALSE(p.check_update(as({"member"}), guess, current, false));
  ImageProperties add{{"x_hidden_b", "new"}};
  EXPECT_FALSE(p.check_update(as({"member"}), add, current, false));
}

TEST_F(PropertyProtectionsTest, PurgeKeepsWhatTheCallerCannotReadAndRefusesWhatItMayNotDelete) {
  auto p = make(kRoles);
  auto current = image_with({{"x_owner_a", "1"}, {"x_hidden_a", "secret"}, {"x_keep_a", "k"}});
  ImageProperties given{{"x_keep_a", "k"}};
  ASSERT_TRUE(p.check_update(as({"member"}), given, current, true));
  // x_owner_a may go; x_hidden_a is put back unseen.
  EXPECT_EQ(given, (ImageProperties{{"x_hidden_a", "secret"}, {"x_keep_a", "k"}}));

  ImageProperties without_keep{{"x_owner_a", "1"}};
  auto r = p.check_update(as({"member"}), without_keep, current, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "Property 'x_keep_a' is protected");
  // Without purge, leaving properties out removes nothing, so nothing is asked.
  ImageProperties none;
  EXPECT_TRUE(p.check_update(as({"member"}), none, current, false));
  EXPECT_TRUE(none.empty());
}

TEST_F(PropertyProtectionsTest, HideUnreadableDropsOnlyThose) {
  auto p = make(kRoles);
  auto image = image_with({{"x_owner_a", "1"}, {"x_hidden_a", "s"}, {"unlisted", "u"}});
  p.hide_unreadable(as({"member"}), image);
  EXPECT_EQ(image.properties, (ImageProperties{{"x_owner_a", "1"}}));
}

TEST_F(PropertyProtectionsTest, AFileWithoutSectionsOpensEveryProperty) {
  // Upstream's rule: no section at all protects nothing; one section closes what it misses.
  auto p = make("# nothing\n");
  EXPECT_TRUE(p.allows(as({"member"}), "anything", Op::remove));
}

class LoadPropertyProtections : public PropertyProtectionsTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("glance-prop-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::vector<std::string> load(PropertyProtectionConfig config,
                                std::unique_ptr<PropertyProtections>* out = nullptr) {
    auto file = common::ConfigFile::from_string("");
    auto loaded = load_property_protections(config, {dir_.string()}, *auth_, file);
    if (!config.file.empty()) EXPECT_EQ(loaded == nullptr, !file.errors().empty());
    if (out) *out = std::move(loaded);
    return file.errors();
  }
  std::filesystem::path dir_;
};

TEST_F(LoadPropertyProtections, NoFileMeansNoProtections) {
  std::unique_ptr<PropertyProtections> p;
  EXPECT_TRUE(load({}, &p).empty());
  EXPECT_EQ(p, nullptr);
}

TEST_F(LoadPropertyProtections, ARelativePathIsLookedUpInTheSearchDirectories) {
  write("prop.conf", kRoles);
  std::unique_ptr<PropertyProtections> p;
  EXPECT_TRUE(load({"prop.conf", PropertyRuleFormat::roles}, &p).empty());
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->allows(as({"member"}), "x_owner_a", Op::create));
}

TEST_F(LoadPropertyProtections, FaultsAreConfigurationErrorsNamingTheOption) {
  write("bad.conf", "[p]\ncreate = @\n");
  write("rules.conf", "[p]\ncreate = no_such_rule\nread = @\nupdate = @\ndelete = @\n");
  std::filesystem::create_directories(dir_ / "adir");
  struct Case {
    PropertyProtectionConfig config;
    std::string expected;
  };
  for (const auto& c : std::vector<Case>{
           {{"missing.conf"}, "missing.conf: not found"},
           {{(dir_ / "missing.conf").string()}, "not found or not a regular file"},
           {{(dir_ / "adir").string()}, "not found or not a regular file"},
           {{"bad.conf"}, "section [p] on line 1 has no read"},
           {{"rules.conf", PropertyRuleFormat::policies},
            "[p] create: no policy rule named \"no_such_rule\""},
       }) {
    auto errors = load(c.config);
    ASSERT_EQ(errors.size(), 1u) << c.expected;
    EXPECT_NE(errors[0].find("property_protection_file"), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find(c.expected), std::string::npos) << errors[0];
  }
  // The same rule file is fine in roles format, where the value is a role.
  EXPECT_TRUE(load({"rules.conf", PropertyRuleFormat::roles}).empty());
}

// The shipped samples load with the built-in policy and say what their comments say.
TEST_F(LoadPropertyProtections, ShippedSamplesLoadAndMeanWhatTheySay) {
  const std::string etc = std::string(GLANCE_SOURCE_DIR) + "/etc/";
  std::unique_ptr<PropertyProtections> roles, policies;
  EXPECT_TRUE(load({etc + "property-protections-roles.conf.sample"}, &roles).empty());
  EXPECT_TRUE(
      load({etc + "property-protections-policies.conf.sample", PropertyRuleFormat::policies},
           &policies)
          .empty());
  ASSERT_TRUE(roles && policies);
  EXPECT_TRUE(roles->allows(as({"member"}), "x_owner_os", Op::remove));
  EXPECT_FALSE(roles->allows(as({"member"}), "x_internal_note", Op::read));
  EXPECT_FALSE(roles->allows(as({"admin"}), "x_frozen_a", Op::create));
  EXPECT_TRUE(roles->allows(as({"anyone"}), "os_distro", Op::update));
  EXPECT_FALSE(policies->allows(as({"member"}), "x_internal_note", Op::read));
  EXPECT_TRUE(policies->allows(as({"admin"}), "x_internal_note", Op::read));
  EXPECT_FALSE(policies->allows(as({"admin"}), "x_billing_code_a", Op::remove));
  EXPECT_TRUE(policies->allows(as({"member"}), "os_distro", Op::read));
  EXPECT_FALSE(policies->allows(as({"member"}), "os_distro", Op::create));
}

}  // namespace
}  // namespace glance::api

#include "api/authorizer.h"

#include "common/request_credentials.h"

#include <spdlog/spdlog.h>

namespace glance::api {

using common::Error;
using common::Result;

std::string_view rule_name(Action action) {
  switch (action) {
    case Action::get_images:
      return "get_images";
    case Action::get_image:
      return "get_image";
    case Action::download_image:
      return "download_image";
    case Action::add_image:
      return "add_image";
    case Action::modify_image:
      return "modify_image";
    case Action::publicize_image:
      return "publicize_image";
    case Action::copy_from:
      return "copy_from";
    case Action::upload_image:
      return "upload_image";
    case Action::delete_image:
      return "delete_image";
    case Action::set_image_location:
      return "set_image_location";
    case Action::get_image_location:
      return "get_image_location";
    case Action::delete_image_location:
      return "delete_image_location";
    case Action::get_members:
      return "get_members";
    case Action::get_member:
      return "get_member";
    case Action::add_member:
      return "add_member";
    case Action::modify_member:
      return "modify_member";
    case Action::delete_member:
      return "delete_member";
    case Action::manage_image_cache:
      return "manage_image_cache";
    case Action::communitize_image:
      return "communitize_image";
    case Action::deactivate:
      return "deactivate";
    case Action::reactivate:
      return "reactivate";
  }
  return "default";
}

std::map<std::string, std::string> builtin_policy_rules() {
  // Upstream's role:admin keeps its meaning; is_admin:True adds the contexts this api has
  // always treated as admin (no auth flavor, or a custom admin_role).
  const std::string admin = "role:admin or is_admin:True";
  return {
      {"context_is_admin", "role:admin"},
      {"default", "role:admin"},
      {"get_images", ""},
      {"get_image", ""},
      {"download_image", ""},
      {"add_image", ""},
      {"modify_image", ""},
      {"publicize_image", admin},
      {"copy_from", ""},
      {"upload_image", ""},
      {"delete_image", ""},
      {"set_image_location", admin},
      {"get_image_location", admin},
      {"delete_image_location", admin},
      {"get_members", ""},
      {"get_member", ""},
      {"add_member", ""},
      {"modify_member", ""},
      {"delete_member", ""},
      {"manage_image_cache", "role:admin"},
      {"communitize_image", ""},
      // Upstream's in-code default ("rule:default", and its api-ref: administrators only);
      // the policy.json it shipped said "".
      {"deactivate", admin},
      {"reactivate", admin},
  };
}

Result<void> Authorizer::authorize(const common::RequestContext& ctx, Action action,
                                   const common::policy::Values& target) const {
  if (rules_.allows(rule_name(action), common::credentials_of(ctx), target)) return {};
  spdlog::debug("policy refuses {} to user {} of project {}", rule_name(action),
                ctx.user_id.value_or("-"), ctx.tenant.value_or("-"));
  return Error::forbidden("");
}

bool Authorizer::passes(const common::RequestContext& ctx, std::string_view rule) const {
  return rules_.allows(rule, common::credentials_of(ctx), {});
}

bool Authorizer::defines(std::string_view rule) const {
  return rules_.rules()->rules().contains(rule);
}

Result<void> Authorizer::check_writable(const common::RequestContext& ctx) {
  if (ctx.read_only) return Error::forbidden("Read-only access");
  return {};
}

Result<void> Authorizer::check_takes_members(const common::Image& image) {
  if (image.visibility == "shared") return {};
  return Error::forbidden("Error fetching members of image " + image.id +
                          ": Only shared images have members.");
}

Result<void> Authorizer::authorize_image_write(const common::RequestContext& ctx, Action action,
                                               const ImageHeaderRequest& meta,
                                               bool has_data) const {
  if (auto r = check_writable(ctx); !r) return r;
  if (auto r = authorize(ctx, action); !r) return r;
  if (meta.fields.is_public.value_or(false))
    if (auto r = authorize(ctx, Action::publicize_image); !r) return r;
  if (meta.copy_from)
    if (auto r = authorize(ctx, Action::copy_from); !r) return r;
  if (has_data || meta.copy_from)
    if (auto r = authorize(ctx, Action::upload_image); !r) return r;
  return {};
}

Result<void> Authorizer::authorize_location(const common::RequestContext& ctx,
                                            const ImageHeaderRequest& meta) const {
  if (!meta.location) return {};
  return authorize(ctx, Action::set_image_location);
}

Result<void> Authorizer::authorize_member_change(const common::RequestContext& ctx,
                                                 Action action) const {
  if (auto r = check_writable(ctx); !r) return r;
  if (!ctx.owner() && !ctx.is_admin) return Error::unauthorized("No authenticated user");
  return authorize(ctx, action);
}

Result<void> Authorizer::authorize_v2_create(const common::RequestContext& ctx,
                                             const common::ImageFields& fields) const {
  if (auto r = check_writable(ctx); !r) return r;
  if (!ctx.is_admin) {
    // An owner left out means the caller's project (upstream's owner=context.owner).
    std::optional<std::string> owner = fields.owner ? *fields.owner : ctx.owner();
    if (!owner || owner != ctx.owner())
      return Error::forbidden("You are not permitted to create images owned by '" +
                              owner.value_or("None") + "'.");
  }
  if (auto r = authorize(ctx, Action::add_image); !r) return r;
  if (fields.visibility == "public")
    if (auto r = authorize(ctx, Action::publicize_image); !r) return r;
  if (fields.visibility == "community")
    if (auto r = authorize(ctx, Action::communitize_image); !r) return r;
  return {};
}

namespace {
// Upstream v2's is_image_mutable: admins change every image, others their project's only.
bool mutable_by(const common::RequestContext& ctx, const common::Image& image) {
  return ctx.is_admin || (image.owner && ctx.owner() && *image.owner == *ctx.owner());
}
}  // namespace

bool Authorizer::may_modify(const common::RequestContext& ctx, const common::Image& image) {
  return mutable_by(ctx, image);
}

Result<void> Authorizer::authorize_v2_delete(const common::RequestContext& ctx,
                                             const common::Image& image) const {
  if (auto r = check_writable(ctx); !r) return r;
  if (!mutable_by(ctx, image))
    return Error::forbidden("You are not permitted to delete this image.");
  return authorize(ctx, Action::delete_image, image_target(image));
}

Result<void> Authorizer::authorize_v2_upload(const common::RequestContext& ctx,
                                             const common::Image& image) const {
  if (auto r = check_writable(ctx); !r) return r;
  if (!mutable_by(ctx, image))
    return Error::forbidden("You are not permitted to upload data for this image.");
  return authorize(ctx, Action::upload_image);
}

Result<void> Authorizer::authorize_v2_change(const common::RequestContext& ctx,
                                             const common::Image& image, Action action,
                                             std::string_view immutable_message) const {
  if (auto r = check_writable(ctx); !r) return r;
  if (!mutable_by(ctx, image)) return Error::forbidden(std::string(immutable_message));
  return authorize(ctx, action, image_target(image));
}

common::policy::Values Authorizer::image_target(const common::Image& image) {
  common::policy::Values v;
  auto text = [&v](const char* key, const std::optional<std::string>& value) {
    if (value) v[key] = *value;
  };
  auto number = [&v](const char* key, std::optional<int64_t> value) {
    if (value) v[key] = std::to_string(*value);
  };
  auto flag = [&v](const char* key, bool value) { v[key] = value ? "True" : "False"; };
  v["id"] = image.id;
  text("name", image.name);
  number("size", image.size);
  number("virtual_size", image.virtual_size);
  text("disk_format", image.disk_format);
  text("container_format", image.container_format);
  v["status"] = std::string(to_string(image.status));
  text("checksum", image.checksum);
  text("owner", image.owner);
  number("min_disk", image.min_disk);
  number("min_ram", image.min_ram);
  flag("is_public", image.is_public);
  flag("protected", image.is_protected);
  flag("deleted", image.deleted);
  v["created_at"] = image.created_at;
  text("updated_at", image.updated_at);
  text("deleted_at", image.deleted_at);
  for (const auto& [key, value] : image.properties)
    if (value && !v.contains(key)) v[key] = *value;
  return v;
}

}  // namespace glance::api

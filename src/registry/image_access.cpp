#include "registry/image_access.h"

namespace glance::registry {

using common::Error;

namespace {
bool owned_by_caller(const common::RequestContext& ctx, const common::Image& image) {
  return ctx.owner() && image.owner && *ctx.owner() == *image.owner;
}

bool visible_without_membership(const common::RequestContext& ctx, const common::Image& image) {
  if (ctx.is_admin) return true;
  if (image.deleted) return false;
  // Quirk kept from upstream: an image with no owner can be fetched by id by everybody.
  if (!image.owner) return true;
  if (image.visibility == "public" || image.visibility == "community") return true;
  return owned_by_caller(ctx, image);
}
}  // namespace

bool needs_membership(const common::RequestContext& ctx, const common::Image& image) {
  return !visible_without_membership(ctx, image) && !image.deleted &&
         image.visibility == "shared" && ctx.owner().has_value();
}

bool is_visible(const common::RequestContext& ctx, const common::Image& image, bool is_member) {
  return visible_without_membership(ctx, image) || (needs_membership(ctx, image) && is_member);
}

common::Result<void> check_can_modify(const common::RequestContext& ctx,
                                      const common::Image& image) {
  if (ctx.is_admin || owned_by_caller(ctx, image)) return {};
  if (image.visibility == "public") return Error::forbidden("You do not own this image.");
  // A member (or anyone who can see an ownerless image) may not change it; saying so would
  // leak nothing, but upstream's registry answers 404 here and clients expect it.
  return Error::not_found("Image not found");
}

}  // namespace glance::registry

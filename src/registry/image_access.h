#pragma once

#include "common/error.h"
#include "common/image.h"
#include "common/request_context.h"

namespace glance::registry {

using common::Error;
using common::Result;

// Glance's visibility rule for one image. `is_member` says whether the caller's
// owner id has a live membership of the image; ask for it only when needs_membership() says so.
bool is_visible(const common::RequestContext& ctx, const common::Image& image, bool is_member);
bool needs_membership(const common::RequestContext& ctx, const common::Image& image);

// May the caller change or delete this (visible) image? Admins and owners may. Otherwise a
// public image answers forbidden and any other not_found ("Image not found"), as the
// registry does.
common::Result<void> check_can_modify(const common::RequestContext& ctx,
                                      const common::Image& image);

}  // namespace glance::registry

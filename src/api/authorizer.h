#pragma once

#include "api/image_headers.h"
#include "common/error.h"
#include "common/image.h"
#include "common/policy/enforcer.h"
#include "common/request_context.h"

#include <map>
#include <string>
#include <string_view>

namespace glance::api {

// The policy rules the v1 and v2 apis are written against (v2 uses the same names where
// upstream's v2 does; communitize_image is v2's alone).
enum class Action {
  get_images,
  get_image,
  download_image,
  add_image,
  modify_image,
  publicize_image,
  copy_from,
  upload_image,
  delete_image,
  set_image_location,
  get_image_location,
  delete_image_location,
  get_members,
  get_member,
  add_member,
  modify_member,
  delete_member,
  manage_image_cache,
  communitize_image,
  deactivate,
  reactivate,
};

std::string_view rule_name(Action action);

// The rules in force where no policy file names them: upstream's shipped policy, except
// that the location rules (and publicize_image) also pass for any admin context, the
// unauthenticated one included, as this api always allowed, and the location rules admit
// only admins.
std::map<std::string, std::string> builtin_policy_rules();

// The one place the api decides who may do what. Read-only contexts and callers without an
// owner are refused here; every other decision is a policy rule. A policy refusal is the bare
// 403 upstream's webob.exc.HTTPForbidden() gives. `rules` must outlive it; safe for
// concurrent use.
class Authorizer {
 public:
  explicit Authorizer(const common::policy::Enforcer& rules) : rules_(rules) {}

  common::Result<void> authorize(const common::RequestContext& ctx, Action action,
                                 const common::policy::Values& target = {}) const;

  // POST or PUT of an image, in upstream's order: read-only (403 "Read-only access"), then
  // add_image or modify_image, publicize_image when is_public is set true, copy_from for a
  // copy, upload_image when data or a copy comes.
  common::Result<void> authorize_image_write(const common::RequestContext& ctx, Action action,
                                             const ImageHeaderRequest& meta, bool has_data) const;
  // set_image_location when the request gives a location.
  common::Result<void> authorize_location(const common::RequestContext& ctx,
                                          const ImageHeaderRequest& meta) const;
  // Changing an image's members: read-only is 403, a caller with no owner who is not admin
  // is 401 "No authenticated user" (both before any lookup), then `action`'s rule.
  common::Result<void> authorize_member_change(const common::RequestContext& ctx,
                                               Action action) const;
  // Whether the policy rule named `rule` passes for `ctx` with an empty target, as property
  // protections in policies format ask it. A name without a rule of its own falls to the
  // default rule, as oslo.policy's rule:NAME does.
  bool passes(const common::RequestContext& ctx, std::string_view rule) const;
  // Whether the policy in force (file or built-in) defines `rule` itself.
  bool defines(std::string_view rule) const;
  // POST /v2/images, in upstream v2's order: read-only (403); a caller who is not admin
  // creating an image for another owner, or without a project, 403 "You are not permitted to
  // create images owned by 'X'."; add_image; publicize_image for a public image,
  // communitize_image for a community one.
  common::Result<void> authorize_v2_create(const common::RequestContext& ctx,
                                           const common::ImageFields& fields) const;
  // DELETE /v2/images/{id} of a visible image: read-only (403), an image the caller may not
  // change 403 "You are not permitted to delete this image.", then delete_image against the
  // image (image_target).
  common::Result<void> authorize_v2_delete(const common::RequestContext& ctx,
                                           const common::Image& image) const;
  // PUT /v2/images/{id}/file of a visible image: read-only (403), an image the caller may
  // not change 403 "You are not permitted to upload data for this image.", then upload_image.
  common::Result<void> authorize_v2_upload(const common::RequestContext& ctx,
                                           const common::Image& image) const;
  // Whether `ctx` may change `image` at all (upstream v2's is_image_mutable): admins every
  // image, others their project's only.
  static bool may_modify(const common::RequestContext& ctx, const common::Image& image);
  // Another v2 change of a visible image (a tag, deactivate, reactivate): read-only (403), an
  // image the caller may not change 403 `immutable_message`, then `action` against the image.
  common::Result<void> authorize_v2_change(const common::RequestContext& ctx,
                                           const common::Image& image, Action action,
                                           std::string_view immutable_message) const;
  // Read-only contexts change nothing: 403 "Read-only access".
  static common::Result<void> check_writable(const common::RequestContext& ctx);
  // Only shared images have members, whoever asks (upstream checks it where it authorizes,
  // not in its database): any other visibility is 403 "Error fetching members of image <id>:
  // Only shared images have members." for every v2 member route.
  static common::Result<void> check_takes_members(const common::Image& image);

  // download_image's target: the image's fields, then those properties whose names no field
  // has (upstream's create_mashup_dict). Null values are left out.
  static common::policy::Values image_target(const common::Image& image);

 private:
  const common::policy::Enforcer& rules_;
};

}  // namespace glance::api

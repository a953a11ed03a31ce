// PATCH /v2/images/{id}: ImagesController::update.
#include "api/property_protections.h"
#include "api/v2/image_locations.h"
#include "api/v2/image_notices.h"
#include "api/v2/image_patch.h"
#include "api/v2/image_view.h"
#include "api/v2/images_controller.h"
#include "api/v2/live_image.h"
#include "common/http/json_body.h"
#include "common/http/response.h"

namespace glance::api::v2 {

using common::Errc;
using common::Error;
using common::Result;
using common::http::Response;

namespace {
PatchPermissions permissions_for(const Authorizer& auth, const common::RequestContext& ctx,
                                 const common::Image& image,
                                 const ImagesControllerOptions& options) {
  PatchPermissions may;
  may.is_admin = ctx.is_admin;
  may.image_mutable = Authorizer::may_modify(ctx, image);
  may.property_quota = options.property_quota;
  may.tag_quota = options.tag_quota;
  may.locations_visible = options.show_multiple_locations;
  const auto target = Authorizer::image_target(image);
  may.visibility_allowed = [&auth, &ctx, target](const std::string& visibility) -> Result<void> {
    if (visibility == "public") return auth.authorize(ctx, Action::publicize_image, target);
    if (visibility == "community") return auth.authorize(ctx, Action::communitize_image, target);
    return {};
  };
  may.may_save = [&auth, &ctx, target]() {
    return auth.authorize(ctx, Action::modify_image, target);
  };
  if (const PropertyProtections* protections = options.protections)
    may.property_allowed = [protections, &ctx](const std::string& key, PropertyOperation op) {
      return protections->allows(ctx, key, op);
    };
  return may;
}
// An error upstream raises with its text as WebOb's detail, after the generic explanation.
Response webob_worded(const Error& error, const common::http::Request& req) {
  return common::http::to_response(error, req.headers.get("Accept").value_or(""));
}
}  // namespace

ImagesController::Reply ImagesController::update(Request& req) {
  const auto content_type = std::string(req.headers.get("Content-Type").value_or(""));
  const auto dialect = patch_dialect(content_type);
  if (!dialect) {
    Response res = common::http::to_response(
        Error::unsupported_media_type("The request media type " + content_type +
                                      " is not supported by this server."),
        req.headers.get("Accept").value_or(""));
    res.headers.set("Accept-Patch", std::string(kAcceptPatch));
    co_return res;
  }
  auto body = common::http::parse_json_body(req.body);
  if (!body) co_return body.error();
  auto changes = parse_image_patch(*body, *dialect, options_.formats);
  if (!changes) co_return changes.error();
  if (auto r = Authorizer::check_writable(req.context); !r) co_return r.error();

  const auto& id = req.param("id");
  const Caller caller = caller_of(req);
  const std::string missing = "No image found with ID " + id;
  const LocationEnv env{auth_, req.context, stores_, sources_, options_.delayed_delete};
  // Location changes are a compare-and-set of the image's location set and status: a writer
  // who lost a race reads the image again and applies its patch to what won.
  constexpr int kAttempts = 5;
  Result<common::Image> image = Error::internal("no attempt");
  for (int attempt = 1;; ++attempt) {
    image = co_await find_live_image(registry_, caller, id, missing);
    if (!image) co_return image.error();
    auto allowed =
        auth_.authorize(req.context, Action::get_image, Authorizer::image_target(*image));
    if (!allowed) co_return allowed.error();

    auto update =
        apply_image_patch(*image, *changes, permissions_for(auth_, req.context, *image, options_));
    if (!update && update.error().code() == Errc::forbidden &&
        update.error().message() == "Cannot set locations to empty list.")
      co_return webob_worded(update.error(), req);
    if (!update) co_return update.error();
    std::optional<LocationUpdate> located;
    if (options_.show_multiple_locations) {
      bool webob_wording = false;
      auto planned = co_await plan_location_changes(*image, *changes, env, &webob_wording);
      if (!planned && webob_wording) co_return webob_worded(planned.error(), req);
      if (!planned) co_return planned.error();
      located = std::move(*planned);
    }
    std::optional<common::ImageStatus> from_state;
    if (located) {
      update->fields.locations = located->locations;
      if (located->size) update->fields.size = located->size;
      if (located->status) update->fields.status = located->status;
      from_state = image->status;
    }
    if (changes->empty()) break;
    auto updated = co_await registry_.update(caller, id, update->fields, update->purge, from_state);
    if (!updated && updated.error().code() == Errc::conflict && located && attempt < kAttempts)
      continue;
    if (!updated && updated.error().code() == Errc::not_found) co_return Error::not_found(missing);
    if (!updated) co_return updated.error();
    if (located) co_await remove_dropped_data(stores_, *image, *located, caller.request_id);
    image = std::move(updated);
    break;
  }
  // Glance saves (and announces) the image whatever the patch changed.
  notify_image(options_.notifier, "image.update", *image);
  hide_unreadable(options_.protections, req.context, *image);
  co_return Response::json(200, image_document(*image, location_view(req.context)));
}

}  // namespace glance::api::v2

#pragma once

#include "api/authorizer.h"
#include "api/registry_client.h"
#include "common/http/router.h"
#include "common/notify/notifier.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>

namespace glance::api::v2 {

// PUT and DELETE /v2/images/{id}/tags/{tag}, as upstream v2's image_tags controller answers
// them: 204 both. PUT checks the tag first (400 over 255 characters; the router refuses one
// that is not UTF-8), then read-only (403), the image (404 "Image X not found."), who may
// change it and modify_image (403 "Not allowed to update tags for image X."), and
// image_tag_quota (413). Adding a tag the image has is a no-op; DELETE of a tag it lacks is a
// bare 404. The registry adds or removes the one tag in its own transaction
// (RegistryClient::add_tag), so concurrent writes never lose a tag nor pass the quota
// together. Unlike upstream, modify_image is asked before the quota: nothing is written
// before every permission is known. Holds no per-request state; `registry` and `auth` must
// outlive it.
class TagsController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  // `tag_quota`: image_tag_quota, negative for no limit. `notifier` (may be null) is told
  // image.update after each change, as Glance v2 saves the image for it.
  TagsController(RegistryClient& registry, const Authorizer& auth, int64_t tag_quota,
                 common::notify::Notifier* notifier = nullptr)
      : registry_(registry), auth_(auth), tag_quota_(tag_quota), notifier_(notifier) {}

  Reply update(Request& req);  // PUT
  Reply remove(Request& req);  // DELETE

 private:
  RegistryClient& registry_;
  const Authorizer& auth_;
  int64_t tag_quota_;
  common::notify::Notifier* notifier_;

  // image.update with the image as the registry holds it after a change (`before` when it
  // cannot be read back).
  boost::asio::awaitable<void> notify_changed(const Caller& caller, const common::Image& before);
};

void add_tag_routes(common::http::Router& router, TagsController& tags);

}  // namespace glance::api::v2

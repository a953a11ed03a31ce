#pragma once

#include "api/authorizer.h"
#include "api/registry_client.h"
#include "common/http/router.h"
#include "common/notify/notifier.h"

#include <boost/asio/awaitable.hpp>

namespace glance::api::v2 {

// POST /v2/images/{id}/actions/deactivate and /reactivate, as upstream v2's image_actions
// answers them: 204. In order: a body is 400, read-only 403, the image 404 ("No image found
// with ID X"), an image the caller may not change 403 ("You are not permitted to deactivate
// this image."), the deactivate or reactivate rule 403 ("You are not authorized to complete
// deactivate action."; administrators only by default), then the status: active becomes
// deactivated and back; deactivating a deactivated image (or reactivating an active one)
// changes nothing; any other status is 403 ("Not allowed to deactivate image in status 'X'").
// The status is written with the registry's compare-and-set on the status read, so an upload,
// delete or other action that changed it meanwhile is never overwritten: the image is read
// again and judged anew. Holds no per-request state; `registry` and `auth` must outlive it.
class ActionsController {
 public:
  using Request = common::http::Request;
  using Reply = boost::asio::awaitable<common::Result<common::http::Response>>;

  // `notifier` (may be null) is told image.update after each change of status, as Glance v2
  // saves the image for it.
  ActionsController(RegistryClient& registry, const Authorizer& auth,
                    common::notify::Notifier* notifier = nullptr)
      : registry_(registry), auth_(auth), notifier_(notifier) {}

  Reply deactivate(Request& req);
  Reply reactivate(Request& req);

 private:
  // One action: `from` → `to`; `verb` names it in upstream's messages.
  Reply change(Request& req, Action action, common::ImageStatus from, common::ImageStatus to,
               const char* verb);

  RegistryClient& registry_;
  const Authorizer& auth_;
  common::notify::Notifier* notifier_;
};

void add_action_routes(common::http::Router& router, ActionsController& actions);

}  // namespace glance::api::v2

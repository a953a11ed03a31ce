#include "api/v2/actions_controller.h"

#include "api/v2/error_answer.h"
#include "api/v2/image_notices.h"
#include "api/v2/live_image.h"

namespace glance::api::v2 {

using common::Errc;
using common::Error;
using common::ImageStatus;
using common::Result;
using common::http::Response;

namespace {
// A status write that lost its compare-and-set is judged again on the image read anew; a
// handful of rounds settles any real race (each round means another write landed).
constexpr int kMaxRounds = 5;
}  // namespace

ActionsController::Reply ActionsController::change(Request& req, Action action, ImageStatus from,
                                                   ImageStatus to, const char* verb) {
  const auto& id = req.param("id");
  if (auto r = reject_body(req); !r) co_return r.error();
  if (auto r = Authorizer::check_writable(req.context); !r) co_return r.error();
  const Caller caller = caller_of(req);
  const std::string missing = "No image found with ID " + id;
  for (int round = 0;; ++round) {
    auto image = co_await find_live_image(registry_, caller, id, missing);
    if (!image) co_return image.error();
    if (auto r = auth_.authorize(req.context, Action::get_image, Authorizer::image_target(*image));
        !r)
      co_return Error::forbidden("You are not authorized to complete get_image action.");
    const std::string immutable = std::string("You are not permitted to ") + verb + " this image.";
    if (auto r = auth_.authorize_v2_change(req.context, *image, action, immutable); !r) {
      if (r.error().message().empty())
        co_return Error::forbidden(std::string("You are not authorized to complete ") +
                                   std::string(rule_name(action)) + " action.");
      co_return r.error();
    }
    if (image->status == to) co_return Response::empty(204);
    if (image->status != from)
      co_return Error::forbidden(std::string("Not allowed to ") + verb + " image in status '" +
                                 std::string(to_string(image->status)) + "'");
    common::ImageFields fields;
    fields.status = to;
    auto written = co_await registry_.update(caller, id, fields, false, from);
    if (written) {
      notify_image(notifier_, "image.update", *written);
      co_return Response::empty(204);
    }
    if (written.error().code() == Errc::not_found) co_return Error::not_found(missing);
    if (written.error().code() != Errc::conflict || round + 1 >= kMaxRounds)
      co_return written.error();
  }
}

ActionsController::Reply ActionsController::deactivate(Request& req) {
  return change(req, Action::deactivate, ImageStatus::active, ImageStatus::deactivated,
                "deactivate");
}

ActionsController::Reply ActionsController::reactivate(Request& req) {
  return change(req, Action::reactivate, ImageStatus::deactivated, ImageStatus::active,
                "reactivate");
}

void add_action_routes(common::http::Router& r, ActionsController& c) {
  using Req = common::http::Request;
  r.add("POST", "/v2/images/{id}/actions/deactivate",
        v2_handler([&c](Req& q) { return c.deactivate(q); }));
  r.add("POST", "/v2/images/{id}/actions/reactivate",
        v2_handler([&c](Req& q) { return c.reactivate(q); }));
}

}  // namespace glance::api::v2

#include "api/v2/members_controller.h"

#include "api/v2/error_answer.h"
#include "api/v2/image_notices.h"
#include "api/v2/image_view.h"
#include "api/v2/live_image.h"
#include "api/v2/member_request.h"
#include "common/json_writer.h"

namespace glance::api::v2 {

using common::Errc;
using common::Error;
using common::Image;
using common::ImageMembership;
using common::Result;
using common::http::Response;

namespace {
bool owns(const common::RequestContext& ctx, const Image& image) {
  return image.owner && ctx.owner() && *image.owner == *ctx.owner();
}

void write_member(common::JsonWriter& w, const ImageMembership& m) {
  w.begin_object();
  w.key("created_at").string(iso_time(m.created_at));
  w.key("image_id").string(m.image_id);
  w.key("member_id").string(m.member_id);
  w.key("schema").string("/v2/schemas/member");
  w.key("status").string(to_string(m.status));
  w.key("updated_at").string(iso_time(m.updated_at));
  w.end_object();
}

Response member_response(const ImageMembership& m) {
  std::string out;
  common::JsonWriter w(out);
  write_member(w, m);
  return Response::json(200, std::move(out));
}

std::string image_missing(const std::string& id) {
  return "Image " + id + " not found.";
}

std::string member_missing(const std::string& member, const std::string& id) {
  return member + " not found in the member list of the image " + id + ".";
}

// A registry refusal of a member write in upstream's words for `action` ("create",
// "update", "delete"); a vanished membership or image is 404 as `missing` says.
Error write_refused(const Error& e, const std::string& action, const std::string& id,
                    const std::string& missing) {
  if (e.code() == Errc::forbidden)
    return Error::forbidden("Not allowed to " + action + " members for image " + id + ".");
  if (e.code() == Errc::not_found) return Error::not_found(missing);
  return e;
}
}  // namespace

boost::asio::awaitable<Result<Image>> MembersController::shared_image(Request& req) {
  const auto& id = req.param("image_id");
  const Caller caller = caller_of(req);
  auto image = co_await find_live_image(registry_, caller, id, image_missing(id));
  if (!image) co_return image.error();
  if (auto r = Authorizer::check_takes_members(*image); !r) co_return r.error();
  co_return image;
}

boost::asio::awaitable<Result<ImageMembership>> MembersController::member_of(Request& req,
                                                                             const Image& image) {
  const auto& member = req.param("member");
  const auto& ctx = req.context;
  const Error refused = Error::forbidden(
      "You are not authorized to lookup the members of the image " + image.id + ".");
  if (!ctx.is_admin && !owns(ctx, image) && !(ctx.owner() && *ctx.owner() == member))
    co_return refused;
  if (!auth_.authorize(ctx, Action::get_member, Authorizer::image_target(image))) co_return refused;
  auto found = co_await registry_.get_membership(caller_of(req), image.id, member);
  if (!found && found.error().code() == Errc::not_found)
    co_return Error::not_found(member_missing(member, image.id));
  co_return found;
}

MembersController::Reply MembersController::index(Request& req) {
  auto image = co_await shared_image(req);
  if (!image) co_return image.error();
  const Error refused =
      Error::forbidden("Not allowed to list members for image " + image->id + ".");
  if (!auth_.authorize(req.context, Action::get_members, Authorizer::image_target(*image)))
    co_return refused;
  auto members = co_await registry_.list_memberships(caller_of(req), image->id);
  if (!members && members.error().code() == Errc::not_found)
    co_return Error::not_found(image_missing(image->id));
  if (!members) co_return members.error();
  // Upstream lists a member only its own membership, and refuses a caller who has none.
  if (!req.context.is_admin && !owns(req.context, *image) && members->empty()) co_return refused;
  std::string out;
  common::JsonWriter w(out);
  w.begin_object().key("members").begin_array();
  for (const auto& m : *members) write_member(w, m);
  w.end_array();
  w.key("schema").string("/v2/schemas/members");
  w.end_object();
  co_return Response::json(200, std::move(out));
}

MembersController::Reply MembersController::create(Request& req) {
  auto member = parse_member_create(req.body);
  if (!member) co_return member.error();
  if (auto r = Authorizer::check_writable(req.context); !r) co_return r.error();
  auto image = co_await shared_image(req);
  if (!image) co_return image.error();
  const auto& id = image->id;
  const Error refused = Error::forbidden("Not allowed to create members for image " + id + ".");
  if (!req.context.is_admin && !owns(req.context, *image)) co_return refused;
  if (!auth_.authorize(req.context, Action::add_member, Authorizer::image_target(*image)))
    co_return refused;
  std::optional<int64_t> quota;
  if (member_quota_ >= 0) quota = member_quota_;
  auto created = co_await registry_.create_membership(caller_of(req), id, *member, quota);
  if (created) {
    notify_member(notifier_, "image.member.create", *created);
    co_return member_response(*created);
  }
  const auto& e = created.error();
  if (e.code() == Errc::conflict)
    co_return Error::conflict("Member " + *member + " is duplicated for image " + id);
  if (e.code() == Errc::payload_too_large)
    co_return Error::payload_too_large("Image member limit exceeded for image " + id + ": " +
                                       e.message() + ":");
  co_return write_refused(e, "create", id, image_missing(id));
}

MembersController::Reply MembersController::show(Request& req) {
  auto image = co_await shared_image(req);
  // Upstream turns every refusal here into 404 (with the refusal's text), so that a
  // membership's existence does not leak.
  auto hide = [](const Error& e) {
    return e.code() == Errc::forbidden ? Error::not_found(e.message()) : e;
  };
  if (!image) co_return hide(image.error());
  auto member = co_await member_of(req, *image);
  if (!member) co_return hide(member.error());
  co_return member_response(*member);
}

MembersController::Reply MembersController::update(Request& req) {
  auto asked = parse_member_update(req.body);
  if (!asked) co_return asked.error();
  if (auto r = Authorizer::check_writable(req.context); !r) co_return r.error();
  auto image = co_await shared_image(req);
  if (!image) co_return image.error();
  auto member = co_await member_of(req, *image);
  if (!member) co_return member.error();
  auto status = member_status_of(*asked);
  if (!status) co_return status.error();
  const auto& id = image->id;
  const Error refused = Error::forbidden("Not allowed to update members for image " + id + ".");
  // Only the member answers for itself (or an admin): the owner may not accept for it.
  if (!req.context.is_admin && !(req.context.owner() && *req.context.owner() == member->member_id))
    co_return refused;
  if (!auth_.authorize(req.context, Action::modify_member, Authorizer::image_target(*image)))
    co_return refused;
  auto updated =
      co_await registry_.set_member_status(caller_of(req), id, member->member_id, *status);
  if (!updated)
    co_return write_refused(updated.error(), "update", id, member_missing(member->member_id, id));
  notify_member(notifier_, "image.member.update", *updated);
  co_return member_response(*updated);
}

MembersController::Reply MembersController::destroy(Request& req) {
  if (auto r = Authorizer::check_writable(req.context); !r) co_return r.error();
  auto image = co_await shared_image(req);
  if (!image) co_return image.error();
  auto member = co_await member_of(req, *image);
  if (!member) co_return member.error();
  const auto& id = image->id;
  const Error refused = Error::forbidden("Not allowed to delete members for image " + id + ".");
  if (!req.context.is_admin && !owns(req.context, *image)) co_return refused;
  if (!auth_.authorize(req.context, Action::delete_member, Authorizer::image_target(*image)))
    co_return refused;
  auto removed = co_await registry_.delete_membership(caller_of(req), id, member->member_id);
  if (!removed)
    co_return write_refused(removed.error(), "delete", id, member_missing(member->member_id, id));
  notify_member_deleted(notifier_, *member, notice_time_now());
  co_return Response::empty(204);
}

void add_member_routes(common::http::Router& r, MembersController& c) {
  using Req = common::http::Request;
  r.add("GET", "/v2/images/{image_id}/members", v2_handler([&c](Req& q) { return c.index(q); }));
  r.add("POST", "/v2/images/{image_id}/members", v2_handler([&c](Req& q) { return c.create(q); }));
  r.add("GET", "/v2/images/{image_id}/members/{member}",
        v2_handler([&c](Req& q) { return c.show(q); }));
  r.add("PUT", "/v2/images/{image_id}/members/{member}",
        v2_handler([&c](Req& q) { return c.update(q); }));
  r.add("DELETE", "/v2/images/{image_id}/members/{member}",
        v2_handler([&c](Req& q) { return c.destroy(q); }));
}

}  // namespace glance::api::v2

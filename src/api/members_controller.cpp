#include "api/members_controller.h"

#include "api/image_lookup.h"
#include "common/http/json_body.h"
#include "common/image_member_json.h"
#include "common/json_parse.h"

namespace glance::api {

namespace net = boost::asio;
using common::Errc;
using common::Error;
using common::Image;
using common::Result;
using common::http::Response;
using nlohmann::json;

namespace {

Caller caller_of(const common::http::Request& req) {
  return Caller{req.context, req.request_id};
}

// Upstream's api turns the registry's sharing refusal into 404 for member mutations; the
// registry's text stays.
Error mutation_error(const Error& e) {
  if (e.code() == Errc::forbidden) return Error::not_found(e.message());
  return e;
}

// The body of PUT /members as the registry takes it. Upstream fails with 500 on no body or a
// JSON array; those are client faults, so 400 here. A body without "memberships" is one
// membership.
Result<json> memberships_body(const std::string& text) {
  if (text.empty()) return Error::bad_request("Malformed JSON in request body.");
  auto body = common::http::parse_json_body(text);
  if (!body) return body.error();
  if (!body->is_object()) return Error::bad_request("Invalid membership association: " + text);
  if (!body->contains("memberships")) return json{{"memberships", json::array({*body})}};
  return std::move(*body);
}

// The optional {"member": {"can_share": v}} body of a single-member PUT, with Python
// truthiness for v.
Result<std::optional<bool>> can_share_of(const std::string& text) {
  if (text.empty()) return std::optional<bool>();
  auto body = common::http::parse_json_body(text);
  if (!body) return body.error();
  if (!body->is_object()) return Error::bad_request("Invalid membership association: " + text);
  if (!body->contains("member")) return std::optional<bool>();
  const auto& member = (*body)["member"];
  if (!member.is_object())
    return Error::bad_request("Invalid membership association: " + common::dump_json(member));
  if (!member.contains("can_share")) return std::optional<bool>();
  return std::optional<bool>(common::http::json_truthy(member["can_share"]));
}

}  // namespace

net::awaitable<Result<Image>> MembersController::live_image(Request& req, const Caller& caller) {
  const auto& id = req.param("image_id");
  auto image = co_await fetch_image(registry_, caller, id);
  if (!image) co_return image.error();
  if (image->deleted || image->status == common::ImageStatus::deleted)
    co_return Error::not_found("Image with identifier " + id + " has been deleted.");
  co_return image;
}

std::optional<int64_t> MembersController::quota() const {
  if (member_quota_ < 0) return std::nullopt;
  return member_quota_;
}

Result<void> MembersController::check_quota(int64_t attempted) const {
  if (member_quota_ < 0 || attempted <= member_quota_) return {};
  return Error::payload_too_large(
      "The limit has been exceeded on the number of allowed image members for this image. "
      "Attempted: " +
      std::to_string(attempted) + ", Maximum: " + std::to_string(member_quota_));
}

MembersController::Reply MembersController::index(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::get_members); !r) co_return r.error();
  const Caller caller = caller_of(req);
  auto image = co_await live_image(req, caller);
  if (!image) co_return image.error();
  auto members = co_await registry_.list_members(caller, image->id);
  if (!members) co_return members.error();
  co_return Response::json(200, common::members_document(*members));
}

MembersController::Reply MembersController::replace_all(Request& req) {
  if (auto r = auth_.authorize_member_change(req.context, Action::modify_member); !r)
    co_return r.error();
  auto body = memberships_body(req.body);
  if (!body) co_return body.error();
  const Caller caller = caller_of(req);
  auto image = co_await live_image(req, caller);
  if (!image) co_return image.error();
  // The list's length alone decides, so this is checked here too, before the registry's
  // sharing permission: upstream's order of refusals.
  const auto& list = (*body)["memberships"];
  if (list.is_array() && !list.empty())
    if (auto r = check_quota(static_cast<int64_t>(list.size())); !r) co_return r.error();
  auto done = co_await registry_.replace_members(caller, image->id, *body, quota());
  if (!done) co_return mutation_error(done.error());
  co_return Response::empty(204);
}

MembersController::Reply MembersController::add(Request& req) {
  if (auto r = auth_.authorize_member_change(req.context, Action::modify_member); !r)
    co_return r.error();
  auto can_share = can_share_of(req.body);
  if (!can_share) co_return can_share.error();
  const Caller caller = caller_of(req);
  auto image = co_await live_image(req, caller);
  if (!image) co_return image.error();
  // The registry counts the members and adds this one in one transaction, so racing adds
  // cannot together pass the quota; it counts every member, also those a sharer cannot list.
  const auto& member = req.param("member");
  auto done = co_await registry_.add_member(caller, image->id, member, *can_share, quota());
  if (!done) co_return mutation_error(done.error());
  co_return Response::empty(204);
}

MembersController::Reply MembersController::remove(Request& req) {
  if (auto r = auth_.authorize_member_change(req.context, Action::delete_member); !r)
    co_return r.error();
  const Caller caller = caller_of(req);
  auto image = co_await live_image(req, caller);
  if (!image) co_return image.error();
  const auto& member = req.param("member");
  auto done = co_await registry_.remove_member(caller, image->id, member);
  if (!done) co_return mutation_error(done.error());
  co_return Response::empty(204);
}

MembersController::Reply MembersController::shared_images(Request& req) {
  const Caller caller = caller_of(req);
  auto shared = co_await registry_.shared_images(caller, req.param("member"));
  if (!shared) co_return shared.error();
  co_return Response::json(200, common::shared_images_document(*shared));
}

void add_member_routes(common::http::Router& r, MembersController& c) {
  using Req = common::http::Request;
  // Other methods on both member paths get the router's 405 with Allow built from the
  // routes below: "GET, PUT" and "GET, PUT, DELETE".
  r.add("GET", "/v1/images/{image_id}/members", [&c](Req& q) { return c.index(q); });
  r.add("PUT", "/v1/images/{image_id}/members", [&c](Req& q) { return c.replace_all(q); });
  // Upstream routes GET of one member to a controller without `show`: 405, no Allow.
  r.add("GET", "/v1/images/{image_id}/members/{member}", [](Req& q) -> MembersController::Reply {
    co_return common::http::to_response(
        Error::method_not_allowed("The method is not allowed for this resource."),
        q.headers.get("Accept").value_or(""));
  });
  r.add("PUT", "/v1/images/{image_id}/members/{member}", [&c](Req& q) { return c.add(q); });
  r.add("DELETE", "/v1/images/{image_id}/members/{member}", [&c](Req& q) { return c.remove(q); });
  r.add("*", "/v1/shared-images/{member}", [&c](Req& q) { return c.shared_images(q); });
}

}  // namespace glance::api

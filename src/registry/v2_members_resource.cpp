#include "registry/v2_members_resource.h"

#include "common/http/json_body.h"
#include "registry/members_resource.h"

#include <variant>

namespace glance::registry {

using common::Error;
using common::Result;
using common::http::Response;

namespace {
Result<void> check_may_mutate(const common::RequestContext& ctx) {
  if (ctx.read_only) return Error::forbidden("Read-only access");
  if (!ctx.owner() && !ctx.is_admin) return Error::unauthorized("No authenticated user");
  return {};
}

// The string under `key` of a JSON object body; bad_request otherwise.
Result<std::string> string_field(std::string_view text, const char* key) {
  auto body = common::http::parse_json_body(text);
  if (!body) return body.error();
  if (!body->is_object() || !body->contains(key) || !(*body)[key].is_string())
    return Error::bad_request(std::string("Expected a JSON object with a string \"") + key + "\".");
  return (*body)[key].get<std::string>();
}

Response member_reply(const ImageMembership& m) {
  return Response::json(200, common::membership_document(m));
}
}  // namespace

V2MembersResource::Reply V2MembersResource::index(Request& req) {
  auto members = co_await db_.read<std::vector<ImageMembership>>([&](MysqlConnection& db) {
    return repo_.memberships(db, req.context, req.param("image_id"));
  });
  if (!members) co_return members.error();
  co_return Response::json(200, common::memberships_document(*members));
}

V2MembersResource::Reply V2MembersResource::show(Request& req) {
  auto member = co_await db_.read<ImageMembership>([&](MysqlConnection& db) {
    return repo_.membership(db, req.context, req.param("image_id"), req.param("member"));
  });
  if (!member) co_return member.error();
  co_return member_reply(*member);
}

V2MembersResource::Reply V2MembersResource::create(Request& req) {
  if (auto r = check_may_mutate(req.context); !r) co_return r.error();
  auto member = string_field(req.body, "member");
  if (!member) co_return member.error();
  if (member->empty()) co_return Error::bad_request("Member can't be empty");
  auto quota = member_quota_of(req);
  if (!quota) co_return quota.error();
  const auto at = clock_.now();
  DbWrite<ImageMembership> unit{
      .apply =
          [this, ctx = req.context, image = std::string(req.param("image_id")), member = *member,
           quota = *quota, at](MysqlConnection& db) {
            return repo_.create_membership(db, ctx, image, member, quota, at);
          },
      // A lock conflict rolls the add back and comes here too, so a live row may be another
      // add's: only a row created at this add's time is this add's.
      .read_back = [this, image = std::string(req.param("image_id")), member = *member,
                    at](MysqlConnection& db) -> Result<std::optional<ImageMembership>> {
        auto stored = repo_.settled_membership(db, image, member);
        if (!stored || !*stored) return stored;
        if ((*stored)->created_at == common::format_timestamp(at)) return stored;
        return Error::conflict("The target member " + member +
                               " is already associated with image " + image + ".");
      }};
  auto created = co_await db_.write(std::move(unit));
  if (!created) co_return created.error();
  co_return member_reply(*created);
}

V2MembersResource::Reply V2MembersResource::update(Request& req) {
  if (auto r = check_may_mutate(req.context); !r) co_return r.error();
  auto text = string_field(req.body, "status");
  if (!text) co_return text.error();
  auto status = common::member_status_from_string(*text);
  if (!status)
    co_return Error::bad_request("Status must be \"pending\", \"accepted\" or \"rejected\".");
  DbWrite<ImageMembership> unit{
      .apply =
          [this, ctx = req.context, image = std::string(req.param("image_id")),
           member = std::string(req.param("member")), status = *status](MysqlConnection& db) {
            return repo_.set_member_status(db, ctx, image, member, status);
          },
      .read_back = [this, image = std::string(req.param("image_id")),
                    member = std::string(req.param("member")), status = *status](
                       MysqlConnection& db) -> Result<std::optional<ImageMembership>> {
        auto stored = repo_.settled_membership(db, image, member);
        if (!stored) return stored.error();
        if (!*stored) return Error::not_found("Membership could not be found.");
        // Setting a status twice is harmless, so a row without it may simply be written again.
        if ((*stored)->status != status) return std::optional<ImageMembership>();
        return stored;
      }};
  auto updated = co_await db_.write(std::move(unit));
  if (!updated) co_return updated.error();
  co_return member_reply(*updated);
}

V2MembersResource::Reply V2MembersResource::remove(Request& req) {
  if (auto r = check_may_mutate(req.context); !r) co_return r.error();
  using Done = std::monostate;
  DbWrite<Done> unit{
      .apply = [this, ctx = req.context, image = std::string(req.param("image_id")),
                member = std::string(req.param("member"))](MysqlConnection& db) -> Result<Done> {
        auto r = repo_.remove(db, ctx, image, member);
        if (!r) return r.error();
        return Done{};
      },
      .read_back = [this, image = std::string(req.param("image_id")),
                    member = std::string(req.param("member"))](
                       MysqlConnection& db) -> Result<std::optional<Done>> {
        auto stored = repo_.settled_membership(db, image, member);
        if (!stored) return stored.error();
        if (*stored) return std::optional<Done>();
        return std::optional<Done>(Done{});
      }};
  auto done = co_await db_.write(std::move(unit));
  if (!done) co_return done.error();
  co_return Response::empty(204);
}

void add_v2_member_routes(common::http::Router& r, V2MembersResource& c) {
  using Req = common::http::Request;
  r.add("GET", "/v2/images/{image_id}/members", [&c](Req& q) { return c.index(q); });
  r.add("POST", "/v2/images/{image_id}/members", [&c](Req& q) { return c.create(q); });
  r.add("GET", "/v2/images/{image_id}/members/{member}", [&c](Req& q) { return c.show(q); });
  r.add("PUT", "/v2/images/{image_id}/members/{member}", [&c](Req& q) { return c.update(q); });
  r.add("DELETE", "/v2/images/{image_id}/members/{member}", [&c](Req& q) { return c.remove(q); });
}

}  // namespace glance::registry

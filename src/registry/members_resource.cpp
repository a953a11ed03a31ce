#include "registry/members_resource.h"

#include "common/http/json_body.h"
#include "common/image_member_json.h"
#include "common/json_parse.h"
#include "registry/membership_match.h"

#include <charconv>
#include <variant>

namespace glance::registry {

using common::Error;
using common::Result;
using common::http::Response;
using nlohmann::json;

namespace {
// Mutations need a caller with an owner id, or an admin (checked before the image lookup),
// and are refused to read-only contexts.
Result<void> check_may_mutate(const common::RequestContext& ctx) {
  if (ctx.read_only) return Error::forbidden("Read-only access");
  if (!ctx.owner() && !ctx.is_admin) return Error::unauthorized("No authenticated user");
  return {};
}

Result<std::vector<MembershipChange>> parse_memberships(std::string_view text) {
  auto body = common::http::parse_json_body(text);
  if (!body) return body.error();
  if (!body->is_object() || !body->contains("memberships") || !(*body)["memberships"].is_array())
    return Error::bad_request("Invalid membership association: " + common::dump_json(*body));
  std::vector<MembershipChange> out;
  for (const auto& entry : (*body)["memberships"]) {
    if (!entry.is_object() || !entry.contains("member_id") || !entry["member_id"].is_string())
      return Error::bad_request("Invalid membership association: " + common::dump_json(entry));
    MembershipChange change{entry["member_id"].get<std::string>(), std::nullopt};
    if (entry.contains("can_share"))
      change.can_share = common::http::json_truthy(entry["can_share"]);
    out.push_back(std::move(change));
  }
  return out;
}

// The optional {"member": {"can_share": v}} body of a single-member PUT.
Result<std::optional<bool>> parse_can_share(std::string_view text) {
  if (text.empty()) return std::optional<bool>();
  auto body = common::http::parse_json_body(text);
  if (!body) return body.error();
  if (!body->is_object())
    return Error::bad_request("Invalid membership association: " + common::dump_json(*body));
  if (!body->contains("member")) return std::optional<bool>();
  const auto& member = (*body)["member"];
  if (!member.is_object())
    return Error::bad_request("Invalid membership association: " + common::dump_json(member));
  if (!member.contains("can_share")) return std::optional<bool>();
  return std::optional<bool>(common::http::json_truthy(member["can_share"]));
}

Response no_content() {
  return Response::empty(204);
}

// Membership writes return nothing; DbWrite needs a value type.
using Done = std::monostate;

Result<Done> done_or_error(const Result<void>& r) {
  if (!r) return r.error();
  return Done{};
}

// The read-back of a membership write: applied when `held` says the stored members show it.
template <class Held>
Result<std::optional<Done>> read_back_members(MemberRepository& repo, MysqlConnection& db,
                                              const std::string& image_id, Held held) {
  auto stored = repo.settled_members(db, image_id);
  if (!stored) return stored.error();
  if (!held(*stored)) return std::optional<Done>();
  return std::optional<Done>(Done{});
}
}  // namespace

// image_member_quota as glance-api sends it (X-Image-Member-Quota): a count, or no header for
// no limit. Not in upstream's registry API, whose api counted the members itself.
Result<std::optional<int64_t>> member_quota_of(const common::http::Request& req) {
  auto header = req.headers.get("X-Image-Member-Quota");
  if (!header) return std::optional<int64_t>();
  int64_t quota = -1;
  auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), quota);
  if (ec != std::errc() || end != header->data() + header->size() || quota < 0)
    return Error::bad_request("Invalid X-Image-Member-Quota: a count of members is expected.");
  return std::optional<int64_t>(quota);
}

MembersResource::Reply MembersResource::index(Request& req) {
  auto members = co_await db_.read<std::vector<Membership>>(
      [&](MysqlConnection& db) { return repo_.list(db, req.context, req.param("image_id")); });
  if (!members) co_return members.error();
  co_return Response::json(200, common::members_document(*members));
}

MembersResource::Reply MembersResource::replace_all(Request& req) {
  if (auto r = check_may_mutate(req.context); !r) co_return r.error();
  auto changes = parse_memberships(req.body);
  if (!changes) co_return changes.error();
  auto quota = member_quota_of(req);
  if (!quota) co_return quota.error();
  DbWrite<Done> unit{.apply =
                         [this, ctx = req.context, image = std::string(req.param("image_id")),
                          changes = *changes, quota = *quota](MysqlConnection& db) {
                           return done_or_error(repo_.replace(db, ctx, image, changes, quota));
                         },
                     .read_back =
                         [this, image = std::string(req.param("image_id")),
                          changes = *changes](MysqlConnection& db) {
                           return read_back_members(repo_, db, image,
                                                    [&](const std::vector<Membership>& m) {
                                                      return memberships_replaced(m, changes);
                                                    });
                         }};
  auto done = co_await db_.write(std::move(unit));
  if (!done) co_return done.error();
  co_return no_content();
}

MembersResource::Reply MembersResource::add(Request& req) {
  if (auto r = check_may_mutate(req.context); !r) co_return r.error();
  auto can_share = parse_can_share(req.body);
  if (!can_share) co_return can_share.error();
  auto quota = member_quota_of(req);
  if (!quota) co_return quota.error();
  DbWrite<Done> unit{
      .apply =
          [this, ctx = req.context, image = std::string(req.param("image_id")),
           member = std::string(req.param("member")), can_share = *can_share,
           quota = *quota](MysqlConnection& db) {
            return done_or_error(repo_.add(db, ctx, image, member, can_share, quota));
          },
      .read_back =
          [this, image = std::string(req.param("image_id")),
           member = std::string(req.param("member")), can_share = *can_share](MysqlConnection& db) {
            return read_back_members(repo_, db, image, [&](const std::vector<Membership>& m) {
              return membership_added(m, member, can_share);
            });
          }};
  auto done = co_await db_.write(std::move(unit));
  if (!done) co_return done.error();
  co_return no_content();
}

MembersResource::Reply MembersResource::remove(Request& req) {
  if (auto r = check_may_mutate(req.context); !r) co_return r.error();
  DbWrite<Done> unit{.apply =
                         [this, ctx = req.context, image = std::string(req.param("image_id")),
                          member = std::string(req.param("member"))](MysqlConnection& db) {
                           return done_or_error(repo_.remove(db, ctx, image, member));
                         },
                     .read_back =
                         [this, image = std::string(req.param("image_id")),
                          member = std::string(req.param("member"))](MysqlConnection& db) {
                           return read_back_members(repo_, db, image,
                                                    [&](const std::vector<Membership>& m) {
                                                      return membership_removed(m, member);
                                                    });
                         }};
  auto done = co_await db_.write(std::move(unit));
  if (!done) co_return done.error();
  co_return no_content();
}

MembersResource::Reply MembersResource::shared_images(Request& req) {
  auto shared = co_await db_.read<std::vector<SharedImage>>(
      [&](MysqlConnection& db) { return repo_.shared_with(db, req.context, req.param("member")); });
  if (!shared) co_return shared.error();
  co_return Response::json(200, common::shared_images_document(*shared));
}

void add_member_routes(common::http::Router& r, MembersResource& c) {
  using Req = common::http::Request;
  // Unlike the rest of the registry, the members paths answer a wrong method with 405.
  auto not_allowed = [](Req&) -> MembersResource::Reply {
    auto res = Response::text(405, "405 Method Not Allowed");
    res.headers.set("Allow", "PUT, DELETE");
    co_return res;
  };
  r.add("GET", "/images/{image_id}/members", [&c](Req& q) { return c.index(q); });
  r.add("PUT", "/images/{image_id}/members", [&c](Req& q) { return c.replace_all(q); });
  r.add("*", "/images/{image_id}/members", not_allowed);
  r.add("PUT", "/images/{image_id}/members/{member}", [&c](Req& q) { return c.add(q); });
  r.add("DELETE", "/images/{image_id}/members/{member}", [&c](Req& q) { return c.remove(q); });
  r.add("*", "/images/{image_id}/members/{member}", not_allowed);
  r.add("*", "/shared-images/{member}", [&c](Req& q) { return c.shared_images(q); });
}

}  // namespace glance::registry

#include "registry/tags_resource.h"

#include <charconv>
#include <variant>

namespace glance::registry {

using common::Error;
using common::Result;
using common::http::Response;

namespace {
using Done = std::monostate;  // DbWrite needs a value type

Result<void> check_writable(const common::RequestContext& ctx) {
  if (ctx.read_only) return Error::forbidden("Read-only access");
  return {};
}

Result<std::optional<int64_t>> tag_quota(const common::http::Request& req) {
  auto header = req.headers.get("X-Image-Tag-Quota");
  if (!header) return std::optional<int64_t>();
  int64_t quota = -1;
  auto [end, ec] = std::from_chars(header->data(), header->data() + header->size(), quota);
  if (ec != std::errc() || end != header->data() + header->size() || quota < 0)
    return Error::bad_request("Invalid X-Image-Tag-Quota: a count of tags is expected.");
  return std::optional<int64_t>(quota);
}

Result<Done> done_or_error(const Result<void>& r) {
  if (!r) return r.error();
  return Done{};
}

// The read-back of a tag write: applied when the image's tag presence is `wanted`.
Result<std::optional<Done>> read_back(TagRepository& repo, MysqlConnection& db,
                                      const std::string& image_id, const std::string& tag,
                                      bool wanted) {
  auto has = repo.settled_has(db, image_id, tag);
  if (!has) return has.error();
  if (*has != wanted) return std::optional<Done>();
  return std::optional<Done>(Done{});
}
}  // namespace

TagsResource::Reply TagsResource::add(Request& req) {
  if (auto r = check_writable(req.context); !r) co_return r.error();
  auto quota = tag_quota(req);
  if (!quota) co_return quota.error();
  const std::string image(req.param("id")), tag(req.param("tag"));
  DbWrite<Done> unit{
      .apply =
          [this, ctx = req.context, image, tag, quota = *quota](MysqlConnection& db) {
            return done_or_error(repo_.add(db, ctx, image, tag, quota));
          },
      .read_back = [this, image,
                    tag](MysqlConnection& db) { return read_back(repo_, db, image, tag, true); }};
  auto done = co_await db_.write(std::move(unit));
  if (!done) co_return done.error();
  co_return Response::empty(204);
}

TagsResource::Reply TagsResource::remove(Request& req) {
  if (auto r = check_writable(req.context); !r) co_return r.error();
  const std::string image(req.param("id")), tag(req.param("tag"));
  // A remove whose outcome was lost is done once the tag is absent, even if another request
  // removed it meanwhile: both wanted it gone.
  DbWrite<Done> unit{
      .apply =
          [this, ctx = req.context, image, tag](MysqlConnection& db) {
            return done_or_error(repo_.remove(db, ctx, image, tag));
          },
      .read_back = [this, image,
                    tag](MysqlConnection& db) { return read_back(repo_, db, image, tag, false); }};
  auto done = co_await db_.write(std::move(unit));
  if (!done) co_return done.error();
  co_return Response::empty(204);
}

void add_tag_routes(common::http::Router& r, TagsResource& c) {
  using Req = common::http::Request;
  r.add("PUT", "/v2/images/{id}/tags/{tag}", [&c](Req& q) { return c.add(q); });
  r.add("DELETE", "/v2/images/{id}/tags/{tag}", [&c](Req& q) { return c.remove(q); });
}

}  // namespace glance::registry

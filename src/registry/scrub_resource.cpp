#include "registry/scrub_resource.h"

#include "common/image_json.h"
#include "common/json_writer.h"
#include "registry/scrub_request.h"

namespace glance::registry {

using common::Error;
using common::Image;
using common::Result;
using common::http::Response;
using nlohmann::json;

namespace {
Response image_reply(const Image& image) {
  std::string out;
  common::JsonWriter w(out);
  w.begin_object().key("image");
  common::write_image_json(w, image, false, false);
  w.end_object();
  return Response::json(200, std::move(out));
}

Result<void> refuse_non_admin(const common::RequestContext& ctx) {
  if (ctx.read_only) return Error::forbidden("Read-only access");
  if (!ctx.is_admin) return Error::forbidden("Scrubbing images is for admins only.");
  return {};
}

template <class F>
DbWrite<Image> write_once(F apply) {
  return DbWrite<Image>{.apply = std::move(apply),
                        .read_back = [](MysqlConnection&) -> Result<std::optional<Image>> {
                          return Error::unavailable("lost the database mid-write; try again later");
                        }};
}
}  // namespace

ScrubResource::Reply ScrubResource::claim(Request& req) {
  if (auto r = refuse_non_admin(req.context); !r) co_return r.error();
  auto lease = parse_scrub_lease(req.body);
  if (!lease) co_return lease.error();
  auto unit = write_once([this, ctx = req.context, id = req.param("id"), lease = *lease](
                             MysqlConnection& db) { return repo_.claim(db, ctx, id, lease); });
  auto image = co_await db_.write(std::move(unit));
  if (!image) co_return image.error();
  co_return image_reply(*image);
}

ScrubResource::Reply ScrubResource::finish(Request& req) {
  if (auto r = refuse_non_admin(req.context); !r) co_return r.error();
  auto scrubbed = parse_scrubbed_locations(req.body);
  if (!scrubbed) co_return scrubbed.error();
  auto unit = write_once([this, ctx = req.context, id = req.param("id"), scrubbed = *scrubbed](
                             MysqlConnection& db) { return repo_.finish(db, ctx, id, scrubbed); });
  auto image = co_await db_.write(std::move(unit));
  if (!image) co_return image.error();
  co_return image_reply(*image);
}

ScrubResource::Reply ScrubResource::restore(Request& req) {
  if (auto r = refuse_non_admin(req.context); !r) co_return r.error();
  auto lease = parse_scrub_lease(req.body);
  if (!lease) co_return lease.error();
  auto unit = write_once([this, ctx = req.context, id = req.param("id"), lease = *lease](
                             MysqlConnection& db) { return repo_.restore(db, ctx, id, lease); });
  auto image = co_await db_.write(std::move(unit));
  if (!image) co_return image.error();
  co_return image_reply(*image);
}

void add_scrub_routes(common::http::Router& r, ScrubResource& c) {
  using Req = common::http::Request;
  r.add("PUT", "/images/{id}/scrubber/claim", [&c](Req& q) { return c.claim(q); });
  r.add("PUT", "/images/{id}/scrubber/finish", [&c](Req& q) { return c.finish(q); });
  r.add("PUT", "/images/{id}/scrubber/restore", [&c](Req& q) { return c.restore(q); });
}

}  // namespace glance::registry

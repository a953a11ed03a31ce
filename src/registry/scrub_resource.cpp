#include "registry/scrub_resource.h"

#include "common/image_json.h"
#include "common/json_parse.h"
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

template <class T = Image, class F>
DbWrite<T> write_once(F apply) {
  return DbWrite<T>{.apply = std::move(apply),
                    .read_back = [](MysqlConnection&) -> Result<std::optional<T>> {
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

ScrubResource::Reply ScrubResource::list_locations(Request& req) {
  if (auto r = refuse_non_admin(req.context); !r) co_return r.error();
  auto page = parse_location_page(req.query);
  if (!page) co_return page.error();
  auto listed = co_await db_.read<std::vector<common::PendingLocation>>(
      [this, ctx = req.context, page = *page](MysqlConnection& db) {
        return repo_.list_pending_locations(db, ctx, page.after, page.limit);
      });
  if (!listed) co_return listed.error();
  json out = {{"locations", json::array()}};
  for (const auto& l : *listed) out["locations"].push_back(common::pending_location_to_json(l));
  co_return Response::json(200, common::dump_json(out));
}

ScrubResource::Reply ScrubResource::claim_location(Request& req) {
  if (auto r = refuse_non_admin(req.context); !r) co_return r.error();
  auto location = parse_location_id(req.param("location_id"));
  if (!location) co_return location.error();
  auto lease = parse_scrub_lease(req.body);
  if (!lease) co_return lease.error();
  auto unit = write_once<common::LocationClaim>(
      [this, ctx = req.context, id = req.param("id"), location = *location, lease = *lease](
          MysqlConnection& db) { return repo_.claim_location(db, ctx, id, location, lease); });
  auto claim = co_await db_.write(std::move(unit));
  if (!claim) co_return claim.error();
  co_return Response::json(
      200, common::dump_json(json{{"location", common::location_claim_to_json(*claim)}}));
}

ScrubResource::Reply ScrubResource::finish_location(Request& req) {
  if (auto r = refuse_non_admin(req.context); !r) co_return r.error();
  auto location = parse_location_id(req.param("location_id"));
  if (!location) co_return location.error();
  auto scrubbed = parse_location_scrubbed(req.body);
  if (!scrubbed) co_return scrubbed.error();
  auto unit = write_once<common::ImageLocation>(
      [this, ctx = req.context, id = req.param("id"), location = *location, scrubbed = *scrubbed](
          MysqlConnection& db) { return repo_.finish_location(db, ctx, id, location, scrubbed); });
  auto finished = co_await db_.write(std::move(unit));
  if (!finished) co_return finished.error();
  co_return Response::json(
      200, common::dump_json(json{{"location", common::location_claim_to_json({*finished})}}));
}

void add_scrub_routes(common::http::Router& r, ScrubResource& c) {
  using Req = common::http::Request;
  r.add("PUT", "/images/{id}/scrubber/claim", [&c](Req& q) { return c.claim(q); });
  r.add("PUT", "/images/{id}/scrubber/finish", [&c](Req& q) { return c.finish(q); });
  r.add("PUT", "/images/{id}/scrubber/restore", [&c](Req& q) { return c.restore(q); });
  r.add("GET", "/scrubber/locations", [&c](Req& q) { return c.list_locations(q); });
  r.add("PUT", "/images/{id}/scrubber/locations/{location_id}/claim",
        [&c](Req& q) { return c.claim_location(q); });
  r.add("PUT", "/images/{id}/scrubber/locations/{location_id}/finish",
        [&c](Req& q) { return c.finish_location(q); });
}

}  // namespace glance::registry

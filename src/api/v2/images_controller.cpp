#include "api/v2/images_controller.h"

#include "api/cache/image_cache.h"
#include "api/download.h"
#include "api/external_source.h"
#include "api/image_list_body.h"
#include "api/image_notices.h"
#include "api/image_removal.h"
#include "api/request_checks.h"
#include "api/v2/create_request.h"
#include "api/v2/error_answer.h"
#include "api/v2/image_notices.h"
#include "api/v2/image_patch.h"
#include "api/v2/image_view.h"
#include "api/v2/list_links.h"
#include "api/v2/live_image.h"
#include "api/v2/range_check.h"
#include "common/http/json_body.h"
#include "common/json_writer.h"

namespace glance::api::v2 {

using common::Errc;
using common::Error;
using common::Image;
using common::Result;
using common::http::Response;

namespace {
// Upstream's domain model refuses to save data before both formats are set, naming those
// missing.
Result<void> formats_set_for_saving(const Image& image) {
  std::vector<std::string> missing;
  if (!image.disk_format || image.disk_format->empty()) missing.emplace_back("disk_format");
  if (!image.container_format || image.container_format->empty())
    missing.emplace_back("container_format");
  if (missing.empty()) return {};
  if (missing.size() == 1)
    return Error::bad_request("Property " + missing[0] + " must be set prior to saving data.");
  return Error::bad_request("Properties " + missing[0] + ", " + missing[1] +
                            " must be set prior to saving data.");
}

Response image_response(unsigned status, const Image& image, const LocationView& view) {
  return Response::json(status, image_document(image, view));
}
}  // namespace

LocationView ImagesController::location_view(const common::RequestContext& ctx) const {
  LocationView view{options_.show_multiple_locations, options_.show_image_direct_url, false,
                    ctx.is_admin};
  if (view.show_multiple_locations || view.show_image_direct_url)
    view.may_get_locations = auth_.authorize(ctx, Action::get_image_location).has_value();
  return view;
}

ImagesController::Reply ImagesController::index(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::get_images); !r) co_return r.error();
  auto limit = page_limit(req.query, options_.limit_param_default, options_.api_limit_max);
  if (!limit) co_return limit.error();
  // The registry validates every other parameter and words its 400s as upstream's v2.
  common::http::QueryParams forwarded;
  for (const auto& p : req.query)
    if (p.first != "limit") forwarded.push_back(p);
  forwarded.emplace_back("limit", std::to_string(*limit));
  const LocationView view = location_view(req.context);
  auto render = [view](std::string& out, const Image& image) {
    common::JsonWriter w(out);
    write_image(w, image, view);
  };
  // After the list: the links, "next" when the page is full (there may be more).
  auto tail = [first = first_link(req.query), query = req.query, limit = *limit](
                  size_t images, const Image* last) {
    std::string out = ",";
    common::JsonWriter w(out);
    w.key("first").string(first);
    w.key("schema").string("/v2/schemas/images");
    if (last && static_cast<int64_t>(images) == limit)
      w.key("next").string(next_link(query, last->id));
    out += '}';
    return out;
  };
  auto adjust = [protections = options_.protections, context = req.context](Image& image) {
    hide_unreadable(protections, context, image);
  };
  co_return co_await list_response(registry_, caller_of(req), forwarded, true, std::move(adjust),
                                   std::move(render), std::move(tail));
}

ImagesController::Reply ImagesController::show(Request& req) {
  const auto& id = req.param("id");
  auto image =
      co_await find_live_image(registry_, caller_of(req), id, "No image found with ID " + id);
  if (!image) co_return image.error();
  auto allowed = auth_.authorize(req.context, Action::get_image, Authorizer::image_target(*image));
  if (!allowed) co_return allowed.error();
  hide_unreadable(options_.protections, req.context, *image);
  co_return image_response(200, *image, location_view(req.context));
}

ImagesController::Reply ImagesController::create(Request& req) {
  if (req.body.empty()) co_return Error::bad_request("Body expected in request.");
  auto body = common::http::parse_json_body(req.body);
  if (!body) co_return body.error();
  auto fields = parse_create_request(*body, options_.formats, options_.property_quota);
  if (!fields) co_return fields.error();
  if (auto r = auth_.authorize_v2_create(req.context, *fields); !r) co_return r.error();
  if (options_.protections)
    for (const auto& [key, value] : *fields->properties)
      if (!options_.protections->allows(req.context, key, PropertyOperation::create))
        co_return reserved_property(key);
  if (auto r =
          check_tag_quota(body->value("tags", nlohmann::json::array()).size(), options_.tag_quota);
      !r)
    co_return r.error();
  auto image = co_await registry_.create(caller_of(req), *fields);
  // The registry's only conflict on create is an id in use.
  if (!image && image.error().code() == Errc::conflict && fields->id)
    co_return Error::conflict("Image ID " + *fields->id + " already exists!");
  if (!image) co_return image.error();
  notify_image(options_.notifier, "image.create", *image);
  Response res = image_response(201, *image, location_view(req.context));
  res.headers.set("Location", req.host + image_href(image->id));
  co_return res;
}

ImagesController::Reply ImagesController::destroy(Request& req) {
  const auto& id = req.param("id");
  const Caller caller = caller_of(req);
  const std::string missing = "Failed to find image " + id + " to delete";
  auto image = co_await find_live_image(registry_, caller, id, missing);
  if (!image) co_return image.error();
  if (auto r = auth_.authorize_v2_delete(req.context, *image); !r) co_return r.error();
  if (image->is_protected)
    co_return Error::forbidden("Image " + id + " is protected and cannot be deleted.");
  if (image->status == common::ImageStatus::pending_delete)
    co_return Error::forbidden("Forbidden to delete a pending_delete image.");
  auto removed =
      co_await remove_image_and_data(registry_, stores_, caller, *image, options_.delayed_delete);
  if (!removed) {
    if (removed.error().code() == Errc::not_found) co_return Error::not_found(missing);
    co_return removed.error();
  }
  if (options_.cache) co_await options_.cache->remove(id);
  auto gone = *image;
  gone.status = options_.delayed_delete && !gone.locations.empty()
                    ? common::ImageStatus::pending_delete
                    : common::ImageStatus::deleted;
  notify_deleted(options_.notifier, gone, notice_time_now());
  co_return Response::empty(204);
}

ImagesController::Reply ImagesController::download(Request& req) {
  const auto& id = req.param("id");
  auto image =
      co_await find_live_image(registry_, caller_of(req), id, "No image found with ID " + id);
  if (!image) co_return image.error();
  if (image->status == common::ImageStatus::deactivated && !req.context.is_admin)
    co_return Error::forbidden(
        "The requested image has been deactivated. Image data download is forbidden.");
  auto allowed =
      auth_.authorize(req.context, Action::download_image, Authorizer::image_target(*image));
  if (!allowed) co_return allowed.error();
  // Upstream answers 204 when the image has no location, or its data is not in the store.
  if (!image->active_location()) co_return Response::empty(204);
  if (image->size.value_or(0) > 0) {
    if (auto refusal = refuse_range(req.headers.get("Range"), *image->size)) {
      if (refusal->kind == RangeRefusal::Kind::multiple)
        co_return Error::bad_request(refusal->message);
      co_return Response::text(
          416, "416 Request Range Not Satisfiable\n\nThe Range requested is not available.\n" +
                   refusal->message);
    }
  }
  const auto options = source_read_options(sources_, SourceUse::location);
  auto res = co_await image_data_response(stores_, *image, req.headers.get("Range"), options, true,
                                          options_.cache);
  if (!res && res.error().code() == Errc::not_found) co_return Response::empty(204);
  // Glance v2's image.send names no destination_ip.
  if (res) notify_on_sent(options_.notifier, *res, *image, req.context, "");
  co_return res;
}

ImagesController::Reply ImagesController::upload(Request& req) {
  if (!is_octet_stream(req))
    co_return Error::unsupported_media_type(
        "Invalid content type " + std::string(req.headers.get("Content-Type").value_or("")));
  const auto& id = req.param("id");
  const Caller caller = caller_of(req);
  auto image = co_await find_live_image(registry_, caller, id, "No image found with ID " + id);
  if (!image) co_return image.error();
  if (auto r = auth_.authorize_v2_upload(req.context, *image); !r) co_return r.error();
  if (image->status != common::ImageStatus::queued)
    co_return Error::conflict("Image status transition from " +
                              std::string(to_string(image->status)) + " to saving is not allowed");
  if (auto r = formats_set_for_saving(*image); !r) co_return r.error();
  auto slot = uploads_.try_acquire();
  if (!slot) co_return uploads_.refused(req.headers.get("Accept").value_or(""));
  notify_image(options_.notifier, "image.prepare", *image);
  auto stored = co_await upload_image_data(registry_, stores_.default_store(), caller, *image,
                                           *req.body_reader, options_.limits);
  if (!stored) {
    if (options_.notifier) options_.notifier->error("image.upload", stored.error().message());
    co_return stored.error();
  }
  notify_uploaded(options_.notifier, *stored);
  co_return Response::empty(204);
}

void add_routes(common::http::Router& r, ImagesController& c, const SchemaDocuments& schemas) {
  using Req = common::http::Request;
  r.add("GET", "/v2/images", v2_handler([&c](Req& q) { return c.index(q); }));
  r.add("POST", "/v2/images", v2_handler([&c](Req& q) { return c.create(q); }));
  r.add("GET", "/v2/images/{id}", v2_handler([&c](Req& q) { return c.show(q); }));
  // In upstream's order, which the Allow header of a 405 follows.
  r.add("PATCH", "/v2/images/{id}", v2_handler([&c](Req& q) { return c.update(q); }));
  r.add("DELETE", "/v2/images/{id}", v2_handler([&c](Req& q) { return c.destroy(q); }));
  r.add("GET", "/v2/images/{id}/file", v2_handler([&c](Req& q) { return c.download(q); }));
  r.add("PUT", "/v2/images/{id}/file", v2_handler([&c](Req& q) { return c.upload(q); }),
        common::http::BodyMode::streamed);
  auto document = [](const std::string& text) {
    return [&text](Req&) -> ImagesController::Reply { co_return Response::json(200, text); };
  };
  r.add("GET", "/v2/schemas/image", document(schemas.image()));
  r.add("GET", "/v2/schemas/images", document(schemas.images()));
  r.add("GET", "/v2/schemas/member", document(schemas.member()));
  r.add("GET", "/v2/schemas/members", document(schemas.members()));
}

}  // namespace glance::api::v2

#include "api/v2/images_controller.h"

#include "api/download.h"
#include "api/external_source.h"
#include "api/image_removal.h"
#include "api/request_checks.h"
#include "api/v2/create_request.h"
#include "api/v2/error_answer.h"
#include "api/v2/image_view.h"
#include "api/v2/list_links.h"
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
Caller caller_of(const common::http::Request& req) {
  return Caller{req.context, req.request_id};
}

// Image ids are 36 characters; anything longer names no image, and the registry need not be
// asked.
constexpr size_t kMaxIdChars = 36;

// The live image for a v2 route, with upstream v2's 404 wording.
boost::asio::awaitable<Result<Image>> find(RegistryClient& registry, const Caller& caller,
                                           const std::string& id, const std::string& missing) {
  if (id.size() > kMaxIdChars) co_return Error::not_found(missing);
  auto image = co_await registry.get(caller, id);
  if (!image && image.error().code() == Errc::not_found) co_return Error::not_found(missing);
  // The registry shows admins deleted images; v2 shows them to nobody, as upstream's
  // ImageRepo.get.
  if (image && image->deleted) co_return Error::not_found(missing);
  co_return image;
}

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

Response image_response(unsigned status, const Image& image) {
  return Response::json(status, image_document(image));
}
}  // namespace

ImagesController::Reply ImagesController::index(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::get_images); !r) co_return r.error();
  auto limit = page_limit(req.query, options_.limit_param_default, options_.api_limit_max);
  if (!limit) co_return limit.error();
  // The registry validates every other parameter and words its 400s as upstream's v2.
  common::http::QueryParams forwarded;
  for (const auto& p : req.query)
    if (p.first != "limit") forwarded.push_back(p);
  forwarded.emplace_back("limit", std::to_string(*limit));
  auto images = co_await registry_.list(caller_of(req), forwarded, true);
  if (!images) co_return images.error();

  std::string out;
  out.reserve(images->size() * 900 + 200);
  common::JsonWriter w(out);
  w.begin_object().key("images").begin_array();
  for (const auto& image : *images) write_image(w, image);
  w.end_array();
  w.key("first").string(first_link(req.query));
  w.key("schema").string("/v2/schemas/images");
  if (!images->empty() && static_cast<int64_t>(images->size()) == *limit)
    w.key("next").string(next_link(req.query, images->back().id));
  w.end_object();
  co_return Response::json(200, std::move(out));
}

ImagesController::Reply ImagesController::show(Request& req) {
  const auto& id = req.param("id");
  auto image = co_await find(registry_, caller_of(req), id, "No image found with ID " + id);
  if (!image) co_return image.error();
  auto allowed = auth_.authorize(req.context, Action::get_image, Authorizer::image_target(*image));
  if (!allowed) co_return allowed.error();
  co_return image_response(200, *image);
}

ImagesController::Reply ImagesController::create(Request& req) {
  if (req.body.empty()) co_return Error::bad_request("Body expected in request.");
  auto body = common::http::parse_json_body(req.body);
  if (!body) co_return body.error();
  auto fields = parse_create_request(*body, options_.formats, options_.property_quota);
  if (!fields) co_return fields.error();
  if (auto r = auth_.authorize_v2_create(req.context, *fields); !r) co_return r.error();
  auto image = co_await registry_.create(caller_of(req), *fields);
  // The registry's only conflict on create is an id in use.
  if (!image && image.error().code() == Errc::conflict && fields->id)
    co_return Error::conflict("Image ID " + *fields->id + " already exists!");
  if (!image) co_return image.error();
  Response res = image_response(201, *image);
  res.headers.set("Location", req.host + image_href(image->id));
  co_return res;
}

ImagesController::Reply ImagesController::destroy(Request& req) {
  const auto& id = req.param("id");
  const Caller caller = caller_of(req);
  const std::string missing = "Failed to find image " + id + " to delete";
  auto image = co_await find(registry_, caller, id, missing);
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
  co_return Response::empty(204);
}

ImagesController::Reply ImagesController::download(Request& req) {
  const auto& id = req.param("id");
  auto image = co_await find(registry_, caller_of(req), id, "No image found with ID " + id);
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
  auto res = co_await image_data_response(stores_, *image, req.headers.get("Range"), options, true);
  if (!res && res.error().code() == Errc::not_found) co_return Response::empty(204);
  co_return res;
}

ImagesController::Reply ImagesController::upload(Request& req) {
  if (!is_octet_stream(req))
    co_return Error::unsupported_media_type(
        "Invalid content type " + std::string(req.headers.get("Content-Type").value_or("")));
  const auto& id = req.param("id");
  const Caller caller = caller_of(req);
  auto image = co_await find(registry_, caller, id, "No image found with ID " + id);
  if (!image) co_return image.error();
  if (auto r = auth_.authorize_v2_upload(req.context, *image); !r) co_return r.error();
  if (image->status != common::ImageStatus::queued)
    co_return Error::conflict("Image status transition from " +
                              std::string(to_string(image->status)) + " to saving is not allowed");
  if (auto r = formats_set_for_saving(*image); !r) co_return r.error();
  auto slot = uploads_.try_acquire();
  if (!slot) co_return uploads_.refused(req.headers.get("Accept").value_or(""));
  auto stored = co_await upload_image_data(registry_, stores_.default_store(), caller, *image,
                                           *req.body_reader, options_.limits);
  if (!stored) co_return stored.error();
  co_return Response::empty(204);
}

// Upstream's v2 raises its errors with the message as WebOb's explanation: the answer holds
// the message alone, not the status's generic explanation before it.
static ImagesController::Reply with_v2_errors(ImagesController::Reply reply, std::string accept) {
  auto result = co_await std::move(reply);
  if (result) co_return result;
  co_return error_answer(result.error(), accept);
}

void add_routes(common::http::Router& r, ImagesController& c, const SchemaDocuments& schemas) {
  using Req = common::http::Request;
  auto accept = [](const Req& q) { return std::string(q.headers.get("Accept").value_or("")); };
  r.add("GET", "/v2/images",
        [&c, accept](Req& q) { return with_v2_errors(c.index(q), accept(q)); });
  r.add("POST", "/v2/images",
        [&c, accept](Req& q) { return with_v2_errors(c.create(q), accept(q)); });
  r.add("GET", "/v2/images/{id}",
        [&c, accept](Req& q) { return with_v2_errors(c.show(q), accept(q)); });
  r.add("DELETE", "/v2/images/{id}",
        [&c, accept](Req& q) { return with_v2_errors(c.destroy(q), accept(q)); });
  r.add("GET", "/v2/images/{id}/file",
        [&c, accept](Req& q) { return with_v2_errors(c.download(q), accept(q)); });
  r.add(
      "PUT", "/v2/images/{id}/file",
      [&c, accept](Req& q) { return with_v2_errors(c.upload(q), accept(q)); },
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

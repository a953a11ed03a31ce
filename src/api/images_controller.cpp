#include "api/images_controller.h"

#include "api/cache/image_cache.h"
#include "api/download.h"
#include "api/entity_tag.h"
#include "api/external_source.h"
#include "api/image_headers.h"
#include "api/image_list_body.h"
#include "api/image_lookup.h"
#include "api/image_notices.h"
#include "api/image_removal.h"
#include "api/property_protections.h"
#include "api/request_checks.h"
#include "common/image_id.h"
#include "common/image_json.h"
#include "common/image_validation.h"
#include "common/json_parse.h"

#include <spdlog/spdlog.h>
#include <boost/asio/this_coro.hpp>

namespace glance::api {

namespace net = boost::asio;
using common::Errc;
using common::Error;
using common::Image;
using common::ImageStatus;
using common::Result;
using common::http::Response;
using nlohmann::json;

namespace {

Caller caller_of(const common::http::Request& req) {
  return Caller{req.context, req.request_id};
}

// Upstream words registry failures per action; the code stays the registry's.
Error reword(const Error& e, Errc code, std::string message) {
  return e.code() == code ? Error::with_code(code, std::move(message)) : e;
}

Response image_reply(unsigned status, const Image& image) {
  Response res =
      Response::json(status, common::dump_json(json{{"image", image_to_api_json(image)}}));
  if (image.checksum) res.headers.set("ETag", *image.checksum);
  return res;
}

Error reserve_error(const Error& e, const std::optional<std::string>& id) {
  if (e.code() == Errc::conflict)
    return Error::conflict("An image with identifier " + id.value_or("") + " already exists");
  if (e.code() == Errc::bad_request)
    return Error::bad_request("Failed to reserve image. Got error: " + e.message());
  return reword(e, Errc::forbidden, "Forbidden to reserve image.");
}

Error update_error(const Error& e) {
  if (e.code() == Errc::bad_request)
    return Error::bad_request("Failed to update image metadata. Got error: " + e.message());
  if (e.code() == Errc::forbidden)
    return Error::forbidden("Forbidden to update image: " + e.message());
  return reword(e, Errc::conflict, "Image operation conflicts");
}

// What a caller may write on create: ownership is the caller's unless an admin says
// otherwise, and only admins backdate or pre-delete an image (the registry drops
// those fields from others too); the status follows from the declared size.
common::ImageFields fields_to_reserve(const ImageHeaderRequest& meta,
                                      const common::RequestContext& ctx, bool has_data) {
  auto fields = meta.fields;
  if (!ctx.is_admin) common::drop_system_fields(fields);
  if (!ctx.is_admin || !fields.owner) fields.owner = ctx.owner();
  bool empty_image =
      fields.size && *fields.size == 0 && !has_data && !meta.location && !meta.copy_from;
  fields.status = empty_image ? ImageStatus::active : ImageStatus::queued;
  if (!fields.size || !*fields.size) fields.size = int64_t{0};
  return fields;
}

// What a caller may write on update: timestamps and the deleted flag are ignored, the owner
// only moves for admins, status and id were checked equal already.
common::ImageFields fields_to_update(const ImageHeaderRequest& meta,
                                     const common::RequestContext& ctx) {
  auto fields = meta.fields;
  common::drop_system_fields(fields);
  fields.id.reset();
  if (!ctx.is_admin) fields.owner.reset();
  return fields;
}

// 304 with the metadata headers when the request's If-None-Match names the image's ETag
// (its MD5), so a client holding those bytes need not fetch them again. Beyond upstream v1.
std::optional<Response> not_modified(const common::http::Request& req, const Image& image) {
  auto condition = req.headers.get("If-None-Match");
  if (!condition || !if_none_match_matches(*condition, image.checksum.value_or(""))) return {};
  Response res = Response::empty(304);
  add_image_headers(image, res.headers);
  return res;
}

}  // namespace

net::awaitable<Result<Image>> ImagesController::fetch(const Caller& caller, const std::string& id) {
  co_return co_await fetch_image(registry_, caller, id);
}

ImagesController::Reply ImagesController::list(Request& req, bool detail) {
  if (auto r = auth_.authorize(req.context, Action::get_images); !r) co_return r.error();
  if (auto r = check_list_params(req.query); !r) co_return r.error();
  const Caller caller = caller_of(req);
  std::function<void(Image&)> adjust;
  if (detail)
    adjust = [protections = options_.protections, context = req.context](Image& image) {
      hide_unreadable(protections, context, image);
    };
  co_return co_await list_response(registry_, caller, req.query, detail, std::move(adjust),
                                   v1_list_entry(detail), v1_list_tail);
}

ImagesController::Reply ImagesController::index(Request& req) {
  return list(req, false);
}

ImagesController::Reply ImagesController::detail(Request& req) {
  return list(req, true);
}

ImagesController::Reply ImagesController::meta(Request& req) {
  if (auto r = auth_.authorize(req.context, Action::get_image); !r) co_return r.error();
  const Caller caller = caller_of(req);
  auto image = co_await fetch(caller, req.param("id"));
  if (!image) co_return image.error();
  hide_unreadable(options_.protections, req.context, *image);
  if (auto res = not_modified(req, *image)) co_return std::move(*res);
  Response res = Response::empty(200);
  add_image_headers(*image, res.headers);
  co_return res;
}

ImagesController::Reply ImagesController::show(Request& req) {
  const auto& id = req.param("id");
  if (auto r = auth_.authorize(req.context, Action::get_image); !r) co_return r.error();
  const Caller caller = caller_of(req);
  auto image = co_await fetch(caller, id);
  // Where the answer is 404, download_image is still asked (with no target), so that its
  // refusal comes first, as upstream keeps it.
  if (!image ||
      (image->status != ImageStatus::active && image->status != ImageStatus::deactivated)) {
    if (!image && image.error().code() != Errc::not_found) co_return image.error();
    if (auto r = auth_.authorize(req.context, Action::download_image); !r) co_return r.error();
    if (!image) co_return image.error();
    co_return Error::not_found("Image " + id + " is not active");
  }
  if (image->status == ImageStatus::deactivated)
    co_return Error::forbidden("Image " + id + " is deactivated");
  if (auto r =
          auth_.authorize(req.context, Action::download_image, Authorizer::image_target(*image));
      !r)
    co_return r.error();
  hide_unreadable(options_.protections, req.context, *image);
  if (auto res = not_modified(req, *image)) co_return std::move(*res);
  const auto range = req.headers.get("Range");
  // Locations a client set are fetched under the same policy that accepted them.
  const auto options = source_read_options(sources_, SourceUse::location);
  auto res = co_await image_data_response(stores_, *image, range, options, false, options_.cache);
  if (res) notify_on_sent(options_.notifier, *res, *image, req.context, req.remote);
  co_return res;
}

net::awaitable<Result<Image>> ImagesController::receive_data(
    Request& req, const Caller& caller, const Image& image,
    const std::optional<std::string>& store_name) {
  if (auto r = check_formats_set(image); !r) co_return r.error();
  if (!is_octet_stream(req)) {
    common::ImageFields kill;
    kill.status = ImageStatus::killed;
    co_await registry_.update(caller, image.id, kill, false, ImageStatus::queued);
    co_return Error::bad_request("Content-Type must be application/octet-stream");
  }
  store::Store* target = store_name ? stores_.find(*store_name) : &stores_.default_store();
  if (!target) co_return Error::bad_request("Store for scheme " + *store_name + " not found");
  notify_image(options_.notifier, "image.prepare", image);
  auto active = co_await upload_image_data(registry_, *target, caller, image, *req.body_reader,
                                           options_.limits);
  if (active)
    notify_uploaded(options_.notifier, *active);
  else
    notify_upload_failed(options_.notifier, active.error().message());
  co_return active;
}

ImagesController::Reply ImagesController::create(Request& req) {
  auto meta = parse_image_headers(req.headers, options_.formats);
  if (!meta) co_return meta.error();
  if (auto r = check_declared_size(req, *meta, options_.limits.image_size_cap); !r)
    co_return r.error();
  bool has_data = req.has_body();
  if (auto r = auth_.authorize_image_write(req.context, Action::add_image, *meta, has_data); !r)
    co_return r.error();
  if (auto r = check_property_protections(options_.protections, req.context, *meta, nullptr, true);
      !r)
    co_return r.error();
  if (auto r = check_property_quota(*meta, nullptr, true, options_.property_quota); !r)
    co_return r.error();
  if (auto r = auth_.authorize_location(req.context, *meta); !r) co_return r.error();
  if (auto r = check_external_source(*meta, has_data, stores_, sources_); !r) co_return r.error();
  if (meta->store && !stores_.knows(*meta->store))
    co_return Error::bad_request("Required store " + *meta->store + " is invalid");
  if (meta->fields.id && !common::is_uuid_like(*meta->fields.id))
    co_return Error::bad_request("Invalid image id format");

  Caller caller = caller_of(req);
  auto fields = fields_to_reserve(*meta, req.context, has_data);
  // A location without a declared size is measured before anything is reserved, so that a
  // missing or refused one leaves no image behind.
  bool size_known = false;
  if (meta->location && fields.size.value_or(0) == 0) {
    auto size = co_await location_size(stores_, sources_, *meta->location);
    if (!size) co_return size.error();
    fields.size = static_cast<int64_t>(*size);
    size_known = true;
  }
  auto admission = admit(req, *meta, has_data);
  if (auto* refusal = std::get_if<Response>(&admission)) co_return std::move(*refusal);
  auto image = co_await registry_.create(caller, fields);
  if (!image) co_return reserve_error(image.error(), meta->fields.id);
  notify_image(options_.notifier, "image.create", *image);
  auto filled =
      co_await fill(req, caller, *image, *meta, size_known, std::get<0>(std::move(admission)));
  if (!filled) co_return filled.error();
  Response res = image_reply(201, *filled);
  res.headers.set("Location", req.host + "/v1/images/" + filled->id);
  co_return res;
}

ImagesController::Reply ImagesController::update(Request& req) {
  auto meta = parse_image_headers(req.headers, options_.formats);
  if (!meta) co_return meta.error();
  if (auto r = check_declared_size(req, *meta, options_.limits.image_size_cap); !r)
    co_return r.error();
  bool has_data = req.has_body();
  if (auto r = auth_.authorize_image_write(req.context, Action::modify_image, *meta, has_data); !r)
    co_return r.error();
  Caller caller = caller_of(req);
  auto current = co_await fetch(caller, req.param("id"));
  if (!current) co_return current.error();
  if (auto r = check_update_allowed(*current, *meta, req.context); !r) co_return r.error();
  if (has_data && current->status != ImageStatus::queued)
    co_return Error::conflict("Cannot upload to an unqueued image");
  if ((meta->location || meta->copy_from) && current->status != ImageStatus::queued)
    co_return Error::bad_request(
        "Attempted to update Location field for an image not in queued status.");
  if (auto r = auth_.authorize_location(req.context, *meta); !r) co_return r.error();
  if (auto r = check_external_source(*meta, has_data, stores_, sources_); !r) co_return r.error();
  if (meta->store && !stores_.knows(*meta->store))
    co_return Error::bad_request("Store for scheme " + *meta->store + " not found");

  // A PUT carrying data never purges properties.
  bool purge = meta->purge_props && !has_data;
  if (auto r =
          check_property_protections(options_.protections, req.context, *meta, &*current, purge);
      !r)
    co_return r.error();
  if (auto r = check_property_quota(*meta, &*current, purge, options_.property_quota); !r)
    co_return r.error();
  const auto fields = fields_to_update(*meta, req.context);
  auto admission = admit(req, *meta, has_data);
  if (auto* refusal = std::get_if<Response>(&admission)) co_return std::move(*refusal);
  auto image = co_await registry_.update(caller, current->id, fields, purge, std::nullopt);
  if (!image) co_return update_error(image.error());
  auto filled = co_await fill(req, caller, *image, *meta, false, std::get<0>(std::move(admission)));
  if (!filled) co_return filled.error();
  notify_image(options_.notifier, "image.update", *filled);
  hide_unreadable(options_.protections, req.context, *filled);
  co_return image_reply(200, *filled);
}

ImagesController::Reply ImagesController::destroy(Request& req) {
  if (auto r = Authorizer::check_writable(req.context); !r) co_return r.error();
  if (auto r = auth_.authorize(req.context, Action::delete_image); !r) co_return r.error();
  const auto& id = req.param("id");
  Caller caller = caller_of(req);
  auto image = co_await fetch(caller, id);
  if (!image) co_return image.error();
  if (image->is_protected) co_return Error::forbidden("Image is protected");
  if (image->status == ImageStatus::pending_delete)
    co_return Error::forbidden("Forbidden to delete a pending_delete image.");
  if (image->status == ImageStatus::deleted)
    co_return Error::not_found("Image " + id + " not found.");
  auto removed =
      co_await remove_image_and_data(registry_, stores_, caller, *image, options_.delayed_delete);
  if (!removed) co_return removed.error();
  if (options_.cache) co_await options_.cache->remove(id);
  auto gone = *image;
  gone.status = options_.delayed_delete && !gone.locations.empty() ? ImageStatus::pending_delete
                                                                   : ImageStatus::deleted;
  notify_image(options_.notifier, "image.delete", gone);
  co_return Response::empty(200);
}

net::awaitable<Result<Image>> ImagesController::fill(Request& req, const Caller& caller,
                                                     const Image& image,
                                                     const ImageHeaderRequest& meta,
                                                     bool size_known,
                                                     std::optional<ConcurrencyLimit::Slot> slot) {
  if (req.has_body()) co_return co_await receive_data(req, caller, image, meta.store);
  if (meta.location || meta.copy_from)
    co_return co_await use_external_source(caller, image, meta, size_known, std::move(slot));
  co_return image;
}

ImagesController::Admission ImagesController::admit(const Request& req,
                                                    const ImageHeaderRequest& meta, bool has_data) {
  const auto accept = req.headers.get("Accept").value_or("");
  if (has_data) {
    auto slot = uploads_.try_acquire();
    if (!slot) return uploads_.refused(accept);
    return slot;
  }
  if (meta.copy_from) {
    auto slot = copies_.try_reserve();
    if (!slot) return copies_.refused(accept);
    return slot;
  }
  return std::optional<ConcurrencyLimit::Slot>();
}

net::awaitable<Result<Image>> ImagesController::use_external_source(
    const Caller& caller, const Image& image, const ImageHeaderRequest& meta, bool size_known,
    std::optional<ConcurrencyLimit::Slot> slot) {
  if (meta.location) {
    auto active = co_await activate_at_location(registry_, stores_, sources_, caller, image,
                                                *meta.location, size_known);
    if (active) {
      notify_image(options_.notifier, "image.activate", *active);
      notify_image(options_.notifier, "image.update", *active);
    }
    if (!active && active.error().code() != Errc::bad_request &&
        active.error().code() != Errc::conflict && active.error().code() != Errc::not_found)
      co_return update_error(active.error());
    co_return active;
  }
  store::Store* target = meta.store ? stores_.find(*meta.store) : &stores_.default_store();
  if (!target) co_return Error::bad_request("Store for scheme " + *meta.store + " not found");
  auto executor = co_await net::this_coro::executor;
  copies_.start(executor, caller, image, *meta.copy_from, *target, std::move(*slot));
  co_return image;
}

void add_image_routes(common::http::Router& r, ImagesController& c) {
  using Req = common::http::Request;
  using common::http::BodyMode;
  // The empty path under /v1 is redirected, as upstream's router does.
  r.add("*", "/v1", [](Req&) -> ImagesController::Reply {
    Response res = Response::empty(302);
    res.headers.set("Location", "/v1/");
    co_return res;
  });
  r.add("*", "/v1/", [&c](Req& q) { return c.index(q); });
  r.add("GET", "/v1/images", [&c](Req& q) { return c.index(q); });
  r.add(
      "POST", "/v1/images", [&c](Req& q) { return c.create(q); }, BodyMode::streamed);
  r.add("GET", "/v1/images/detail", [&c](Req& q) { return c.detail(q); });
  r.add("HEAD", "/v1/images/detail", [](Req& q) -> ImagesController::Reply {
    auto res = common::http::to_response(
        Error::method_not_allowed(
            "This operation is currently not permitted on Glance images details."),
        q.headers.get("Accept").value_or(""));
    res.headers.set("Allow", "GET");
    co_return res;
  });
  r.add("HEAD", "/v1/images/{id}", [&c](Req& q) { return c.meta(q); });
  r.add("GET", "/v1/images/{id}", [&c](Req& q) { return c.show(q); });
  r.add(
      "PUT", "/v1/images/{id}", [&c](Req& q) { return c.update(q); }, BodyMode::streamed);
  r.add("DELETE", "/v1/images/{id}", [&c](Req& q) { return c.destroy(q); });
}

}  // namespace glance::api

#include "registry/images_resource.h"

#include "common/http/json_body.h"
#include "common/image_json.h"
#include "common/image_validation.h"
#include "common/json_parse.h"

namespace glance::registry {

using common::Error;
using common::Image;
using common::Result;
using common::http::Response;
using nlohmann::json;

namespace {
Response image_reply(const Image& image, bool v2) {
  std::string out;
  common::JsonWriter w(out);
  w.begin_object().key("image");
  common::write_image_json(w, image, false, v2);
  w.end_object();
  return Response::json(200, std::move(out));
}

Result<common::ImageFields> fields_from_body(const json& body, bool v2) {
  if (!body.is_object() || !body.contains("image") || !body["image"].is_object())
    return Error::bad_request("Expected an 'image' object in the request body.");
  return common::image_fields_from_json(body["image"], v2);
}

// Drops what this caller may not set, then refuses invalid values before anything is
// written. Only admins set the system fields; on update nobody sets them or the id, so those
// are ignored rather than judged. v1 takes the owner from admins only; v2 from whoever may
// change the image, as upstream v2 saves the owner a patch added (the repository undoes a
// change that would hide the image from its caller).
Result<common::ImageFields> writable_fields(common::ImageFields fields,
                                            const common::RequestContext& ctx, bool creating,
                                            bool v2) {
  if (!ctx.is_admin || !creating) common::drop_system_fields(fields);
  if (!ctx.is_admin && (creating || !v2)) fields.owner.reset();
  if (!creating) fields.id.reset();
  if (auto r = common::validate_image_fields(fields); !r) return r.error();
  return fields;
}

Result<void> refuse_read_only(const common::RequestContext& ctx) {
  if (ctx.read_only) return Error::forbidden("Read-only access");
  return {};
}
}  // namespace

ImagesResource::Reply ImagesResource::list(Request& req, bool detail) {
  auto query = v2_ ? parse_v2_list_query(req.query, default_limit_, max_limit_)
                   : parse_list_query(req.query, default_limit_, max_limit_, req.context.is_admin);
  if (!query) co_return query.error();
  auto images = co_await db_.read<std::vector<Image>>(
      [&](MysqlConnection& db) { return repo_.list(db, req.context, *query, detail); });
  if (!images) co_return images.error();
  std::string out;
  out.reserve(images->size() * (detail ? 700 : 200));
  common::JsonWriter w(out);
  w.begin_object().key("images").begin_array();
  for (const auto& img : *images) common::write_image_json(w, img, !detail, v2_);
  w.end_array().end_object();
  co_return Response::json(200, std::move(out));
}

ImagesResource::Reply ImagesResource::index(Request& req) {
  return list(req, false);
}
ImagesResource::Reply ImagesResource::detail(Request& req) {
  return list(req, true);
}

ImagesResource::Reply ImagesResource::create(Request& req) {
  if (auto r = refuse_read_only(req.context); !r) co_return r.error();
  auto body = common::http::parse_json_body(req.body);
  if (!body) co_return body.error();
  auto decoded = fields_from_body(*body, v2_);
  if (!decoded) co_return decoded.error();
  auto fields = writable_fields(std::move(*decoded), req.context, true, v2_);
  if (!fields) co_return fields.error();
  if (!fields->id) fields->id = ids_.new_id();
  DbWrite<Image> unit{
      .apply = [this, ctx = req.context,
                fields = *fields](MysqlConnection& db) { return repo_.create(db, ctx, fields); },
      .read_back = [this, ctx = req.context, fields = *fields](
                       MysqlConnection& db) { return repo_.find_created(db, ctx, fields); }};
  auto image = co_await db_.write(std::move(unit));
  if (!image) co_return image.error();
  co_return image_reply(*image, v2_);  // the registry answers 200, not 201
}

ImagesResource::Reply ImagesResource::show(Request& req) {
  auto image = co_await db_.read<Image>(
      [&](MysqlConnection& db) { return repo_.get(db, req.context, req.param("id")); });
  if (!image) co_return image.error();
  co_return image_reply(*image, v2_);
}

ImagesResource::Reply ImagesResource::update(Request& req) {
  if (auto r = refuse_read_only(req.context); !r) co_return r.error();
  auto body = common::http::parse_json_body(req.body);
  if (!body) co_return body.error();
  auto decoded = fields_from_body(*body, v2_);
  if (!decoded) co_return decoded.error();
  auto fields = writable_fields(std::move(*decoded), req.context, false, v2_);
  if (!fields) co_return fields.error();
  std::optional<common::ImageStatus> from_state;
  if (body->contains("from_state") && !(*body)["from_state"].is_null()) {
    const auto& fs = (*body)["from_state"];
    if (!fs.is_string() || !common::image_status_from_string(fs.get<std::string>()))
      co_return Error::bad_request("Invalid from_state");
    from_state = common::image_status_from_string(fs.get<std::string>());
  }
  // Only the exact lower-case "true" purges, as upstream compares it.
  bool purge =
      req.headers.get("X-Glance-Registry-Purge-Props") == std::optional<std::string_view>("true");
  DbWrite<Image> unit{
      .apply =
          [this, ctx = req.context, id = req.param("id"), fields = *fields, purge, from_state](
              MysqlConnection& db) { return repo_.update(db, ctx, id, fields, purge, from_state); },
      .read_back =
          [this, ctx = req.context, id = req.param("id"), fields = *fields,
           purge](MysqlConnection& db) { return repo_.find_updated(db, ctx, id, fields, purge); }};
  auto image = co_await db_.write(std::move(unit));
  if (!image) co_return image.error();
  co_return image_reply(*image, v2_);
}

ImagesResource::Reply ImagesResource::destroy(Request& req) {
  if (auto r = refuse_read_only(req.context); !r) co_return r.error();
  DbWrite<Image> unit{
      .apply = [this, ctx = req.context,
                id = req.param("id")](MysqlConnection& db) { return repo_.destroy(db, ctx, id); },
      .read_back = [this, ctx = req.context, id = req.param("id")](
                       MysqlConnection& db) { return repo_.find_destroyed(db, ctx, id); }};
  auto image = co_await db_.write(std::move(unit));
  if (!image) co_return image.error();
  co_return image_reply(*image, v2_);
}

ImagesResource::Reply ImagesResource::usage(Request& req) {
  std::string exclude(common::http::find_param(req.query, "exclude_image").value_or(""));
  auto bytes = co_await db_.read<int64_t>([&](MysqlConnection& db) {
    return repo_.storage_usage(db, req.context, req.param("owner"), exclude);
  });
  if (!bytes) co_return bytes.error();
  co_return Response::json(200, common::dump_json(json{{"usage", *bytes}}));
}

ImagesResource::Reply ImagesResource::reserve(Request& req) {
  if (auto r = refuse_read_only(req.context); !r) co_return r.error();
  auto body = common::http::parse_json_body(req.body);
  if (!body) co_return body.error();
  auto number = [&](const char* key) -> std::optional<int64_t> {
    if (!body->is_object() || !body->contains(key) || !(*body)[key].is_number_integer())
      return std::nullopt;
    auto n = (*body)[key].get<int64_t>();
    return n < 0 ? std::nullopt : std::optional<int64_t>(n);
  };
  auto size = number("size"), quota = number("quota");
  if (!size || !quota) co_return Error::bad_request("Expected a 'size' and a 'quota' in bytes.");
  DbWrite<StorageReservation> unit{
      .apply = [this, ctx = req.context, id = req.param("id"), size = *size, quota = *quota](
                   MysqlConnection& db) { return repo_.reserve_storage(db, ctx, id, size, quota); },
      .read_back = [this, ctx = req.context, id = req.param("id"), size = *size](
                       MysqlConnection& db) { return repo_.find_reservation(db, ctx, id, size); }};
  auto done = co_await db_.write(std::move(unit));
  if (!done) co_return done.error();
  co_return Response::json(
      200, common::dump_json(json{{"reserved", done->reserved}, {"usage", done->usage}}));
}

void add_image_routes(common::http::Router& r, ImagesResource& c) {
  using Req = common::http::Request;
  r.add("*", "/", [&c](Req& q) { return c.index(q); });
  r.add("GET", "/images", [&c](Req& q) { return c.index(q); });
  r.add("POST", "/images", [&c](Req& q) { return c.create(q); });
  r.add("GET", "/images/detail", [&c](Req& q) { return c.detail(q); });
  r.add("GET", "/images/{id}", [&c](Req& q) { return c.show(q); });
  r.add("PUT", "/images/{id}", [&c](Req& q) { return c.update(q); });
  r.add("DELETE", "/images/{id}", [&c](Req& q) { return c.destroy(q); });
  // Not in upstream's registry API (its api read the database itself for quotas): the api
  // asks here, so that it never touches MySQL.
  r.add("GET", "/usage/{owner}", [&c](Req& q) { return c.usage(q); });
  // Also ours: the quota check and the reservation in one call, so that concurrent uploads
  // cannot all pass a check made before any of them counted.
  r.add("PUT", "/reservations/{id}", [&c](Req& q) { return c.reserve(q); });
}

void add_v2_image_routes(common::http::Router& r, ImagesResource& c) {
  using Req = common::http::Request;
  r.add("POST", "/v2/images", [&c](Req& q) { return c.create(q); });
  r.add("GET", "/v2/images/detail", [&c](Req& q) { return c.detail(q); });
  r.add("GET", "/v2/images/{id}", [&c](Req& q) { return c.show(q); });
  r.add("PUT", "/v2/images/{id}", [&c](Req& q) { return c.update(q); });
  r.add("DELETE", "/v2/images/{id}", [&c](Req& q) { return c.destroy(q); });
}

}  // namespace glance::registry

#include "api/v2/tags_controller.h"

#include "api/v2/error_answer.h"
#include "api/v2/image_notices.h"
#include "api/v2/live_image.h"

#include <algorithm>

namespace glance::api::v2 {

using common::Errc;
using common::Error;
using common::Result;
using common::http::Response;

namespace {
constexpr size_t kMaxTagChars = 255;  // the image schema's maxLength for a tag

// Characters of UTF-8 text (the router refused anything else).
size_t chars_of(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Upstream validates {"tags": [tag]} against the image schema before anything else.
Result<void> check_tag(const std::string& tag) {
  if (chars_of(tag) > kMaxTagChars)
    return Error::bad_request("Provided object does not match schema 'image': '" + tag +
                              "' is too long");
  return {};
}

// Upstream's controller answers every refusal of the image (its owner, the policy) with one
// message of its own.
Error reworded(const Error& e, const std::string& forbidden, const std::string& missing) {
  if (e.code() == Errc::forbidden) return Error::forbidden(forbidden);
  if (e.code() == Errc::not_found) return Error::not_found(missing);
  return e;
}

std::string missing_image(const std::string& id) {
  return "Image " + id + " not found.";
}
}  // namespace

TagsController::Reply TagsController::update(Request& req) {
  const auto& id = req.param("id");
  const auto& tag = req.param("tag");
  if (auto r = reject_body(req); !r) co_return r.error();
  if (auto r = check_tag(tag); !r) co_return r.error();
  if (auto r = Authorizer::check_writable(req.context); !r) co_return r.error();
  const Caller caller = caller_of(req);
  const std::string refused = "Not allowed to update tags for image " + id + ".";
  auto image = co_await find_live_image(registry_, caller, id, missing_image(id));
  if (!image) co_return image.error();
  if (auto r = auth_.authorize(req.context, Action::get_image, Authorizer::image_target(*image));
      !r)
    co_return Error::forbidden(refused);
  if (auto r = auth_.authorize_v2_change(req.context, *image, Action::modify_image, refused); !r)
    co_return Error::forbidden(refused);
  std::optional<int64_t> quota;
  if (tag_quota_ >= 0) quota = tag_quota_;
  auto added = co_await registry_.add_tag(caller, id, tag, quota);
  if (!added) {
    if (added.error().code() == Errc::payload_too_large)
      co_return Error::payload_too_large("Image tag limit exceeded for image " + id + ": " +
                                         added.error().message() + ":");
    co_return reworded(added.error(), refused, missing_image(id));
  }
  co_await notify_changed(caller, *image);
  co_return Response::empty(204);
}

TagsController::Reply TagsController::remove(Request& req) {
  const auto& id = req.param("id");
  const auto& tag = req.param("tag");
  if (auto r = reject_body(req); !r) co_return r.error();
  if (auto r = Authorizer::check_writable(req.context); !r) co_return r.error();
  const Caller caller = caller_of(req);
  const std::string refused = "Not allowed to delete tags for image " + id + ".";
  auto image = co_await find_live_image(registry_, caller, id, missing_image(id));
  if (!image) co_return image.error();
  if (auto r = auth_.authorize(req.context, Action::get_image, Authorizer::image_target(*image));
      !r)
    co_return Error::forbidden(refused);
  // Upstream looks for the tag before asking whether the caller may change the image.
  if (std::find(image->tags.begin(), image->tags.end(), tag) == image->tags.end())
    co_return Error::not_found("");
  if (auto r = auth_.authorize_v2_change(req.context, *image, Action::modify_image, refused); !r)
    co_return Error::forbidden(refused);
  auto removed = co_await registry_.remove_tag(caller, id, tag);
  if (!removed) {
    // Removed meanwhile by another request, or the image deleted: a 404 either way.
    if (removed.error().code() == Errc::not_found) co_return Error::not_found("");
    co_return reworded(removed.error(), refused, missing_image(id));
  }
  co_await notify_changed(caller, *image);
  co_return Response::empty(204);
}

boost::asio::awaitable<void> TagsController::notify_changed(const Caller& caller,
                                                            const common::Image& before) {
  if (!notifier_) co_return;
  // The registry changed the tag alone: the payload is the image as it holds it now.
  auto after = co_await registry_.get(caller, before.id);
  notify_image(notifier_, "image.update", after ? *after : before);
}

void add_tag_routes(common::http::Router& r, TagsController& c) {
  using Req = common::http::Request;
  r.add("PUT", "/v2/images/{id}/tags/{tag}", v2_handler([&c](Req& q) { return c.update(q); }));
  r.add("DELETE", "/v2/images/{id}/tags/{tag}", v2_handler([&c](Req& q) { return c.remove(q); }));
}

}  // namespace glance::api::v2

#include "api/image_notices.h"

#include "api/image_headers.h"
#include "common/image_status.h"

namespace glance::api {

namespace {

nlohmann::json or_null(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// The length of the body `res` sends; a stream of unknown length sends the whole image.
uint64_t body_length(const common::http::Response& res, const common::Image& image) {
  using common::http::FileRange;
  using common::http::StreamBody;
  if (auto* text = std::get_if<std::string>(&res.body)) return text->size();
  if (auto* file = std::get_if<FileRange>(&res.body)) return file->length;
  auto& stream = std::get<StreamBody>(res.body);
  return stream.length.value_or(static_cast<uint64_t>(image.size.value_or(0)));
}

}  // namespace

void notify_image(common::notify::Notifier* notifier, const char* event,
                  const common::Image& image) {
  if (notifier) notifier->info(event, image_to_api_json(image));
}

void notify_uploaded(common::notify::Notifier* notifier, const common::Image& active) {
  if (!notifier) return;
  // Glance records the size and checksum while the image is still saving, and says so, then
  // activates it; here both happen in one registry call.
  auto stored = image_to_api_json(active);
  stored["status"] = std::string(common::to_string(common::ImageStatus::saving));
  notifier->info("image.upload", std::move(stored));
  notify_image(notifier, "image.activate", active);
  notify_image(notifier, "image.update", active);
}

void notify_upload_failed(common::notify::Notifier* notifier, const std::string& message) {
  if (notifier) notifier->error("image.upload", message);
}

void notify_on_sent(common::notify::Notifier* notifier, common::http::Response& res,
                    const common::Image& image, const common::RequestContext& receiver,
                    const std::string& destination_ip) {
  if (!notifier) return;
  const uint64_t expected_bytes = body_length(res, image);
  nlohmann::json payload{{"image_id", image.id},
                         {"owner_id", or_null(image.owner)},
                         {"receiver_tenant_id", or_null(receiver.tenant)},
                         {"receiver_user_id", or_null(receiver.user_id)}};
  if (!destination_ip.empty()) payload["destination_ip"] = destination_ip;
  res.on_sent = [notifier, payload = std::move(payload), expected_bytes](uint64_t sent) mutable {
    payload["bytes_sent"] = sent;
    if (sent == expected_bytes)
      notifier->info("image.send", std::move(payload));
    else
      notifier->error("image.send", std::move(payload));
  };
}

}  // namespace glance::api

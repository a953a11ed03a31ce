#include "api/v2/image_notices.h"

#include "common/clock.h"
#include "common/image_status.h"

#include <chrono>

namespace glance::api::v2 {

namespace {

nlohmann::json or_null(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// Glance's isotime: whole seconds and a Z; the wire format carries microseconds.
std::string isotime(const std::string& wire) {
  return wire.size() >= 19 ? wire.substr(0, 19) + "Z" : wire;
}

}  // namespace

nlohmann::json image_payload(const common::Image& image) {
  nlohmann::json properties = nlohmann::json::object();
  for (const auto& [key, value] : image.properties)
    if (value) properties[key] = *value;
  return {{"id", image.id},
          {"name", or_null(image.name)},
          {"status", std::string(common::to_string(image.status))},
          {"created_at", isotime(image.created_at)},
          {"updated_at", isotime(image.updated_at.value_or(image.created_at))},
          {"min_disk", image.min_disk},
          {"min_ram", image.min_ram},
          {"protected", image.is_protected},
          {"checksum", or_null(image.checksum)},
          {"owner", or_null(image.owner)},
          {"disk_format", or_null(image.disk_format)},
          {"container_format", or_null(image.container_format)},
          {"size", or_null(image.size)},
          {"virtual_size", or_null(image.virtual_size)},
          {"is_public", image.visibility == "public"},
          {"visibility", image.visibility},
          {"properties", std::move(properties)},
          {"tags", image.tags},
          {"deleted", false},
          {"deleted_at", nullptr}};
}

void notify_image(common::notify::Notifier* notifier, const char* event,
                  const common::Image& image) {
  if (notifier) notifier->info(event, image_payload(image));
}

void notify_deleted(common::notify::Notifier* notifier, const common::Image& image,
                    const std::string& now) {
  if (!notifier) return;
  auto payload = image_payload(image);
  payload["deleted"] = true;
  payload["deleted_at"] = isotime(now);
  notifier->info("image.delete", std::move(payload));
}

void notify_uploaded(common::notify::Notifier* notifier, const common::Image& active) {
  notify_image(notifier, "image.upload", active);
  notify_image(notifier, "image.activate", active);
  notify_image(notifier, "image.update", active);
}

nlohmann::json member_payload(const common::ImageMembership& member) {
  auto payload = common::membership_json(member);
  payload["created_at"] = isotime(member.created_at);
  payload["updated_at"] = isotime(member.updated_at);
  payload["deleted"] = false;
  payload["deleted_at"] = nullptr;
  return payload;
}

void notify_member(common::notify::Notifier* notifier, const char* event,
                   const common::ImageMembership& member) {
  if (notifier) notifier->info(event, member_payload(member));
}

void notify_member_deleted(common::notify::Notifier* notifier,
                           const common::ImageMembership& member, const std::string& now) {
  if (!notifier) return;
  auto payload = member_payload(member);
  payload["deleted"] = true;
  payload["deleted_at"] = isotime(now);
  notifier->info("image.member.delete", std::move(payload));
}

std::string notice_time_now() {
  return common::format_timestamp(
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()));
}

}  // namespace glance::api::v2

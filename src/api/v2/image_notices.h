#pragma once

#include "common/image.h"
#include "common/image_membership.h"
#include "common/notify/notifier.h"

#include <string>

namespace glance::api::v2 {

// The image events of the Images API v2, as Glance v2 sends them. Each takes the notifier,
// which may be null (no notifications), and never fails.

// Glance v2's notification payload of an image: id, name, status, created_at, updated_at
// ("YYYY-MM-DDTHH:MM:SSZ"), min_disk, min_ram, protected, checksum, owner, disk_format,
// container_format, size, virtual_size, is_public, visibility, properties, tags, deleted
// (false) and deleted_at (null). No locations: they may hold credentials.
nlohmann::json image_payload(const common::Image& image);

// `event` at INFO with image_payload(image).
void notify_image(common::notify::Notifier* notifier, const char* event,
                  const common::Image& image);

// image.delete: the payload of the deleted image, with deleted true and deleted_at `now`
// (the wire format's timestamp).
void notify_deleted(common::notify::Notifier* notifier, const common::Image& image,
                    const std::string& now);

// The events of a finished upload: image.upload, image.activate, image.update.
void notify_uploaded(common::notify::Notifier* notifier, const common::Image& active);

// Glance v2's payload of a membership: image_id, member_id, status, created_at and
// updated_at (as image_payload's), deleted (false) and deleted_at (null).
nlohmann::json member_payload(const common::ImageMembership& member);

// `event` (image.member.create, image.member.update) at INFO with member_payload(member).
void notify_member(common::notify::Notifier* notifier, const char* event,
                   const common::ImageMembership& member);

// image.member.delete: the payload of the removed membership, with deleted true and
// deleted_at `now` (the wire format's timestamp).
void notify_member_deleted(common::notify::Notifier* notifier,
                           const common::ImageMembership& member, const std::string& now);

// Now, in the wire format's timestamp, for deleted_at.
std::string notice_time_now();

}  // namespace glance::api::v2

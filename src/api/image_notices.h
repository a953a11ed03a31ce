#pragma once

#include "common/http/response.h"
#include "common/image.h"
#include "common/notify/notifier.h"
#include "common/request_context.h"

#include <string>

namespace glance::api {

// The image events of the Images API v1, as Glance v1 sends them. Each takes the notifier
// that may be null (no notifications) and never fails.

// `event` ("image.create", "image.update", ...) at INFO with the image's v1 metadata,
// locations left out as they may hold credentials.
void notify_image(common::notify::Notifier* notifier, const char* event,
                  const common::Image& image);

// The events of a finished upload: image.upload (the data stored, the image still saving),
// image.activate and image.update (the image active).
void notify_uploaded(common::notify::Notifier* notifier, const common::Image& active);

// image.upload at ERROR with `message`, for an upload that failed.
void notify_upload_failed(common::notify::Notifier* notifier, const std::string& message);

// Arranges image.send once `res`, the image's data, was written: bytes_sent, image_id,
// owner_id, receiver_tenant_id, receiver_user_id and, with `destination_ip` non-empty (v1),
// destination_ip. INFO when the whole body went out, else ERROR.
void notify_on_sent(common::notify::Notifier* notifier, common::http::Response& res,
                    const common::Image& image, const common::RequestContext& receiver,
                    const std::string& destination_ip);

}  // namespace glance::api

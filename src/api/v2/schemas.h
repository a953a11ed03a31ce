#pragma once

#include "common/image_formats.h"

#include <string>

namespace glance::api::v2 {

// The JSON schema documents GET /v2/schemas/{image,images,member,members} serve, as upstream
// Rocky's schemas controller renders them (clients such as python-glanceclient validate
// against them). They are built once from templates compiled into this file's .cpp; only the
// disk_format and container_format enums come from the configuration. Immutable after
// construction; safe for concurrent reads.
class SchemaDocuments {
 public:
  explicit SchemaDocuments(const common::ImageFormats& formats);

  const std::string& image() const { return image_; }
  const std::string& images() const { return images_; }
  const std::string& member() const { return member_; }
  const std::string& members() const { return members_; }

 private:
  std::string image_, images_, member_, members_;
};

}  // namespace glance::api::v2

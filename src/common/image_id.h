#pragma once

#include <string>
#include <string_view>

namespace glance::common {

// oslo's is_uuid_like: 32 hex digits once dashes, braces and a "urn:uuid:" prefix are
// removed, in any case.
bool is_uuid_like(std::string_view text);

// Makes the ids of new images. Safe for concurrent calls.
class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string new_id() = 0;
};

// Random (version 4) UUIDs in lower case with dashes, from Boost.UUID.
class RandomIdGenerator final : public IdGenerator {
 public:
  // glance::common::IdGenerator
  std::string new_id() override;
};

}  // namespace glance::common

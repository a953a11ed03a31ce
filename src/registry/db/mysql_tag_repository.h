#pragma once

#include "common/clock.h"
#include "registry/db/mysql_connection.h"
#include "registry/tag_repository.h"

namespace glance::registry {

// TagRepository on MySQL; threading as MysqlImageRepository. The clock must outlive it.
class MysqlTagRepository final : public TagRepository {
 public:
  explicit MysqlTagRepository(const common::Clock& clock) : clock_(clock) {}

  // glance::registry::TagRepository
  Result<void> add(MysqlConnection& db, const common::RequestContext& ctx,
                   const std::string& image_id, const std::string& tag,
                   std::optional<int64_t> quota) override;
  Result<void> remove(MysqlConnection& db, const common::RequestContext& ctx,
                      const std::string& image_id, const std::string& tag) override;
  Result<bool> settled_has(MysqlConnection& db, const std::string& image_id,
                           const std::string& tag) override;

 private:
  // Locks and touches the image row (at `now`), after checking that the caller may change it.
  Result<void> open_for_write(MysqlConnection& db, const common::RequestContext& ctx,
                              const std::string& image_id, const std::string& now);

  const common::Clock& clock_;
};

}  // namespace glance::registry

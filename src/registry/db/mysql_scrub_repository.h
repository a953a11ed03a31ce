#pragma once

#include "common/clock.h"
#include "registry/scrub_repository.h"

namespace glance::registry {

// ScrubRepository on MySQL. Every call runs on the connection it is given, so it must run on
// a DbExecutor thread. Safe for concurrent calls from different threads; the clock must
// outlive it.
class MysqlScrubRepository final : public ScrubRepository {
 public:
  explicit MysqlScrubRepository(const common::Clock& clock) : clock_(clock) {}

  // glance::registry::ScrubRepository
  common::Result<common::Image> claim(MysqlConnection& db, const common::RequestContext& ctx,
                                      const std::string& id, std::chrono::seconds lease) override;
  common::Result<common::Image> finish(MysqlConnection& db, const common::RequestContext& ctx,
                                       const std::string& id,
                                       const std::vector<int64_t>& scrubbed) override;
  common::Result<common::Image> restore(MysqlConnection& db, const common::RequestContext& ctx,
                                        const std::string& id, std::chrono::seconds lease) override;
  common::Result<std::vector<common::PendingLocation>> list_pending_locations(
      MysqlConnection& db, const common::RequestContext& ctx, int64_t after, int limit) override;
  common::Result<common::LocationClaim> claim_location(MysqlConnection& db,
                                                       const common::RequestContext& ctx,
                                                       const std::string& image_id,
                                                       int64_t location_id,
                                                       std::chrono::seconds lease) override;
  common::Result<common::ImageLocation> finish_location(MysqlConnection& db,
                                                        const common::RequestContext& ctx,
                                                        const std::string& image_id,
                                                        int64_t location_id,
                                                        bool scrubbed) override;

 private:
  const common::Clock& clock_;
};

}  // namespace glance::registry

#pragma once

#include "common/clock.h"
#include "registry/db/mysql_connection.h"
#include "registry/image_repository.h"

namespace glance::registry {

// ImageRepository on MySQL. Every call runs on the connection it is given, so it must run
// on a DbExecutor thread. Writes that touch several tables run in one transaction. Safe for
// concurrent calls from different threads; the clock must outlive it.
class MysqlImageRepository final : public ImageRepository {
 public:
  explicit MysqlImageRepository(const common::Clock& clock) : clock_(clock) {}

  // glance::registry::ImageRepository
  Result<std::vector<common::Image>> list(MysqlConnection& db, const common::RequestContext& ctx,
                                          const ListQuery& query, bool detail) override;
  Result<common::Image> get(MysqlConnection& db, const common::RequestContext& ctx,
                            const std::string& id) override;
  Result<common::Image> create(MysqlConnection& db, const common::RequestContext& ctx,
                               common::ImageFields fields) override;
  Result<std::optional<common::Image>> find_created(MysqlConnection& db,
                                                    const common::RequestContext& ctx,
                                                    const common::ImageFields& fields) override;
  Result<common::Image> update(MysqlConnection& db, const common::RequestContext& ctx,
                               const std::string& id, common::ImageFields fields, bool purge_props,
                               std::optional<common::ImageStatus> from_state) override;
  Result<std::optional<common::Image>> find_updated(MysqlConnection& db,
                                                    const common::RequestContext& ctx,
                                                    const std::string& id,
                                                    const common::ImageFields& fields,
                                                    bool purge_props) override;
  Result<common::Image> destroy(MysqlConnection& db, const common::RequestContext& ctx,
                                const std::string& id) override;
  Result<std::optional<common::Image>> find_destroyed(MysqlConnection& db,
                                                      const common::RequestContext& ctx,
                                                      const std::string& id) override;
  Result<StorageReservation> reserve_storage(MysqlConnection& db, const common::RequestContext& ctx,
                                             const std::string& id, int64_t size,
                                             int64_t quota) override;
  Result<std::optional<StorageReservation>> find_reservation(MysqlConnection& db,
                                                             const common::RequestContext& ctx,
                                                             const std::string& id,
                                                             int64_t size) override;
  Result<int64_t> storage_usage(MysqlConnection& db, const common::RequestContext& ctx,
                                const std::string& owner,
                                const std::string& exclude_image) override;

 private:
  Result<common::Image> reload(MysqlConnection& db, const std::string& id);
  // The image row after waiting for any transaction still writing it; nullopt if absent.
  Result<std::optional<common::Image>> settled(MysqlConnection& db, const std::string& id);
  Result<common::Image> create_in_transaction(MysqlConnection& db,
                                              const common::RequestContext& ctx,
                                              common::ImageFields& fields);
  Result<common::Image> update_in_transaction(MysqlConnection& db,
                                              const common::RequestContext& ctx,
                                              const std::string& id, common::ImageFields& fields,
                                              bool purge_props,
                                              std::optional<common::ImageStatus> from_state);
  Result<common::Image> destroy_in_transaction(MysqlConnection& db,
                                               const common::RequestContext& ctx,
                                               const std::string& id);
  Result<StorageReservation> reserve_in_transaction(MysqlConnection& db, const std::string& owner,
                                                    const std::string& id, int64_t size,
                                                    int64_t quota);
  std::string now_sql() const;

  const common::Clock& clock_;
};

}  // namespace glance::registry

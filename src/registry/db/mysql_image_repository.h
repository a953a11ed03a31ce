#pragma once

#include "common/clock.h"
#include "common/image_id.h"
#include "registry/db/mysql_connection.h"
#include "registry/image_repository.h"

#include <functional>

namespace glance::registry {

// ImageRepository on MySQL. Every call uses the calling thread's connection (given by
// `connection`, normally DbExecutor's), so it must run on a DbExecutor thread. Writes that
// touch several tables run in one transaction. Safe for concurrent calls from different
// threads; the clock and id generator must outlive it.
class MysqlImageRepository final : public ImageRepository {
 public:
  using ConnectionSource = std::function<MysqlConnection&()>;
  MysqlImageRepository(ConnectionSource connection, const common::Clock& clock,
                       common::IdGenerator& ids)
      : connection_(std::move(connection)), clock_(clock), ids_(ids) {}

  // glance::registry::ImageRepository
  Result<std::vector<common::Image>> list(const common::RequestContext& ctx, const ListQuery& query,
                                          bool detail) override;
  Result<common::Image> get(const common::RequestContext& ctx, const std::string& id) override;
  Result<common::Image> create(const common::RequestContext& ctx,
                               common::ImageFields fields) override;
  Result<common::Image> update(const common::RequestContext& ctx, const std::string& id,
                               common::ImageFields fields, bool purge_props,
                               std::optional<common::ImageStatus> from_state) override;
  Result<common::Image> destroy(const common::RequestContext& ctx, const std::string& id) override;
  Result<int64_t> storage_usage(const common::RequestContext& ctx, const std::string& owner,
                                const std::string& exclude_image) override;

 private:
  Result<common::Image> reload(MysqlConnection& db, const std::string& id);
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
  std::string now_sql() const;

  ConnectionSource connection_;
  const common::Clock& clock_;
  common::IdGenerator& ids_;
};

}  // namespace glance::registry

#pragma once

#include "common/error.h"
#include "common/policy/rule_set.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace glance::common::policy {

// [oslo_policy] as oslo.policy reads it. Relative paths are looked up in `search_dirs` (the
// directories of the config files, then /etc/glance), first hit wins, as oslo.config's
// find_file does.
struct PolicyConfig {
  std::string policy_file = "policy.json";
  std::vector<std::string> policy_dirs = {"policy.d"};
  std::string default_rule = "default";
  std::vector<std::string> search_dirs;
};

// Where relative policy paths are looked for, as oslo.config's find_file does: the
// directories of the config files, the last file's first, then /etc/glance and /etc.
std::vector<std::string> policy_search_dirs(const std::vector<std::string>& config_files);

// The rules in force: `defaults`, overridden rule by rule by the policy file, then by every
// file of each policy_dirs directory in name order (oslo.policy's overwrite=False). A file or
// directory that is absent contributes nothing. The files are read again when they change
// (checked at most once a second, when a decision is asked for) and on reload(). A load that
// fails keeps the rules in force. Safe for concurrent use; decisions read an immutable
// snapshot and never wait for a reload.
class Enforcer {
 public:
  // Fails (bad_request) when a file does not parse, naming the file and line, or when
  // references loop; `defaults` must parse (they are the program's own).
  static Result<std::unique_ptr<Enforcer>> load(PolicyConfig config,
                                                const std::map<std::string, std::string>& defaults);

  // Whether `creds` may do `action` to `target` under the current rules.
  bool allows(std::string_view action, const Credentials& creds, const Values& target) const;

  // Reads the files again now. On failure the old rules stay and the error says why.
  Result<void> reload();
  // Reloads when a file's modification time, size or presence changed since the last load;
  // what allows() runs once a second. Errors are logged once per change.
  void reload_if_changed() const;

  std::shared_ptr<const RuleSet> rules() const;
  // The files the rules in force came from, in the order applied.
  std::vector<std::string> sources() const;

 private:
  struct Snapshot;
  Enforcer(PolicyConfig config, std::map<std::string, std::string> defaults);
  Result<std::shared_ptr<const Snapshot>> read_files() const;
  std::string fingerprint() const;

  const PolicyConfig config_;
  const std::map<std::string, std::string> defaults_;
  mutable std::mutex mutex_;  // guards current_ and failed_fingerprint_
  mutable std::shared_ptr<const Snapshot> current_;
  mutable std::optional<std::string> failed_fingerprint_;  // of files that failed to load
  mutable std::mutex reload_mutex_;                        // one reload at a time
  mutable std::atomic<int64_t> next_check_ns_{0};
};

}  // namespace glance::common::policy

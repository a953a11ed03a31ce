#pragma once

#include "common/error.h"

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace glance::api {

// property_protection_rule_format: what the values of the protection file name.
enum class PropertyRuleFormat { roles, policies };

// property_protection_file and property_protection_rule_format, as read from [DEFAULT].
struct PropertyProtectionConfig {
  std::string file;  // empty: no protections, every property open to whoever may write the image
  PropertyRuleFormat format = PropertyRuleFormat::roles;
};

// The four operations a section governs, in the file's order: create, read, update, delete.
enum class PropertyOperation { create, read, update, remove };
inline constexpr size_t kPropertyOperations = 4;

// The file's name of an operation: "create", "read", "update" or "delete".
std::string_view operation_name(PropertyOperation op);

// Bounds that keep a hostile or mistaken file from costing the daemon much: the file is read
// whole at start-up, and every pattern may be tried against every property name a request
// carries. The regex engine gives up after about N·L² + 100,000 steps for a name of N
// characters and a pattern of L, so a pattern of kMaxPatternChars against a 255-character
// name stops within some 17 million steps, however it backtracks.
inline constexpr size_t kMaxProtectionFileBytes = 1 << 20;
inline constexpr size_t kMaxPatternChars = 256;
inline constexpr size_t kMaxProtectionSections = 4096;

// Who may do one operation, as the file says it: "@" (everyone), "!" (no one), role names
// (lower-cased) in roles format, or one policy rule name in policies format. Empty when the
// value was empty: no one may.
using PropertyGrants = std::vector<std::string>;

// A parsed property protection file: INI sections whose names are regular expressions (Perl
// syntax, as Boost.Regex reads it; Python's re patterns are written the same way), each with
// create, read, update and delete. A property is governed by the first section, in file order,
// whose pattern is found anywhere in its name (a search: anchor with ^ and $ to match the whole
// name). Options of a [DEFAULT] section stand in for options a section leaves out, as Python's
// ConfigParser does. Immutable after parse(); safe for concurrent use.
class PropertyProtectionFile {
 public:
  // One section, in file order.
  struct Section {
    std::string pattern;
    std::array<PropertyGrants, kPropertyOperations> grants;
  };

  // Parses the file's text. Fails with bad_request, naming the line or section, for text over
  // kMaxProtectionFileBytes, a line that is neither a section, an option, a comment nor a
  // continuation, an option before any section, a section or an option given twice, a '%'
  // not written "%%", a pattern that does not compile or is longer than kMaxPatternChars,
  // more than kMaxProtectionSections sections, a section without one of the four
  // operations, "@" beside "!" in roles format, or a comma in a value in policies format.
  // Pure; no I/O.
  static common::Result<PropertyProtectionFile> parse(std::string_view text,
                                                      PropertyRuleFormat format);

  PropertyProtectionFile(PropertyProtectionFile&&) noexcept;
  PropertyProtectionFile& operator=(PropertyProtectionFile&&) noexcept;
  ~PropertyProtectionFile();

  PropertyRuleFormat format() const { return format_; }
  const std::vector<Section>& sections() const { return sections_; }
  // Operations left empty ("create ="), which no one may then do; for the operator's log.
  const std::vector<std::string>& warnings() const { return warnings_; }

  // The first section whose pattern is found in `name`. Null when none is, or when the engine
  // gave up on a pattern before deciding (then `gave_up` is set, if given): the caller treats
  // such a name as one no section lets anyone touch.
  const Section* find(std::string_view name, bool* gave_up = nullptr) const;

 private:
  struct Compiled;
  PropertyProtectionFile(PropertyRuleFormat format, std::vector<Section> sections,
                         std::vector<std::unique_ptr<Compiled>> compiled,
                         std::vector<std::string> warnings);

  PropertyRuleFormat format_;
  std::vector<Section> sections_;
  std::vector<std::unique_ptr<Compiled>> compiled_;  // one per section, same order
  std::vector<std::string> warnings_;
};

}  // namespace glance::api

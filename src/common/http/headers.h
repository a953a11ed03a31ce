#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace glance::common::http {

// An ordered list of header fields. Lookup ignores ASCII case, as HTTP requires. Glance's
// `-`/`_` equivalence is not applied here: that belongs to the x-image-meta codec.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  void add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // Replaces every field of that name by one.
  void set(std::string_view name, std::string value);
  void erase(std::string_view name);
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }

  const std::vector<Field>& fields() const { return fields_; }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

}  // namespace glance::common::http

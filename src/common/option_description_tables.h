#pragma once

#include "common/option_descriptions.h"

#include <span>

namespace glance::common {

// The parts of the option description table (common/option_descriptions.h), one file each,
// by the part of the programs that reads the options. An option belongs to exactly one part.
std::span<const OptionDescription> server_option_descriptions();    // listener, logging, context
std::span<const OptionDescription> service_option_descriptions();   // Keystone, policy, notifying
std::span<const OptionDescription> api_option_descriptions();       // glance-api, its commands
std::span<const OptionDescription> store_option_descriptions();     // [glance_store]
std::span<const OptionDescription> registry_option_descriptions();  // glance-registry, manage

}  // namespace glance::common

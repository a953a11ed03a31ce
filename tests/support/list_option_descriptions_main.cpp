// Prints every entry of the option description table (common/option_descriptions.h), one
// per line: section, name and description, tab-separated. scripts/config-reference.py
// compares these with the options the programs read, so that the table describes no option
// that none of them reads.
#include "common/option_descriptions.h"

#include <iostream>

int main() {
  for (const auto& d : glance::common::all_option_descriptions())
    std::cout << d.section << '\t' << d.key << '\t' << d.text << '\n';
  return 0;
}

// Fuzzes the configuration loader (collector/config.h) with a file holding the input, then
// the validation agentmetricsd runs before it starts anything.
// Oracles: no crash, hang or sanitizer report; a bad file is refused only with ConfigError
// (docs/configuration.md: the message names the key), never another exception.
#include <string>

#include "collector/config/config.h"
#include "tests/fuzz/fuzz_support.h"

using namespace agentmetrics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::input_file(data, size, "agentmetrics.yml");
  try {
    // A named base, as load_configuration has: GCC 12 at -O3 wrongly reports the default
    // argument's Config as maybe-uninitialized.
    const collector::Config defaults;
    const collector::Config config = collector::load_config_file(path, defaults);
    collector::validate(config);
    (void)config.effective_listen_address();
  } catch (const collector::ConfigError&) {}
  return 0;
}

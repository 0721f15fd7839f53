#include "collector/common/unix_time.h"

#include <chrono>

namespace agentmetrics {

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

}  // namespace agentmetrics

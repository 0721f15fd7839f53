// Segment set-up files (.agentmetrics-init.*) whose producer died before publishing them. A
// producer locks its set-up file the moment it creates it and publishes it by renaming within
// milliseconds; a file of an allowed owner that nobody holds a lock on and that has not changed
// for a while can only be the remains of a producer killed during set-up, and would otherwise
// keep its 17 MiB of /dev/shm until reboot.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <set>
#include <string>

namespace agentmetrics::collector {

// How long a set-up file must have been left alone before it is taken for abandoned.
inline constexpr std::chrono::seconds kAbandonedSetupAge{10};

// Removes the abandoned set-up files of namespace `ns` in the directory `dirfd`; returns how many.
std::size_t remove_abandoned_setups(int dirfd, const std::string& ns, const std::set<uid_t>& allowed_owners,
                                    std::chrono::seconds min_age = kAbandonedSetupAge);

}  // namespace agentmetrics::collector

// A private mount namespace for tests that need small file systems of their own: a full
// /dev/shm, a store's disk full or read-only. Entered once, before any thread starts, by the
// test's main() (mount_namespace_main.cpp); the daemons and producers the test starts inherit it.
// As root it is a plain mount namespace; otherwise a user namespace in which the test's user is
// root, where the kernel allows unprivileged user namespaces. Where neither works, the tests
// that need it skip.
#pragma once

#include <string>

namespace agentmetrics::testing {

// Call before any thread exists. Returns false (and why) when no private namespace is possible.
bool enter_private_mount_namespace(std::string& why);
// Whether enter_private_mount_namespace succeeded in this process.
bool have_private_mounts();
// Why not, when have_private_mounts() is false.
const std::string& private_mounts_unavailable_reason();

// A tmpfs of `bytes` at `dir` (which must exist), read-only if asked. Throws std::runtime_error.
void mount_tmpfs(const std::string& dir, unsigned long bytes, bool read_only = false);
// Changes the size or the read-only flag of the tmpfs at `dir`. Throws std::runtime_error.
void remount_tmpfs(const std::string& dir, unsigned long bytes, bool read_only);
// Unmounts, detaching if busy; never throws.
void unmount(const std::string& dir);

// Writes zeros to `path` until the file system is full; returns the bytes written.
unsigned long fill_file_system(const std::string& path);

}  // namespace agentmetrics::testing

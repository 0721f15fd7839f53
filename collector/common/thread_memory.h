// Memory a thread's allocator keeps for it, given back on request. With mimalloc (the daemon's
// allocator) a block freed by another thread returns to its page only when the page's own
// thread next calls the allocator, so a drain thread that made a million series and then went
// idle would hold their pages after housekeeping freed them. Threads that allocate in bursts
// (drain threads, the scrape's HTTP threads, the loop that expires series) call
// release_thread_memory() when a burst is over; agentmetricsd's main() installs mimalloc's
// mi_collect, and elsewhere (tests, the CLIs) it does nothing.
#pragma once

namespace agentmetrics {

void set_thread_memory_release(void (*release)());
void release_thread_memory();

}  // namespace agentmetrics

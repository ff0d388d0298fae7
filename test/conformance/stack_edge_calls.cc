// Calls made with the stack pointer on the lowest page the main thread's
// stack has ever used: below it nothing is mapped yet, and Linux grows a
// stack only for the thread's own accesses. A mechanism that puts data below
// the stack pointer on the guest's behalf (sentry's rewritten calls) must
// still work there: the calls below must behave as on Linux, every time.
//
//   bind of an AF_INET6 socket to [::1]:0 and getsockname (address arguments)
//   open of /proc/self/status and /proc/cpuinfo, and reading them
#include <alloca.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "conformance.h"

namespace {

// The lowest address of the [stack] mapping.
std::uintptr_t stack_low() {
  std::FILE* f = std::fopen("/proc/self/maps", "re");
  if (f == nullptr) return 0;
  char line[512];
  std::uintptr_t low = 0;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strstr(line, "[stack]") != nullptr) {
      unsigned long lo = 0, hi = 0;
      if (std::sscanf(line, "%lx-%lx", &lo, &hi) == 2) low = lo;
    }
  }
  std::fclose(f);
  return low;
}

__attribute__((noinline)) void calls_at_the_edge(int round) {
  // Each check below runs with little stack left above the unmapped page.
  int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(s >= 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  CHECK(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  sockaddr_in6 got{};
  socklen_t len = sizeof got;
  CHECK(getsockname(s, reinterpret_cast<sockaddr*>(&got), &len) == 0);
  CHECK(len == sizeof got && got.sin6_family == AF_INET6 && got.sin6_port != 0);
  close(s);
  for (const char* path : {"/proc/self/status", "/proc/cpuinfo"}) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    char buf[64];
    CHECK(fd >= 0 && read(fd, buf, sizeof buf) > 0);
    if (fd >= 0) close(fd);
  }
  if (conformance::failures() != 0) std::fprintf(stderr, "  (round %d)\n", round);
}

// Moves the stack pointer to `room` bytes above the lowest mapped stack
// byte without touching what lies between (alloca), then makes the calls.
__attribute__((noinline)) void at_edge(std::uintptr_t low, std::size_t room, int round) {
  char here;
  const std::uintptr_t sp = reinterpret_cast<std::uintptr_t>(&here);
  if (low == 0 || sp <= low + room + 4096) {
    calls_at_the_edge(round);
    return;
  }
  volatile char* gap = static_cast<char*>(alloca(sp - low - room));
  gap[0] = 0;  // the top of the gap: mapped already
  calls_at_the_edge(round);
}

}  // namespace

int main() {
  CHECK(stack_low() != 0);
  // Several distances to the edge: the calls' own frames take a few hundred
  // bytes, and a mechanism's rewritten arguments go below the 128-byte red
  // zone. Each round finds the edge anew (a call may have grown the stack).
  int round = 0;
  for (std::size_t room = 160; room <= 1024; room += 32) at_edge(stack_low(), room, ++round);
  return conformance::finish();
}

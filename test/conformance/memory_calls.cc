// Memory-management calls: mmap/munmap/mprotect argument rules and the faults
// they produce (SIGSEGV with SEGV_MAPERR/SEGV_ACCERR and the faulting
// address), mremap growth/moves (in place, MAYMOVE, FIXED, DONTUNMAP),
// madvise(MADV_DONTNEED) semantics for private vs shared anonymous memory,
// mlock/munlock, raw brk, and MAP_FIXED_NOREPLACE.
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "conformance.h"

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace {

sigjmp_buf g_jmp;
volatile sig_atomic_t g_code = 0;
void* volatile g_addr = nullptr;

void on_segv(int, siginfo_t* si, void*) {
  g_code = si->si_code;
  g_addr = si->si_addr;
  siglongjmp(g_jmp, 1);
}

// Returns 0 if the access succeeded, else the SIGSEGV si_code; *fault_addr
// receives si_addr.
int probe(volatile char* p, bool write, char value = 1, void** fault_addr = nullptr) {
  g_code = 0;
  g_addr = nullptr;
  if (sigsetjmp(g_jmp, 1) == 0) {
    if (write)
      *p = value;
    else
      (void)*p;
    return 0;
  }
  if (fault_addr) *fault_addr = g_addr;
  return g_code;
}

int probe_write(void* p, char value = 1, void** fault_addr = nullptr) {
  return probe(static_cast<volatile char*>(p), true, value, fault_addr);
}
int probe_read(void* p, void** fault_addr = nullptr) {
  return probe(static_cast<volatile char*>(p), false, 0, fault_addr);
}

char* map_anon(size_t len, int prot = PROT_READ | PROT_WRITE,
               int flags = MAP_PRIVATE | MAP_ANONYMOUS, void* hint = nullptr) {
  void* p = mmap(hint, len, prot, flags, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<char*>(p);
}

bool all_bytes(const char* p, size_t n, char v) {
  for (size_t i = 0; i < n; ++i)
    if (p[i] != v) return false;
  return true;
}

long raw_brk(uintptr_t addr) { return syscall(SYS_brk, addr); }

}  // namespace

int main() {
  const size_t pg = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  CHECK(pg == 4096);

  struct sigaction sa{};
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(SIGSEGV, &sa, nullptr) == 0);

  // --- mmap / munmap. ---
  {
    char* p = map_anon(4 * pg);
    CHECK(p != nullptr);
    if (!p) return conformance::finish();
    CHECK(reinterpret_cast<uintptr_t>(p) % pg == 0);
    CHECK(all_bytes(p, 4 * pg, 0));  // anonymous memory is zero
    std::memset(p, 'a', 4 * pg);
    CHECK(p[4 * pg - 1] == 'a');
    // Unmap the middle: a hole faults with SEGV_MAPERR at the exact address.
    CHECK(munmap(p + pg, pg) == 0);
    void* fa = nullptr;
    CHECK(probe_read(p + pg + 123, &fa) == SEGV_MAPERR);
    CHECK(fa == p + pg + 123);
    CHECK(probe_read(p) == 0 && probe_read(p + 2 * pg) == 0);
    // munmap of an already-unmapped range succeeds.
    CHECK(munmap(p + pg, pg) == 0);
    // munmap with an unaligned address or zero length: EINVAL. A length that
    // is not a page multiple is rounded up.
    CHECK_ERR(munmap(p + 1, pg), EINVAL);
    CHECK_ERR(munmap(p, 0), EINVAL);
    CHECK(munmap(p + 2 * pg, 1) == 0);
    CHECK(probe_read(p + 2 * pg) == SEGV_MAPERR);
    CHECK(probe_read(p + 3 * pg) == 0);
    CHECK(munmap(p, 4 * pg) == 0);
    CHECK(probe_read(p) == SEGV_MAPERR);

    // mmap argument validation.
    CHECK(mmap(nullptr, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED);
    CHECK_ERR(syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    // MAP_SHARED_VALIDATE (MAP_SHARED|MAP_PRIVATE) is rejected for anonymous
    // mappings.
    CHECK_ERR(syscall(SYS_mmap, 0, pg, PROT_READ,
                      MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1),
              EINVAL);  // unaligned offset
    CHECK_ERR(syscall(SYS_mmap, 4096 + 1, pg, PROT_READ,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
              EINVAL);  // unaligned MAP_FIXED address
    CHECK_ERR(syscall(SYS_mmap, 0, pg, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
  }

  // --- mprotect. ---
  {
    char* p = map_anon(2 * pg);
    CHECK(p != nullptr);
    p[0] = 'x';
    CHECK(mprotect(p, pg, PROT_READ) == 0);
    CHECK(probe_read(p) == 0);
    CHECK(p[0] == 'x');
    void* fa = nullptr;
    CHECK(probe_write(p + 10, 'y', &fa) == SEGV_ACCERR);
    CHECK(fa == p + 10);
    CHECK(p[10] == 0);
    CHECK(probe_write(p + pg, 'z') == 0);  // the second page is still RW
    CHECK(mprotect(p, pg, PROT_NONE) == 0);
    CHECK(probe_read(p) == SEGV_ACCERR);
    // A length that is not a page multiple is rounded up.
    CHECK(mprotect(p, 1, PROT_READ | PROT_WRITE) == 0);
    CHECK(probe_write(p + pg - 1, 'w') == 0);
    CHECK_ERR(mprotect(p + 1, pg, PROT_READ), EINVAL);
    CHECK_ERR(mprotect(p, pg, 0x100), EINVAL);  // unknown PROT bit
    CHECK(munmap(p, 2 * pg) == 0);
    CHECK_ERR(mprotect(p, pg, PROT_READ), ENOMEM);  // unmapped
  }

  // --- mremap. ---
  {
    // Two VMAs back to back (different protections): growing the first in
    // place is impossible without MREMAP_MAYMOVE.
    char* p = map_anon(2 * pg);
    CHECK(p != nullptr);
    std::memset(p, 'm', pg);
    CHECK(mprotect(p + pg, pg, PROT_READ) == 0);
    CHECK(mremap(p, pg, 2 * pg, 0) == MAP_FAILED);
    CHECK_ERR(syscall(SYS_mremap, p, pg, 2 * pg, 0, 0), ENOMEM);
    // A sub-range of one VMA cannot grow in place either.
    char* q = map_anon(3 * pg);
    CHECK(q != nullptr);
    CHECK_ERR(syscall(SYS_mremap, q, pg, 2 * pg, 0, 0), ENOMEM);
    CHECK(munmap(q, 3 * pg) == 0);

    // With MAYMOVE the mapping moves and keeps its contents; the old range
    // is unmapped.
    void* moved = mremap(p, pg, 4 * pg, MREMAP_MAYMOVE);
    CHECK(moved != MAP_FAILED);
    char* m = static_cast<char*>(moved);
    if (moved != MAP_FAILED) {
      CHECK(m != p);
      CHECK(all_bytes(m, pg, 'm'));
      CHECK(all_bytes(m + pg, 3 * pg, 0));  // the grown part is zero
      CHECK(probe_read(p) == SEGV_MAPERR);
      CHECK(probe_read(p + pg) == 0);  // the neighbour is untouched
    }
    CHECK(munmap(p + pg, pg) == 0);

    // Growing in place when the following range is free keeps the address.
    char* r = map_anon(3 * pg);
    CHECK(r != nullptr);
    CHECK(munmap(r + pg, 2 * pg) == 0);
    r[0] = 'r';
    CHECK(mremap(r, pg, 3 * pg, 0) == r);
    // Without FIXED or DONTUNMAP the fifth argument is ignored.
    CHECK(syscall(SYS_mremap, r, 3 * pg, 3 * pg, MREMAP_MAYMOVE, 1) ==
          reinterpret_cast<long>(r));
    CHECK(r[0] == 'r' && r[2 * pg] == 0);
    // Shrinking in place unmaps the tail.
    CHECK(mremap(r, 3 * pg, pg, 0) == r);
    CHECK(probe_read(r + pg) == SEGV_MAPERR);
    CHECK(r[0] == 'r');

    // MREMAP_FIXED: needs MAYMOVE; the target range is replaced.
    char* target = map_anon(4 * pg, PROT_NONE);
    CHECK(target != nullptr);
    CHECK_ERR(syscall(SYS_mremap, m, 4 * pg, 4 * pg, MREMAP_FIXED, target), EINVAL);
    CHECK_ERR(syscall(SYS_mremap, m, 4 * pg, 4 * pg, MREMAP_MAYMOVE | MREMAP_FIXED,
                      target + 1),
              EINVAL);  // unaligned new address
    CHECK_ERR(syscall(SYS_mremap, m, 4 * pg, 4 * pg, MREMAP_MAYMOVE | MREMAP_FIXED,
                      m + pg),
              EINVAL);  // overlapping ranges
    void* f = mremap(m, 4 * pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_FIXED, target);
    CHECK(f == target);
    CHECK(all_bytes(target, pg, 'm'));
    CHECK(probe_write(target + pg) == 0);  // now RW (was PROT_NONE)
    CHECK(probe_read(target + 2 * pg) == SEGV_ACCERR);  // rest of old target
    CHECK(probe_read(m) == SEGV_MAPERR);
    CHECK_ERR(syscall(SYS_mremap, r + 1, pg, pg, 0), EINVAL);  // unaligned
    // old_len 0 duplicates a mapping only for shared memory.
    CHECK_ERR(syscall(SYS_mremap, r, 0, pg, MREMAP_MAYMOVE), EINVAL);
    CHECK_ERR(syscall(SYS_mremap, r, pg, 0, 0), EINVAL);  // new_len 0
    CHECK_ERR(syscall(SYS_mremap, r, pg, pg, 0x80), EINVAL);  // unknown flag
    CHECK_ERR(syscall(SYS_mremap, m, pg, 2 * pg, MREMAP_MAYMOVE), EFAULT);

    // MREMAP_DONTUNMAP: the old range stays mapped and reads as zero. The
    // fifth argument is validated as a (hint) address even without
    // MREMAP_FIXED, so it must be passed (0 here; glibc's variadic wrapper
    // would pass garbage).
    char* d = map_anon(pg);
    CHECK(d != nullptr);
    std::memset(d, 'd', pg);
    CHECK_ERR(syscall(SYS_mremap, d, pg, pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 1),
              EINVAL);
    // DONTUNMAP requires MAYMOVE.
    CHECK_ERR(syscall(SYS_mremap, d, pg, pg, MREMAP_DONTUNMAP, 0), EINVAL);
    void* nd = reinterpret_cast<void*>(
        syscall(SYS_mremap, d, pg, pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0));
    CHECK(nd != MAP_FAILED && nd != d);
    if (nd != MAP_FAILED) {
      CHECK(all_bytes(static_cast<char*>(nd), pg, 'd'));
      CHECK(probe_read(d) == 0);
      CHECK(all_bytes(d, pg, 0));
      CHECK(munmap(nd, pg) == 0);
    }
    CHECK_ERR(syscall(SYS_mremap, d, pg, 2 * pg, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0),
              EINVAL);  // sizes must match
    CHECK(munmap(d, pg) == 0);
    CHECK(munmap(target, 4 * pg) == 0);
    CHECK(munmap(r, pg) == 0);
  }

  // --- madvise(MADV_DONTNEED). ---
  {
    char* p = map_anon(2 * pg);
    CHECK(p != nullptr);
    std::memset(p, 'p', 2 * pg);
    CHECK(madvise(p, pg, MADV_DONTNEED) == 0);
    CHECK(all_bytes(p, pg, 0));         // private anon: zero-filled
    CHECK(all_bytes(p + pg, pg, 'p'));  // outside the range: kept
    CHECK_ERR(madvise(p + 1, pg, MADV_DONTNEED), EINVAL);
    CHECK_ERR(madvise(p, pg, 12345), EINVAL);
    CHECK(madvise(p, 0, MADV_DONTNEED) == 0);
    CHECK(munmap(p, 2 * pg) == 0);
    CHECK_ERR(madvise(p, pg, MADV_DONTNEED), ENOMEM);  // unmapped

    // Shared anonymous memory is shmem-backed: the data survives.
    char* s = map_anon(pg, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
    CHECK(s != nullptr);
    std::memset(s, 's', pg);
    CHECK(madvise(s, pg, MADV_DONTNEED) == 0);
    CHECK(all_bytes(s, pg, 's'));
    CHECK(munmap(s, pg) == 0);
  }

  // --- mlock / munlock. ---
  {
    char* p = map_anon(2 * pg);
    CHECK(p != nullptr);
    CHECK(mlock(p, pg) == 0);
    unsigned char vec[2] = {0, 0};
    CHECK(mincore(p, 2 * pg, vec) == 0);
    CHECK((vec[0] & 1) == 1);  // mlock faults the page in
    CHECK((vec[1] & 1) == 0);  // the untouched neighbour is not resident
    CHECK(munlock(p, pg) == 0);
    // An unaligned address is rounded down (not EINVAL).
    CHECK(mlock(p + 100, 10) == 0);
    CHECK(munlock(p + 100, 10) == 0);
    CHECK(munmap(p, 2 * pg) == 0);
    CHECK_ERR(mlock(p, pg), ENOMEM);
    CHECK_ERR(mincore(p, pg, vec), ENOMEM);
  }

  // --- brk (raw). ---
  {
    const long cur = raw_brk(0);
    CHECK(cur > 0);
    CHECK(raw_brk(0) == cur);  // brk(0) is a query
    const uintptr_t base = static_cast<uintptr_t>(cur);
    // Grow by a page plus a bit: the break is reported exactly as asked,
    // while the mapping is page-granular.
    const uintptr_t want = base + pg + 100;
    CHECK(raw_brk(want) == static_cast<long>(want));
    CHECK(raw_brk(0) == static_cast<long>(want));
    char* mem = reinterpret_cast<char*>(base);
    CHECK(probe_write(mem, 'b') == 0);
    CHECK(probe_write(mem + pg + 99, 'c') == 0);
    // A failed brk does not set errno: it returns the current break.
    CHECK(raw_brk(1) == static_cast<long>(want));
    CHECK(raw_brk(~static_cast<uintptr_t>(0) >> 1) == static_cast<long>(want));
    // Shrinking works and the released pages are unmapped.
    CHECK(raw_brk(base) == cur);
    const uintptr_t next_page = (base + pg - 1) & ~(pg - 1);
    CHECK(probe_read(reinterpret_cast<char*>(next_page) + pg) == SEGV_MAPERR);
  }

  // --- MAP_FIXED_NOREPLACE. ---
  {
    char* p = map_anon(3 * pg);
    CHECK(p != nullptr);
    CHECK(munmap(p + 2 * pg, pg) == 0);
    p[0] = 'k';
    CHECK_ERR(syscall(SYS_mmap, p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
                      MAP_FIXED_NOREPLACE, -1, 0),
              EEXIST);
    // Partial overlap is EEXIST as well; the existing mapping is intact.
    CHECK_ERR(syscall(SYS_mmap, p + pg, 2 * pg, PROT_READ,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
              EEXIST);
    CHECK(p[0] == 'k');
    CHECK(probe_read(p + 2 * pg) == SEGV_MAPERR);
    // A free range is mapped at exactly the requested address.
    char* f = map_anon(pg, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, p + 2 * pg);
    CHECK(f == p + 2 * pg);
    // Plain MAP_FIXED replaces silently.
    char* g = map_anon(pg, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, p);
    CHECK(g == p);
    CHECK(p[0] == 0);
    CHECK(munmap(p, 3 * pg) == 0);
  }

  return conformance::finish();
}

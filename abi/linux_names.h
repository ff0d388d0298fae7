// Names of Linux ABI constants (errnos, signals, flag bits, command and option
// numbers), spelled the way strace spells them. Data plus the few rules needed
// to spell composite values (O_ACCMODE, the clone exit signal, futex op
// modifiers, mmap's type and hugetlb bits). Used by the strace-like printer
// (sentry/trace/arg_format.h) and the coverage report; no sentry logic.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sentry::abi {

// One named value. In flag tables an entry may cover several bits (O_TMPFILE,
// STATX_BASIC_STATS); such entries come before their parts so the widest name wins.
struct FlagName {
  std::uint64_t value;
  std::string_view name;
};

// "A|B|0x40": names of the set bits in table order, unknown leftover bits in
// hex at the end, "0" for zero. Zero-valued entries are never printed.
std::string flags_to_string(std::uint64_t v, std::span<const FlagName> table);

// The name of an enumerated value, else the number: decimal below 0x10000
// (small unknown commands read best as numbers), hex above.
std::string value_name(std::uint64_t v, std::span<const FlagName> table);

// Like value_name but the name only: empty when `v` is not in the table.
std::string_view find_name(std::uint64_t v, std::span<const FlagName> table);

// ---- errno and signals ----------------------------------------------------

// "ENOENT"; empty for an unknown errno. Includes the kernel-internal restart
// codes (ERESTARTSYS, ...) a tracer can observe at syscall exit.
std::string_view errno_name(int err);
// glibc's strerror text in the C locale ("No such file or directory"), fixed
// here so output does not depend on the host's libc or locale. Empty if unknown.
std::string_view errno_description(int err);

// "SIGINT"; "SIGRTMIN" for 32 and "SIGRT_n" for 32+n like strace; else decimal.
std::string signal_name(int sig);
// The same without the "SIG" prefix, as strace prints sigset members ("INT", "RT_1").
std::string signal_short_name(int sig);

// ---- files ------------------------------------------------------------------

std::span<const FlagName> open_flag_names();        // all but the access mode
std::string open_flags_to_string(std::uint64_t v);  // "O_RDWR|O_CREAT|O_CLOEXEC"
std::span<const FlagName> at_flag_names();          // AT_* (0x200 = AT_REMOVEDIR)
std::span<const FlagName> faccessat_flag_names();   // AT_* (0x200 = AT_EACCESS)
std::span<const FlagName> access_mode_names();      // R_OK|W_OK|X_OK
std::string access_mode_to_string(std::uint64_t v);  // "F_OK" for 0
std::span<const FlagName> fcntl_cmd_names();
std::span<const FlagName> ioctl_request_names();
std::span<const FlagName> whence_names();
std::span<const FlagName> rename_flag_names();
std::span<const FlagName> statx_mask_names();
// O_CLOEXEC|O_NONBLOCK|O_DIRECT: the flags of pipe2, dup3, epoll_create1, ...
std::span<const FlagName> pipe_flag_names();
std::span<const FlagName> eventfd_flag_names();
std::span<const FlagName> memfd_flag_names();
std::string memfd_flags_to_string(std::uint64_t v);  // with MFD_HUGE_2MB etc.

// ---- memory -------------------------------------------------------------------

std::span<const FlagName> prot_names();
std::string prot_to_string(std::uint64_t v);  // "PROT_NONE" for 0
std::span<const FlagName> map_type_names();   // MAP_SHARED/PRIVATE/SHARED_VALIDATE
std::span<const FlagName> map_flag_names();   // the bits above MAP_TYPE
// "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB".
std::string mmap_flags_to_string(std::uint64_t v);
std::span<const FlagName> mremap_flag_names();
std::span<const FlagName> madvise_names();

// ---- processes, threads, scheduling -------------------------------------------

std::span<const FlagName> clone_flag_names();
// clone(2)'s flags word: CLONE_* bits with the exit signal (low byte) last,
// "CLONE_VM|CLONE_VFORK|SIGCHLD" as strace prints it.
std::string clone_flags_to_string(std::uint64_t v);
std::span<const FlagName> futex_cmd_names();
// "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME", exactly as strace.
std::string futex_op_to_string(std::uint64_t v);
std::span<const FlagName> prctl_option_names();
std::span<const FlagName> wait_option_names();
std::span<const FlagName> rlimit_names();
std::span<const FlagName> sched_policy_names();
std::string sched_policy_to_string(std::uint64_t v);  // "SCHED_FIFO|SCHED_RESET_ON_FORK"
std::span<const FlagName> grnd_flag_names();

// ---- signals, time, polling ---------------------------------------------------

std::span<const FlagName> sig_how_names();
std::span<const FlagName> clock_id_names();
std::span<const FlagName> timer_flag_names();
std::span<const FlagName> epoll_ctl_op_names();
std::span<const FlagName> epoll_event_names();
std::span<const FlagName> poll_event_names();

// ---- sockets ------------------------------------------------------------------

std::span<const FlagName> address_family_names();
std::span<const FlagName> socket_type_names();        // SOCK_STREAM, ... (the low nibble)
std::span<const FlagName> socket_type_flag_names();   // SOCK_NONBLOCK|SOCK_CLOEXEC
// "SOCK_STREAM|SOCK_CLOEXEC"; only the flags when the type nibble is 0 (accept4).
std::string socket_type_to_string(std::uint64_t v);
std::span<const FlagName> sockopt_level_names();      // SOL_SOCKET, SOL_IPV6, ...
// Option names of one level (SO_*, IP_*, IPV6_*, TCP_*, UDP_*); empty if the
// level is not known.
std::span<const FlagName> sockopt_names(std::uint64_t level);
std::span<const FlagName> msg_flag_names();
std::span<const FlagName> shutdown_how_names();

// "MAP_HUGE_2MB"-style suffix for the log2 page size hugetlb flags carry in
// bits 26..31 (mmap, memfd_create, shmget). `prefix` is "MAP_HUGE_" etc.
std::string hugetlb_size_name(std::string_view prefix, unsigned log2_size);

}  // namespace sentry::abi

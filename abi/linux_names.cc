#include "abi/linux_names.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>  // struct fiemap, for FS_IOC_FIEMAP
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/memfd.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>  // RENAME_*
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>  // STATX_*
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>

// Constants the Debian 12 headers (glibc 2.36, linux-libc-dev 6.1) lack: newer
// kernel additions, and values glibc hides. Values from the upstream uapi headers.
namespace {

// glibc defines O_LARGEFILE as 0 on x86-64 (it is implied there); this is the
// kernel's bit (asm-generic/fcntl.h), which 32-bit-era binaries still pass.
constexpr std::uint64_t kKernelOLargefile = 0100000;

// Kernel-internal errnos (include/linux/errno.h) a tracer sees at syscall exit
// when a call is interrupted; never returned to the guest.
constexpr int kERESTARTSYS = 512;
constexpr int kERESTARTNOINTR = 513;
constexpr int kERESTARTNOHAND = 514;
constexpr int kENOIOCTLCMD = 515;
constexpr int kERESTART_RESTARTBLOCK = 516;
constexpr int kENOTSUPP = 524;  // leaks from a few NFS / driver paths

// linux/prctl.h after 6.1.
constexpr std::uint64_t kPR_SET_MDWE = 65;                   // 6.3
constexpr std::uint64_t kPR_GET_MDWE = 66;                   // 6.3
constexpr std::uint64_t kPR_SET_MEMORY_MERGE = 67;           // 6.4
constexpr std::uint64_t kPR_GET_MEMORY_MERGE = 68;           // 6.4
constexpr std::uint64_t kPR_RISCV_V_SET_CONTROL = 69;        // 6.5
constexpr std::uint64_t kPR_RISCV_V_GET_CONTROL = 70;        // 6.5
constexpr std::uint64_t kPR_RISCV_SET_ICACHE_FLUSH_CTX = 71; // 6.9
constexpr std::uint64_t kPR_PPC_GET_DEXCR = 72;              // 6.10
constexpr std::uint64_t kPR_PPC_SET_DEXCR = 73;              // 6.10
constexpr std::uint64_t kPR_GET_SHADOW_STACK_STATUS = 74;    // 6.13
constexpr std::uint64_t kPR_SET_SHADOW_STACK_STATUS = 75;    // 6.13
constexpr std::uint64_t kPR_LOCK_SHADOW_STACK_STATUS = 76;   // 6.13
constexpr std::uint64_t kPR_GET_AUXV = 0x41555856;           // 6.1 (not in Debian's copy)

// linux/memfd.h after 6.1 (6.3).
constexpr std::uint64_t kMFD_NOEXEC_SEAL = 0x0008U;
constexpr std::uint64_t kMFD_EXEC = 0x0010U;

// linux/stat.h after 6.1.
constexpr std::uint64_t kSTATX_MNT_ID_UNIQUE = 0x00004000U;  // 6.8
constexpr std::uint64_t kSTATX_SUBVOL = 0x00008000U;         // 6.10
constexpr std::uint64_t kSTATX_WRITE_ATOMIC = 0x00010000U;   // 6.11

// Signal numbers as the kernel counts them. glibc's SIGRTMIN is a function
// returning 34 (it reserves two for itself); strace names by kernel number.
constexpr int kKernelSigRtMin = __SIGRTMIN;  // 32
constexpr int kKernelSigRtMax = __SIGRTMAX;  // 64

using sentry::abi::FlagName;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

void append_part(std::string& out, std::string_view part) {
  if (!out.empty()) out += '|';
  out += part;
}

// ---- errno ------------------------------------------------------------------

struct ErrnoInfo {
  int value;
  std::string_view name;
  std::string_view description;
};

constexpr ErrnoInfo kErrnos[] = {
    {EPERM, "EPERM", "Operation not permitted"},
    {ENOENT, "ENOENT", "No such file or directory"},
    {ESRCH, "ESRCH", "No such process"},
    {EINTR, "EINTR", "Interrupted system call"},
    {EIO, "EIO", "Input/output error"},
    {ENXIO, "ENXIO", "No such device or address"},
    {E2BIG, "E2BIG", "Argument list too long"},
    {ENOEXEC, "ENOEXEC", "Exec format error"},
    {EBADF, "EBADF", "Bad file descriptor"},
    {ECHILD, "ECHILD", "No child processes"},
    {EAGAIN, "EAGAIN", "Resource temporarily unavailable"},
    {ENOMEM, "ENOMEM", "Cannot allocate memory"},
    {EACCES, "EACCES", "Permission denied"},
    {EFAULT, "EFAULT", "Bad address"},
    {ENOTBLK, "ENOTBLK", "Block device required"},
    {EBUSY, "EBUSY", "Device or resource busy"},
    {EEXIST, "EEXIST", "File exists"},
    {EXDEV, "EXDEV", "Invalid cross-device link"},
    {ENODEV, "ENODEV", "No such device"},
    {ENOTDIR, "ENOTDIR", "Not a directory"},
    {EISDIR, "EISDIR", "Is a directory"},
    {EINVAL, "EINVAL", "Invalid argument"},
    {ENFILE, "ENFILE", "Too many open files in system"},
    {EMFILE, "EMFILE", "Too many open files"},
    {ENOTTY, "ENOTTY", "Inappropriate ioctl for device"},
    {ETXTBSY, "ETXTBSY", "Text file busy"},
    {EFBIG, "EFBIG", "File too large"},
    {ENOSPC, "ENOSPC", "No space left on device"},
    {ESPIPE, "ESPIPE", "Illegal seek"},
    {EROFS, "EROFS", "Read-only file system"},
    {EMLINK, "EMLINK", "Too many links"},
    {EPIPE, "EPIPE", "Broken pipe"},
    {EDOM, "EDOM", "Numerical argument out of domain"},
    {ERANGE, "ERANGE", "Numerical result out of range"},
    {EDEADLK, "EDEADLK", "Resource deadlock avoided"},
    {ENAMETOOLONG, "ENAMETOOLONG", "File name too long"},
    {ENOLCK, "ENOLCK", "No locks available"},
    {ENOSYS, "ENOSYS", "Function not implemented"},
    {ENOTEMPTY, "ENOTEMPTY", "Directory not empty"},
    {ELOOP, "ELOOP", "Too many levels of symbolic links"},
    {ENOMSG, "ENOMSG", "No message of desired type"},
    {EIDRM, "EIDRM", "Identifier removed"},
    {ECHRNG, "ECHRNG", "Channel number out of range"},
    {EL2NSYNC, "EL2NSYNC", "Level 2 not synchronized"},
    {EL3HLT, "EL3HLT", "Level 3 halted"},
    {EL3RST, "EL3RST", "Level 3 reset"},
    {ELNRNG, "ELNRNG", "Link number out of range"},
    {EUNATCH, "EUNATCH", "Protocol driver not attached"},
    {ENOCSI, "ENOCSI", "No CSI structure available"},
    {EL2HLT, "EL2HLT", "Level 2 halted"},
    {EBADE, "EBADE", "Invalid exchange"},
    {EBADR, "EBADR", "Invalid request descriptor"},
    {EXFULL, "EXFULL", "Exchange full"},
    {ENOANO, "ENOANO", "No anode"},
    {EBADRQC, "EBADRQC", "Invalid request code"},
    {EBADSLT, "EBADSLT", "Invalid slot"},
    {EBFONT, "EBFONT", "Bad font file format"},
    {ENOSTR, "ENOSTR", "Device not a stream"},
    {ENODATA, "ENODATA", "No data available"},
    {ETIME, "ETIME", "Timer expired"},
    {ENOSR, "ENOSR", "Out of streams resources"},
    {ENONET, "ENONET", "Machine is not on the network"},
    {ENOPKG, "ENOPKG", "Package not installed"},
    {EREMOTE, "EREMOTE", "Object is remote"},
    {ENOLINK, "ENOLINK", "Link has been severed"},
    {EADV, "EADV", "Advertise error"},
    {ESRMNT, "ESRMNT", "Srmount error"},
    {ECOMM, "ECOMM", "Communication error on send"},
    {EPROTO, "EPROTO", "Protocol error"},
    {EMULTIHOP, "EMULTIHOP", "Multihop attempted"},
    {EDOTDOT, "EDOTDOT", "RFS specific error"},
    {EBADMSG, "EBADMSG", "Bad message"},
    {EOVERFLOW, "EOVERFLOW", "Value too large for defined data type"},
    {ENOTUNIQ, "ENOTUNIQ", "Name not unique on network"},
    {EBADFD, "EBADFD", "File descriptor in bad state"},
    {EREMCHG, "EREMCHG", "Remote address changed"},
    {ELIBACC, "ELIBACC", "Can not access a needed shared library"},
    {ELIBBAD, "ELIBBAD", "Accessing a corrupted shared library"},
    {ELIBSCN, "ELIBSCN", ".lib section in a.out corrupted"},
    {ELIBMAX, "ELIBMAX", "Attempting to link in too many shared libraries"},
    {ELIBEXEC, "ELIBEXEC", "Cannot exec a shared library directly"},
    {EILSEQ, "EILSEQ", "Invalid or incomplete multibyte or wide character"},
    {ERESTART, "ERESTART", "Interrupted system call should be restarted"},
    {ESTRPIPE, "ESTRPIPE", "Streams pipe error"},
    {EUSERS, "EUSERS", "Too many users"},
    {ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket"},
    {EDESTADDRREQ, "EDESTADDRREQ", "Destination address required"},
    {EMSGSIZE, "EMSGSIZE", "Message too long"},
    {EPROTOTYPE, "EPROTOTYPE", "Protocol wrong type for socket"},
    {ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available"},
    {EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported"},
    {ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", "Socket type not supported"},
    {EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"},
    {EPFNOSUPPORT, "EPFNOSUPPORT", "Protocol family not supported"},
    {EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol"},
    {EADDRINUSE, "EADDRINUSE", "Address already in use"},
    {EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address"},
    {ENETDOWN, "ENETDOWN", "Network is down"},
    {ENETUNREACH, "ENETUNREACH", "Network is unreachable"},
    {ENETRESET, "ENETRESET", "Network dropped connection on reset"},
    {ECONNABORTED, "ECONNABORTED", "Software caused connection abort"},
    {ECONNRESET, "ECONNRESET", "Connection reset by peer"},
    {ENOBUFS, "ENOBUFS", "No buffer space available"},
    {EISCONN, "EISCONN", "Transport endpoint is already connected"},
    {ENOTCONN, "ENOTCONN", "Transport endpoint is not connected"},
    {ESHUTDOWN, "ESHUTDOWN", "Cannot send after transport endpoint shutdown"},
    {ETOOMANYREFS, "ETOOMANYREFS", "Too many references: cannot splice"},
    {ETIMEDOUT, "ETIMEDOUT", "Connection timed out"},
    {ECONNREFUSED, "ECONNREFUSED", "Connection refused"},
    {EHOSTDOWN, "EHOSTDOWN", "Host is down"},
    {EHOSTUNREACH, "EHOSTUNREACH", "No route to host"},
    {EALREADY, "EALREADY", "Operation already in progress"},
    {EINPROGRESS, "EINPROGRESS", "Operation now in progress"},
    {ESTALE, "ESTALE", "Stale file handle"},
    {EUCLEAN, "EUCLEAN", "Structure needs cleaning"},
    {ENOTNAM, "ENOTNAM", "Not a XENIX named type file"},
    {ENAVAIL, "ENAVAIL", "No XENIX semaphores available"},
    {EISNAM, "EISNAM", "Is a named type file"},
    {EREMOTEIO, "EREMOTEIO", "Remote I/O error"},
    {EDQUOT, "EDQUOT", "Disk quota exceeded"},
    {ENOMEDIUM, "ENOMEDIUM", "No medium found"},
    {EMEDIUMTYPE, "EMEDIUMTYPE", "Wrong medium type"},
    {ECANCELED, "ECANCELED", "Operation canceled"},
    {ENOKEY, "ENOKEY", "Required key not available"},
    {EKEYEXPIRED, "EKEYEXPIRED", "Key has expired"},
    {EKEYREVOKED, "EKEYREVOKED", "Key has been revoked"},
    {EKEYREJECTED, "EKEYREJECTED", "Key was rejected by service"},
    {EOWNERDEAD, "EOWNERDEAD", "Owner died"},
    {ENOTRECOVERABLE, "ENOTRECOVERABLE", "State not recoverable"},
    {ERFKILL, "ERFKILL", "Operation not possible due to RF-kill"},
    {EHWPOISON, "EHWPOISON", "Memory page has hardware error"},
    {kERESTARTSYS, "ERESTARTSYS", "To be restarted if SA_RESTART is set"},
    {kERESTARTNOINTR, "ERESTARTNOINTR", "To be restarted"},
    {kERESTARTNOHAND, "ERESTARTNOHAND", "To be restarted if no handler"},
    {kENOIOCTLCMD, "ENOIOCTLCMD", "No ioctl command"},
    {kERESTART_RESTARTBLOCK, "ERESTART_RESTARTBLOCK", "Interrupted by signal"},
    {kENOTSUPP, "ENOTSUPP", "Operation not supported"},
};

const ErrnoInfo* find_errno(int err) {
  for (const ErrnoInfo& e : kErrnos) {
    if (e.value == err) return &e;
  }
  return nullptr;
}

// ---- signals ----------------------------------------------------------------

constexpr FlagName kSignals[] = {
    {SIGHUP, "SIGHUP"},   {SIGINT, "SIGINT"},     {SIGQUIT, "SIGQUIT"},     {SIGILL, "SIGILL"},
    {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"},   {SIGBUS, "SIGBUS"},       {SIGFPE, "SIGFPE"},
    {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"},   {SIGSEGV, "SIGSEGV"},     {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"},   {SIGTERM, "SIGTERM"},     {SIGSTKFLT, "SIGSTKFLT"},
    {SIGCHLD, "SIGCHLD"}, {SIGCONT, "SIGCONT"},   {SIGSTOP, "SIGSTOP"},     {SIGTSTP, "SIGTSTP"},
    {SIGTTIN, "SIGTTIN"}, {SIGTTOU, "SIGTTOU"},   {SIGURG, "SIGURG"},       {SIGXCPU, "SIGXCPU"},
    {SIGXFSZ, "SIGXFSZ"}, {SIGVTALRM, "SIGVTALRM"}, {SIGPROF, "SIGPROF"},   {SIGWINCH, "SIGWINCH"},
    {SIGIO, "SIGIO"},     {SIGPWR, "SIGPWR"},     {SIGSYS, "SIGSYS"},
};

// ---- files --------------------------------------------------------------------

constexpr FlagName kAccModes[] = {
    {O_RDONLY, "O_RDONLY"}, {O_WRONLY, "O_WRONLY"}, {O_RDWR, "O_RDWR"}, {O_ACCMODE, "O_ACCMODE"},
};

// Multi-bit names first: O_SYNC contains O_DSYNC, O_TMPFILE contains O_DIRECTORY.
constexpr FlagName kOpenFlags[] = {
    {O_CREAT, "O_CREAT"},
    {O_EXCL, "O_EXCL"},
    {O_NOCTTY, "O_NOCTTY"},
    {O_TRUNC, "O_TRUNC"},
    {O_APPEND, "O_APPEND"},
    {O_NONBLOCK, "O_NONBLOCK"},
    {O_SYNC, "O_SYNC"},
    {O_DSYNC, "O_DSYNC"},
    {O_ASYNC, "O_ASYNC"},
    {O_DIRECT, "O_DIRECT"},
    {kKernelOLargefile, "O_LARGEFILE"},
    {O_TMPFILE, "O_TMPFILE"},
    {O_DIRECTORY, "O_DIRECTORY"},
    {O_NOFOLLOW, "O_NOFOLLOW"},
    {O_NOATIME, "O_NOATIME"},
    {O_CLOEXEC, "O_CLOEXEC"},
    {O_PATH, "O_PATH"},
};

constexpr FlagName kAtFlags[] = {
    {AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
    {AT_REMOVEDIR, "AT_REMOVEDIR"},
    {AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
    {AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
    {AT_EMPTY_PATH, "AT_EMPTY_PATH"},
    {AT_STATX_FORCE_SYNC, "AT_STATX_FORCE_SYNC"},
    {AT_STATX_DONT_SYNC, "AT_STATX_DONT_SYNC"},
    {AT_RECURSIVE, "AT_RECURSIVE"},
};

// faccessat2 gives 0x200 another meaning (AT_EACCESS == AT_REMOVEDIR).
constexpr FlagName kFaccessatFlags[] = {
    {AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
    {AT_EACCESS, "AT_EACCESS"},
    {AT_EMPTY_PATH, "AT_EMPTY_PATH"},
};

constexpr FlagName kAccessModes[] = {
    {R_OK, "R_OK"}, {W_OK, "W_OK"}, {X_OK, "X_OK"},
};

constexpr FlagName kFcntlCmds[] = {
    {F_DUPFD, "F_DUPFD"},
    {F_GETFD, "F_GETFD"},
    {F_SETFD, "F_SETFD"},
    {F_GETFL, "F_GETFL"},
    {F_SETFL, "F_SETFL"},
    {F_GETLK, "F_GETLK"},
    {F_SETLK, "F_SETLK"},
    {F_SETLKW, "F_SETLKW"},
    {F_SETOWN, "F_SETOWN"},
    {F_GETOWN, "F_GETOWN"},
    {F_SETSIG, "F_SETSIG"},
    {F_GETSIG, "F_GETSIG"},
    {F_SETOWN_EX, "F_SETOWN_EX"},
    {F_GETOWN_EX, "F_GETOWN_EX"},
    {F_OFD_GETLK, "F_OFD_GETLK"},
    {F_OFD_SETLK, "F_OFD_SETLK"},
    {F_OFD_SETLKW, "F_OFD_SETLKW"},
    {F_SETLEASE, "F_SETLEASE"},
    {F_GETLEASE, "F_GETLEASE"},
    {F_NOTIFY, "F_NOTIFY"},
    {F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC"},
    {F_SETPIPE_SZ, "F_SETPIPE_SZ"},
    {F_GETPIPE_SZ, "F_GETPIPE_SZ"},
    {F_ADD_SEALS, "F_ADD_SEALS"},
    {F_GET_SEALS, "F_GET_SEALS"},
    {F_GET_RW_HINT, "F_GET_RW_HINT"},
    {F_SET_RW_HINT, "F_SET_RW_HINT"},
    {F_GET_FILE_RW_HINT, "F_GET_FILE_RW_HINT"},
    {F_SET_FILE_RW_HINT, "F_SET_FILE_RW_HINT"},
};

// Terminal, generic file, socket and filesystem ioctls; others print in hex.
// FIONREAD == TIOCINQ == SIOCINQ and TIOCOUTQ == SIOCOUTQ: the first name wins.
constexpr FlagName kIoctlRequests[] = {
    {TCGETS, "TCGETS"},
    {TCSETS, "TCSETS"},
    {TCSETSW, "TCSETSW"},
    {TCSETSF, "TCSETSF"},
    {TCGETA, "TCGETA"},
    {TCSETA, "TCSETA"},
    {TCSETAW, "TCSETAW"},
    {TCSETAF, "TCSETAF"},
    {TCSBRK, "TCSBRK"},
    {TCXONC, "TCXONC"},
    {TCFLSH, "TCFLSH"},
    {TIOCEXCL, "TIOCEXCL"},
    {TIOCNXCL, "TIOCNXCL"},
    {TIOCSCTTY, "TIOCSCTTY"},
    {TIOCGPGRP, "TIOCGPGRP"},
    {TIOCSPGRP, "TIOCSPGRP"},
    {TIOCOUTQ, "TIOCOUTQ"},
    {TIOCSTI, "TIOCSTI"},
    {TIOCGWINSZ, "TIOCGWINSZ"},
    {TIOCSWINSZ, "TIOCSWINSZ"},
    {TIOCMGET, "TIOCMGET"},
    {TIOCMBIS, "TIOCMBIS"},
    {TIOCMBIC, "TIOCMBIC"},
    {TIOCMSET, "TIOCMSET"},
    {TIOCGSOFTCAR, "TIOCGSOFTCAR"},
    {TIOCSSOFTCAR, "TIOCSSOFTCAR"},
    {FIONREAD, "FIONREAD"},
    {TIOCLINUX, "TIOCLINUX"},
    {TIOCCONS, "TIOCCONS"},
    {TIOCGSERIAL, "TIOCGSERIAL"},
    {TIOCSSERIAL, "TIOCSSERIAL"},
    {TIOCPKT, "TIOCPKT"},
    {FIONBIO, "FIONBIO"},
    {TIOCNOTTY, "TIOCNOTTY"},
    {TIOCSETD, "TIOCSETD"},
    {TIOCGETD, "TIOCGETD"},
    {TCSBRKP, "TCSBRKP"},
    {TIOCSBRK, "TIOCSBRK"},
    {TIOCCBRK, "TIOCCBRK"},
    {TIOCGSID, "TIOCGSID"},
    {TIOCGPTN, "TIOCGPTN"},
    {TIOCSPTLCK, "TIOCSPTLCK"},
    {TIOCGDEV, "TIOCGDEV"},
    {TIOCSIG, "TIOCSIG"},
    {TIOCVHANGUP, "TIOCVHANGUP"},
    {TIOCGPKT, "TIOCGPKT"},
    {TIOCGPTLCK, "TIOCGPTLCK"},
    {TIOCGEXCL, "TIOCGEXCL"},
    {TIOCGPTPEER, "TIOCGPTPEER"},
    {FIONCLEX, "FIONCLEX"},
    {FIOCLEX, "FIOCLEX"},
    {FIOASYNC, "FIOASYNC"},
    {TIOCSERCONFIG, "TIOCSERCONFIG"},
    {TIOCSERGETLSR, "TIOCSERGETLSR"},
    {TIOCMIWAIT, "TIOCMIWAIT"},
    {TIOCGICOUNT, "TIOCGICOUNT"},
    {FIOQSIZE, "FIOQSIZE"},
    {FIOSETOWN, "FIOSETOWN"},
    {SIOCSPGRP, "SIOCSPGRP"},
    {FIOGETOWN, "FIOGETOWN"},
    {SIOCGPGRP, "SIOCGPGRP"},
    {SIOCATMARK, "SIOCATMARK"},
    {SIOCGSTAMP_OLD, "SIOCGSTAMP"},
    {SIOCGSTAMPNS_OLD, "SIOCGSTAMPNS"},
    {SIOCADDRT, "SIOCADDRT"},
    {SIOCDELRT, "SIOCDELRT"},
    {SIOCGIFNAME, "SIOCGIFNAME"},
    {SIOCSIFLINK, "SIOCSIFLINK"},
    {SIOCGIFCONF, "SIOCGIFCONF"},
    {SIOCGIFFLAGS, "SIOCGIFFLAGS"},
    {SIOCSIFFLAGS, "SIOCSIFFLAGS"},
    {SIOCGIFADDR, "SIOCGIFADDR"},
    {SIOCSIFADDR, "SIOCSIFADDR"},
    {SIOCGIFDSTADDR, "SIOCGIFDSTADDR"},
    {SIOCSIFDSTADDR, "SIOCSIFDSTADDR"},
    {SIOCGIFBRDADDR, "SIOCGIFBRDADDR"},
    {SIOCSIFBRDADDR, "SIOCSIFBRDADDR"},
    {SIOCGIFNETMASK, "SIOCGIFNETMASK"},
    {SIOCSIFNETMASK, "SIOCSIFNETMASK"},
    {SIOCGIFMETRIC, "SIOCGIFMETRIC"},
    {SIOCSIFMETRIC, "SIOCSIFMETRIC"},
    {SIOCGIFMTU, "SIOCGIFMTU"},
    {SIOCSIFMTU, "SIOCSIFMTU"},
    {SIOCSIFNAME, "SIOCSIFNAME"},
    {SIOCSIFHWADDR, "SIOCSIFHWADDR"},
    {SIOCGIFENCAP, "SIOCGIFENCAP"},
    {SIOCSIFENCAP, "SIOCSIFENCAP"},
    {SIOCGIFHWADDR, "SIOCGIFHWADDR"},
    {SIOCGIFSLAVE, "SIOCGIFSLAVE"},
    {SIOCSIFSLAVE, "SIOCSIFSLAVE"},
    {SIOCADDMULTI, "SIOCADDMULTI"},
    {SIOCDELMULTI, "SIOCDELMULTI"},
    {SIOCGIFINDEX, "SIOCGIFINDEX"},
    {SIOCSIFPFLAGS, "SIOCSIFPFLAGS"},
    {SIOCGIFPFLAGS, "SIOCGIFPFLAGS"},
    {SIOCDIFADDR, "SIOCDIFADDR"},
    {SIOCSIFHWBROADCAST, "SIOCSIFHWBROADCAST"},
    {SIOCGIFCOUNT, "SIOCGIFCOUNT"},
    {SIOCGIFTXQLEN, "SIOCGIFTXQLEN"},
    {SIOCSIFTXQLEN, "SIOCSIFTXQLEN"},
    {SIOCETHTOOL, "SIOCETHTOOL"},
    {SIOCGMIIPHY, "SIOCGMIIPHY"},
    {SIOCGMIIREG, "SIOCGMIIREG"},
    {SIOCSMIIREG, "SIOCSMIIREG"},
    {SIOCWANDEV, "SIOCWANDEV"},
    {SIOCOUTQNSD, "SIOCOUTQNSD"},
    {SIOCGSKNS, "SIOCGSKNS"},
    {SIOCDARP, "SIOCDARP"},
    {SIOCGARP, "SIOCGARP"},
    {SIOCSARP, "SIOCSARP"},
    {SIOCGIFMAP, "SIOCGIFMAP"},
    {SIOCSIFMAP, "SIOCSIFMAP"},
    {FICLONE, "FICLONE"},
    {FICLONERANGE, "FICLONERANGE"},
    {FIDEDUPERANGE, "FIDEDUPERANGE"},
    {FIFREEZE, "FIFREEZE"},
    {FITHAW, "FITHAW"},
    {FITRIM, "FITRIM"},
    {FIBMAP, "FIBMAP"},
    {FIGETBSZ, "FIGETBSZ"},
    {FS_IOC_GETFLAGS, "FS_IOC_GETFLAGS"},
    {FS_IOC_SETFLAGS, "FS_IOC_SETFLAGS"},
    {FS_IOC_GETVERSION, "FS_IOC_GETVERSION"},
    {FS_IOC_SETVERSION, "FS_IOC_SETVERSION"},
    {FS_IOC_FIEMAP, "FS_IOC_FIEMAP"},
    {FS_IOC_FSGETXATTR, "FS_IOC_FSGETXATTR"},
    {FS_IOC_FSSETXATTR, "FS_IOC_FSSETXATTR"},
    {BLKGETSIZE, "BLKGETSIZE"},
    {BLKGETSIZE64, "BLKGETSIZE64"},
    {BLKSSZGET, "BLKSSZGET"},
    {BLKBSZGET, "BLKBSZGET"},
    {BLKROGET, "BLKROGET"},
    {BLKFLSBUF, "BLKFLSBUF"},
    {BLKDISCARD, "BLKDISCARD"},
};

constexpr FlagName kWhences[] = {
    {SEEK_SET, "SEEK_SET"}, {SEEK_CUR, "SEEK_CUR"}, {SEEK_END, "SEEK_END"},
    {SEEK_DATA, "SEEK_DATA"}, {SEEK_HOLE, "SEEK_HOLE"},
};

constexpr FlagName kRenameFlags[] = {
    {RENAME_NOREPLACE, "RENAME_NOREPLACE"},
    {RENAME_EXCHANGE, "RENAME_EXCHANGE"},
    {RENAME_WHITEOUT, "RENAME_WHITEOUT"},
};

// STATX_BASIC_STATS first so a full basic mask prints as one name.
constexpr FlagName kStatxMask[] = {
    {STATX_BASIC_STATS, "STATX_BASIC_STATS"},
    {STATX_TYPE, "STATX_TYPE"},
    {STATX_MODE, "STATX_MODE"},
    {STATX_NLINK, "STATX_NLINK"},
    {STATX_UID, "STATX_UID"},
    {STATX_GID, "STATX_GID"},
    {STATX_ATIME, "STATX_ATIME"},
    {STATX_MTIME, "STATX_MTIME"},
    {STATX_CTIME, "STATX_CTIME"},
    {STATX_INO, "STATX_INO"},
    {STATX_SIZE, "STATX_SIZE"},
    {STATX_BLOCKS, "STATX_BLOCKS"},
    {STATX_BTIME, "STATX_BTIME"},
    {STATX_MNT_ID, "STATX_MNT_ID"},
    {STATX_DIOALIGN, "STATX_DIOALIGN"},
    {kSTATX_MNT_ID_UNIQUE, "STATX_MNT_ID_UNIQUE"},
    {kSTATX_SUBVOL, "STATX_SUBVOL"},
    {kSTATX_WRITE_ATOMIC, "STATX_WRITE_ATOMIC"},
};

constexpr FlagName kPipeFlags[] = {
    {O_NONBLOCK, "O_NONBLOCK"}, {O_DIRECT, "O_DIRECT"}, {O_CLOEXEC, "O_CLOEXEC"},
};

constexpr FlagName kEventfdFlags[] = {
    {EFD_SEMAPHORE, "EFD_SEMAPHORE"}, {EFD_NONBLOCK, "EFD_NONBLOCK"}, {EFD_CLOEXEC, "EFD_CLOEXEC"},
};

constexpr FlagName kMemfdFlags[] = {
    {MFD_CLOEXEC, "MFD_CLOEXEC"},
    {MFD_ALLOW_SEALING, "MFD_ALLOW_SEALING"},
    {MFD_HUGETLB, "MFD_HUGETLB"},
    {kMFD_NOEXEC_SEAL, "MFD_NOEXEC_SEAL"},
    {kMFD_EXEC, "MFD_EXEC"},
};

// ---- memory -------------------------------------------------------------------

constexpr FlagName kProt[] = {
    {PROT_READ, "PROT_READ"},
    {PROT_WRITE, "PROT_WRITE"},
    {PROT_EXEC, "PROT_EXEC"},
    {PROT_SEM, "PROT_SEM"},
    {PROT_GROWSDOWN, "PROT_GROWSDOWN"},
    {PROT_GROWSUP, "PROT_GROWSUP"},
};

constexpr FlagName kMapTypes[] = {
    {MAP_SHARED, "MAP_SHARED"},
    {MAP_PRIVATE, "MAP_PRIVATE"},
    {MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE"},
};

constexpr FlagName kMapFlags[] = {
    {MAP_FIXED, "MAP_FIXED"},
    {MAP_ANONYMOUS, "MAP_ANONYMOUS"},
    {MAP_32BIT, "MAP_32BIT"},
    {MAP_GROWSDOWN, "MAP_GROWSDOWN"},
    {MAP_DENYWRITE, "MAP_DENYWRITE"},
    {MAP_EXECUTABLE, "MAP_EXECUTABLE"},
    {MAP_LOCKED, "MAP_LOCKED"},
    {MAP_NORESERVE, "MAP_NORESERVE"},
    {MAP_POPULATE, "MAP_POPULATE"},
    {MAP_NONBLOCK, "MAP_NONBLOCK"},
    {MAP_STACK, "MAP_STACK"},
    {MAP_HUGETLB, "MAP_HUGETLB"},
    {MAP_SYNC, "MAP_SYNC"},
    {MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"},
};

constexpr FlagName kMremapFlags[] = {
    {MREMAP_MAYMOVE, "MREMAP_MAYMOVE"},
    {MREMAP_FIXED, "MREMAP_FIXED"},
    {MREMAP_DONTUNMAP, "MREMAP_DONTUNMAP"},
};

constexpr FlagName kMadvise[] = {
    {MADV_NORMAL, "MADV_NORMAL"},
    {MADV_RANDOM, "MADV_RANDOM"},
    {MADV_SEQUENTIAL, "MADV_SEQUENTIAL"},
    {MADV_WILLNEED, "MADV_WILLNEED"},
    {MADV_DONTNEED, "MADV_DONTNEED"},
    {MADV_FREE, "MADV_FREE"},
    {MADV_REMOVE, "MADV_REMOVE"},
    {MADV_DONTFORK, "MADV_DONTFORK"},
    {MADV_DOFORK, "MADV_DOFORK"},
    {MADV_MERGEABLE, "MADV_MERGEABLE"},
    {MADV_UNMERGEABLE, "MADV_UNMERGEABLE"},
    {MADV_HUGEPAGE, "MADV_HUGEPAGE"},
    {MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE"},
    {MADV_DONTDUMP, "MADV_DONTDUMP"},
    {MADV_DODUMP, "MADV_DODUMP"},
    {MADV_WIPEONFORK, "MADV_WIPEONFORK"},
    {MADV_KEEPONFORK, "MADV_KEEPONFORK"},
    {MADV_COLD, "MADV_COLD"},
    {MADV_PAGEOUT, "MADV_PAGEOUT"},
    {MADV_POPULATE_READ, "MADV_POPULATE_READ"},
    {MADV_POPULATE_WRITE, "MADV_POPULATE_WRITE"},
    {MADV_DONTNEED_LOCKED, "MADV_DONTNEED_LOCKED"},
    {MADV_COLLAPSE, "MADV_COLLAPSE"},
    {MADV_HWPOISON, "MADV_HWPOISON"},
    {MADV_SOFT_OFFLINE, "MADV_SOFT_OFFLINE"},
};

// ---- processes ------------------------------------------------------------------

constexpr FlagName kCloneFlags[] = {
    {CLONE_NEWTIME, "CLONE_NEWTIME"},  // clone3 only: in clone(2) the low byte is the exit signal
    {CLONE_VM, "CLONE_VM"},
    {CLONE_FS, "CLONE_FS"},
    {CLONE_FILES, "CLONE_FILES"},
    {CLONE_SIGHAND, "CLONE_SIGHAND"},
    {CLONE_PIDFD, "CLONE_PIDFD"},
    {CLONE_PTRACE, "CLONE_PTRACE"},
    {CLONE_VFORK, "CLONE_VFORK"},
    {CLONE_PARENT, "CLONE_PARENT"},
    {CLONE_THREAD, "CLONE_THREAD"},
    {CLONE_NEWNS, "CLONE_NEWNS"},
    {CLONE_SYSVSEM, "CLONE_SYSVSEM"},
    {CLONE_SETTLS, "CLONE_SETTLS"},
    {CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
    {CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
    {CLONE_DETACHED, "CLONE_DETACHED"},
    {CLONE_UNTRACED, "CLONE_UNTRACED"},
    {CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
    {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
    {CLONE_NEWUTS, "CLONE_NEWUTS"},
    {CLONE_NEWIPC, "CLONE_NEWIPC"},
    {CLONE_NEWUSER, "CLONE_NEWUSER"},
    {CLONE_NEWPID, "CLONE_NEWPID"},
    {CLONE_NEWNET, "CLONE_NEWNET"},
    {CLONE_IO, "CLONE_IO"},
    {CLONE_CLEAR_SIGHAND, "CLONE_CLEAR_SIGHAND"},
    {CLONE_INTO_CGROUP, "CLONE_INTO_CGROUP"},
};

constexpr FlagName kFutexCmds[] = {
    {FUTEX_WAIT, "FUTEX_WAIT"},
    {FUTEX_WAKE, "FUTEX_WAKE"},
    {FUTEX_FD, "FUTEX_FD"},
    {FUTEX_REQUEUE, "FUTEX_REQUEUE"},
    {FUTEX_CMP_REQUEUE, "FUTEX_CMP_REQUEUE"},
    {FUTEX_WAKE_OP, "FUTEX_WAKE_OP"},
    {FUTEX_LOCK_PI, "FUTEX_LOCK_PI"},
    {FUTEX_UNLOCK_PI, "FUTEX_UNLOCK_PI"},
    {FUTEX_TRYLOCK_PI, "FUTEX_TRYLOCK_PI"},
    {FUTEX_WAIT_BITSET, "FUTEX_WAIT_BITSET"},
    {FUTEX_WAKE_BITSET, "FUTEX_WAKE_BITSET"},
    {FUTEX_WAIT_REQUEUE_PI, "FUTEX_WAIT_REQUEUE_PI"},
    {FUTEX_CMP_REQUEUE_PI, "FUTEX_CMP_REQUEUE_PI"},
    {FUTEX_LOCK_PI2, "FUTEX_LOCK_PI2"},
};

constexpr FlagName kPrctlOptions[] = {
    {PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG"},
    {PR_GET_PDEATHSIG, "PR_GET_PDEATHSIG"},
    {PR_GET_DUMPABLE, "PR_GET_DUMPABLE"},
    {PR_SET_DUMPABLE, "PR_SET_DUMPABLE"},
    {PR_GET_UNALIGN, "PR_GET_UNALIGN"},
    {PR_SET_UNALIGN, "PR_SET_UNALIGN"},
    {PR_GET_KEEPCAPS, "PR_GET_KEEPCAPS"},
    {PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS"},
    {PR_GET_FPEMU, "PR_GET_FPEMU"},
    {PR_SET_FPEMU, "PR_SET_FPEMU"},
    {PR_GET_FPEXC, "PR_GET_FPEXC"},
    {PR_SET_FPEXC, "PR_SET_FPEXC"},
    {PR_GET_TIMING, "PR_GET_TIMING"},
    {PR_SET_TIMING, "PR_SET_TIMING"},
    {PR_SET_NAME, "PR_SET_NAME"},
    {PR_GET_NAME, "PR_GET_NAME"},
    {PR_GET_ENDIAN, "PR_GET_ENDIAN"},
    {PR_SET_ENDIAN, "PR_SET_ENDIAN"},
    {PR_GET_SECCOMP, "PR_GET_SECCOMP"},
    {PR_SET_SECCOMP, "PR_SET_SECCOMP"},
    {PR_CAPBSET_READ, "PR_CAPBSET_READ"},
    {PR_CAPBSET_DROP, "PR_CAPBSET_DROP"},
    {PR_GET_TSC, "PR_GET_TSC"},
    {PR_SET_TSC, "PR_SET_TSC"},
    {PR_GET_SECUREBITS, "PR_GET_SECUREBITS"},
    {PR_SET_SECUREBITS, "PR_SET_SECUREBITS"},
    {PR_SET_TIMERSLACK, "PR_SET_TIMERSLACK"},
    {PR_GET_TIMERSLACK, "PR_GET_TIMERSLACK"},
    {PR_TASK_PERF_EVENTS_DISABLE, "PR_TASK_PERF_EVENTS_DISABLE"},
    {PR_TASK_PERF_EVENTS_ENABLE, "PR_TASK_PERF_EVENTS_ENABLE"},
    {PR_MCE_KILL, "PR_MCE_KILL"},
    {PR_MCE_KILL_GET, "PR_MCE_KILL_GET"},
    {PR_SET_MM, "PR_SET_MM"},
    {PR_SET_PTRACER, "PR_SET_PTRACER"},
    {PR_SET_CHILD_SUBREAPER, "PR_SET_CHILD_SUBREAPER"},
    {PR_GET_CHILD_SUBREAPER, "PR_GET_CHILD_SUBREAPER"},
    {PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS"},
    {PR_GET_NO_NEW_PRIVS, "PR_GET_NO_NEW_PRIVS"},
    {PR_GET_TID_ADDRESS, "PR_GET_TID_ADDRESS"},
    {PR_SET_THP_DISABLE, "PR_SET_THP_DISABLE"},
    {PR_GET_THP_DISABLE, "PR_GET_THP_DISABLE"},
    {PR_MPX_ENABLE_MANAGEMENT, "PR_MPX_ENABLE_MANAGEMENT"},
    {PR_MPX_DISABLE_MANAGEMENT, "PR_MPX_DISABLE_MANAGEMENT"},
    {PR_SET_FP_MODE, "PR_SET_FP_MODE"},
    {PR_GET_FP_MODE, "PR_GET_FP_MODE"},
    {PR_CAP_AMBIENT, "PR_CAP_AMBIENT"},
    {PR_SVE_SET_VL, "PR_SVE_SET_VL"},
    {PR_SVE_GET_VL, "PR_SVE_GET_VL"},
    {PR_GET_SPECULATION_CTRL, "PR_GET_SPECULATION_CTRL"},
    {PR_SET_SPECULATION_CTRL, "PR_SET_SPECULATION_CTRL"},
    {PR_PAC_RESET_KEYS, "PR_PAC_RESET_KEYS"},
    {PR_SET_TAGGED_ADDR_CTRL, "PR_SET_TAGGED_ADDR_CTRL"},
    {PR_GET_TAGGED_ADDR_CTRL, "PR_GET_TAGGED_ADDR_CTRL"},
    {PR_SET_IO_FLUSHER, "PR_SET_IO_FLUSHER"},
    {PR_GET_IO_FLUSHER, "PR_GET_IO_FLUSHER"},
    {PR_SET_SYSCALL_USER_DISPATCH, "PR_SET_SYSCALL_USER_DISPATCH"},
    {PR_PAC_SET_ENABLED_KEYS, "PR_PAC_SET_ENABLED_KEYS"},
    {PR_PAC_GET_ENABLED_KEYS, "PR_PAC_GET_ENABLED_KEYS"},
    {PR_SCHED_CORE, "PR_SCHED_CORE"},
    {PR_SME_SET_VL, "PR_SME_SET_VL"},
    {PR_SME_GET_VL, "PR_SME_GET_VL"},
    {kPR_SET_MDWE, "PR_SET_MDWE"},
    {kPR_GET_MDWE, "PR_GET_MDWE"},
    {kPR_SET_MEMORY_MERGE, "PR_SET_MEMORY_MERGE"},
    {kPR_GET_MEMORY_MERGE, "PR_GET_MEMORY_MERGE"},
    {kPR_RISCV_V_SET_CONTROL, "PR_RISCV_V_SET_CONTROL"},
    {kPR_RISCV_V_GET_CONTROL, "PR_RISCV_V_GET_CONTROL"},
    {kPR_RISCV_SET_ICACHE_FLUSH_CTX, "PR_RISCV_SET_ICACHE_FLUSH_CTX"},
    {kPR_PPC_GET_DEXCR, "PR_PPC_GET_DEXCR"},
    {kPR_PPC_SET_DEXCR, "PR_PPC_SET_DEXCR"},
    {kPR_GET_SHADOW_STACK_STATUS, "PR_GET_SHADOW_STACK_STATUS"},
    {kPR_SET_SHADOW_STACK_STATUS, "PR_SET_SHADOW_STACK_STATUS"},
    {kPR_LOCK_SHADOW_STACK_STATUS, "PR_LOCK_SHADOW_STACK_STATUS"},
    {PR_SET_VMA, "PR_SET_VMA"},
    {kPR_GET_AUXV, "PR_GET_AUXV"},
};

// wait4's WUNTRACED and waitid's WSTOPPED are the same bit; strace prints WSTOPPED
// only for waitid, so the wait4 spelling is used here.
constexpr FlagName kWaitOptions[] = {
    {WNOHANG, "WNOHANG"},
    {WUNTRACED, "WUNTRACED"},
    {WEXITED, "WEXITED"},
    {WCONTINUED, "WCONTINUED"},
    {WNOWAIT, "WNOWAIT"},
    {__WNOTHREAD, "__WNOTHREAD"},
    {__WALL, "__WALL"},
    {__WCLONE, "__WCLONE"},
};

constexpr FlagName kRlimits[] = {
    {RLIMIT_CPU, "RLIMIT_CPU"},
    {RLIMIT_FSIZE, "RLIMIT_FSIZE"},
    {RLIMIT_DATA, "RLIMIT_DATA"},
    {RLIMIT_STACK, "RLIMIT_STACK"},
    {RLIMIT_CORE, "RLIMIT_CORE"},
    {RLIMIT_RSS, "RLIMIT_RSS"},
    {RLIMIT_NPROC, "RLIMIT_NPROC"},
    {RLIMIT_NOFILE, "RLIMIT_NOFILE"},
    {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"},
    {RLIMIT_AS, "RLIMIT_AS"},
    {RLIMIT_LOCKS, "RLIMIT_LOCKS"},
    {RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING"},
    {RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE"},
    {RLIMIT_NICE, "RLIMIT_NICE"},
    {RLIMIT_RTPRIO, "RLIMIT_RTPRIO"},
    {RLIMIT_RTTIME, "RLIMIT_RTTIME"},
};

constexpr FlagName kSchedPolicies[] = {
    {SCHED_OTHER, "SCHED_OTHER"},
    {SCHED_FIFO, "SCHED_FIFO"},
    {SCHED_RR, "SCHED_RR"},
    {SCHED_BATCH, "SCHED_BATCH"},
    {SCHED_IDLE, "SCHED_IDLE"},
    {SCHED_DEADLINE, "SCHED_DEADLINE"},
};

constexpr FlagName kGrndFlags[] = {
    {GRND_NONBLOCK, "GRND_NONBLOCK"}, {GRND_RANDOM, "GRND_RANDOM"}, {GRND_INSECURE, "GRND_INSECURE"},
};

// ---- signals, time, polling ---------------------------------------------------

constexpr FlagName kSigHows[] = {
    {SIG_BLOCK, "SIG_BLOCK"}, {SIG_UNBLOCK, "SIG_UNBLOCK"}, {SIG_SETMASK, "SIG_SETMASK"},
};

constexpr FlagName kClockIds[] = {
    {CLOCK_REALTIME, "CLOCK_REALTIME"},
    {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
    {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
    {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
    {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
    {CLOCK_REALTIME_ALARM, "CLOCK_REALTIME_ALARM"},
    {CLOCK_BOOTTIME_ALARM, "CLOCK_BOOTTIME_ALARM"},
    {CLOCK_TAI, "CLOCK_TAI"},
};

constexpr FlagName kTimerFlags[] = {
    {TIMER_ABSTIME, "TIMER_ABSTIME"},
};

constexpr FlagName kEpollCtlOps[] = {
    {EPOLL_CTL_ADD, "EPOLL_CTL_ADD"}, {EPOLL_CTL_DEL, "EPOLL_CTL_DEL"}, {EPOLL_CTL_MOD, "EPOLL_CTL_MOD"},
};

constexpr FlagName kEpollEvents[] = {
    {EPOLLIN, "EPOLLIN"},
    {EPOLLPRI, "EPOLLPRI"},
    {EPOLLOUT, "EPOLLOUT"},
    {EPOLLERR, "EPOLLERR"},
    {EPOLLHUP, "EPOLLHUP"},
    {POLLNVAL, "EPOLLNVAL"},  // glibc's sys/epoll.h omits EPOLLNVAL; same bit as POLLNVAL
    {EPOLLRDNORM, "EPOLLRDNORM"},
    {EPOLLRDBAND, "EPOLLRDBAND"},
    {EPOLLWRNORM, "EPOLLWRNORM"},
    {EPOLLWRBAND, "EPOLLWRBAND"},
    {EPOLLMSG, "EPOLLMSG"},
    {EPOLLRDHUP, "EPOLLRDHUP"},
    {EPOLLEXCLUSIVE, "EPOLLEXCLUSIVE"},
    {EPOLLWAKEUP, "EPOLLWAKEUP"},
    {EPOLLONESHOT, "EPOLLONESHOT"},
    {EPOLLET, "EPOLLET"},
};

constexpr FlagName kPollEvents[] = {
    {POLLIN, "POLLIN"},
    {POLLPRI, "POLLPRI"},
    {POLLOUT, "POLLOUT"},
    {POLLERR, "POLLERR"},
    {POLLHUP, "POLLHUP"},
    {POLLNVAL, "POLLNVAL"},
    {POLLRDNORM, "POLLRDNORM"},
    {POLLRDBAND, "POLLRDBAND"},
    {POLLWRNORM, "POLLWRNORM"},
    {POLLWRBAND, "POLLWRBAND"},
    {POLLMSG, "POLLMSG"},
    {POLLREMOVE, "POLLREMOVE"},
    {POLLRDHUP, "POLLRDHUP"},
};

// ---- sockets ------------------------------------------------------------------

constexpr FlagName kAddressFamilies[] = {
    {AF_UNSPEC, "AF_UNSPEC"},       {AF_UNIX, "AF_UNIX"},           {AF_INET, "AF_INET"},
    {AF_AX25, "AF_AX25"},           {AF_IPX, "AF_IPX"},             {AF_APPLETALK, "AF_APPLETALK"},
    {AF_NETROM, "AF_NETROM"},       {AF_BRIDGE, "AF_BRIDGE"},       {AF_ATMPVC, "AF_ATMPVC"},
    {AF_X25, "AF_X25"},             {AF_INET6, "AF_INET6"},         {AF_ROSE, "AF_ROSE"},
    {AF_DECnet, "AF_DECnet"},       {AF_NETBEUI, "AF_NETBEUI"},     {AF_SECURITY, "AF_SECURITY"},
    {AF_KEY, "AF_KEY"},             {AF_NETLINK, "AF_NETLINK"},     {AF_PACKET, "AF_PACKET"},
    {AF_ASH, "AF_ASH"},             {AF_ECONET, "AF_ECONET"},       {AF_ATMSVC, "AF_ATMSVC"},
    {AF_RDS, "AF_RDS"},             {AF_SNA, "AF_SNA"},             {AF_IRDA, "AF_IRDA"},
    {AF_PPPOX, "AF_PPPOX"},         {AF_WANPIPE, "AF_WANPIPE"},     {AF_LLC, "AF_LLC"},
    {AF_IB, "AF_IB"},               {AF_MPLS, "AF_MPLS"},           {AF_CAN, "AF_CAN"},
    {AF_TIPC, "AF_TIPC"},           {AF_BLUETOOTH, "AF_BLUETOOTH"}, {AF_IUCV, "AF_IUCV"},
    {AF_RXRPC, "AF_RXRPC"},         {AF_ISDN, "AF_ISDN"},           {AF_PHONET, "AF_PHONET"},
    {AF_IEEE802154, "AF_IEEE802154"}, {AF_CAIF, "AF_CAIF"},         {AF_ALG, "AF_ALG"},
    {AF_NFC, "AF_NFC"},             {AF_VSOCK, "AF_VSOCK"},         {AF_KCM, "AF_KCM"},
    {AF_QIPCRTR, "AF_QIPCRTR"},     {AF_SMC, "AF_SMC"},             {AF_XDP, "AF_XDP"},
    {AF_MCTP, "AF_MCTP"},
};

constexpr FlagName kSocketTypes[] = {
    {SOCK_STREAM, "SOCK_STREAM"},   {SOCK_DGRAM, "SOCK_DGRAM"}, {SOCK_RAW, "SOCK_RAW"},
    {SOCK_RDM, "SOCK_RDM"},         {SOCK_SEQPACKET, "SOCK_SEQPACKET"},
    {SOCK_DCCP, "SOCK_DCCP"},       {SOCK_PACKET, "SOCK_PACKET"},
};

constexpr FlagName kSocketTypeFlags[] = {
    {SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {SOCK_CLOEXEC, "SOCK_CLOEXEC"},
};

// The socket type nibble (net.h SOCK_TYPE_MASK); glibc does not export it.
constexpr std::uint64_t kSockTypeMask = 0xf;

constexpr FlagName kSockoptLevels[] = {
    {SOL_IP, "SOL_IP"},
    {SOL_SOCKET, "SOL_SOCKET"},
    {SOL_TCP, "SOL_TCP"},
    {SOL_UDP, "SOL_UDP"},
    {SOL_IPV6, "SOL_IPV6"},
    {SOL_ICMPV6, "SOL_ICMPV6"},
    {IPPROTO_SCTP, "SOL_SCTP"},
    {IPPROTO_UDPLITE, "SOL_UDPLITE"},
    {SOL_RAW, "SOL_RAW"},
    {SOL_PACKET, "SOL_PACKET"},
    {SOL_NETLINK, "SOL_NETLINK"},
    {SOL_ALG, "SOL_ALG"},
    {SOL_TLS, "SOL_TLS"},
    {SOL_XDP, "SOL_XDP"},
};

// SO_*_OLD are what glibc's SO_RCVTIMEO etc. mean on x86-64 (64-bit time_t);
// they are printed under the names programs use.
constexpr FlagName kSolSocketOptions[] = {
    {SO_DEBUG, "SO_DEBUG"},
    {SO_REUSEADDR, "SO_REUSEADDR"},
    {SO_TYPE, "SO_TYPE"},
    {SO_ERROR, "SO_ERROR"},
    {SO_DONTROUTE, "SO_DONTROUTE"},
    {SO_BROADCAST, "SO_BROADCAST"},
    {SO_SNDBUF, "SO_SNDBUF"},
    {SO_RCVBUF, "SO_RCVBUF"},
    {SO_KEEPALIVE, "SO_KEEPALIVE"},
    {SO_OOBINLINE, "SO_OOBINLINE"},
    {SO_NO_CHECK, "SO_NO_CHECK"},
    {SO_PRIORITY, "SO_PRIORITY"},
    {SO_LINGER, "SO_LINGER"},
    {SO_BSDCOMPAT, "SO_BSDCOMPAT"},
    {SO_REUSEPORT, "SO_REUSEPORT"},
    {SO_PASSCRED, "SO_PASSCRED"},
    {SO_PEERCRED, "SO_PEERCRED"},
    {SO_RCVLOWAT, "SO_RCVLOWAT"},
    {SO_SNDLOWAT, "SO_SNDLOWAT"},
    {SO_RCVTIMEO_OLD, "SO_RCVTIMEO"},
    {SO_SNDTIMEO_OLD, "SO_SNDTIMEO"},
    {SO_SECURITY_AUTHENTICATION, "SO_SECURITY_AUTHENTICATION"},
    {SO_SECURITY_ENCRYPTION_TRANSPORT, "SO_SECURITY_ENCRYPTION_TRANSPORT"},
    {SO_SECURITY_ENCRYPTION_NETWORK, "SO_SECURITY_ENCRYPTION_NETWORK"},
    {SO_BINDTODEVICE, "SO_BINDTODEVICE"},
    {SO_ATTACH_FILTER, "SO_ATTACH_FILTER"},
    {SO_DETACH_FILTER, "SO_DETACH_FILTER"},
    {SO_PEERNAME, "SO_PEERNAME"},
    {SO_TIMESTAMP_OLD, "SO_TIMESTAMP"},
    {SO_ACCEPTCONN, "SO_ACCEPTCONN"},
    {SO_PEERSEC, "SO_PEERSEC"},
    {SO_SNDBUFFORCE, "SO_SNDBUFFORCE"},
    {SO_RCVBUFFORCE, "SO_RCVBUFFORCE"},
    {SO_PASSSEC, "SO_PASSSEC"},
    {SO_TIMESTAMPNS_OLD, "SO_TIMESTAMPNS"},
    {SO_MARK, "SO_MARK"},
    {SO_TIMESTAMPING_OLD, "SO_TIMESTAMPING"},
    {SO_PROTOCOL, "SO_PROTOCOL"},
    {SO_DOMAIN, "SO_DOMAIN"},
    {SO_RXQ_OVFL, "SO_RXQ_OVFL"},
    {SO_WIFI_STATUS, "SO_WIFI_STATUS"},
    {SO_PEEK_OFF, "SO_PEEK_OFF"},
    {SO_NOFCS, "SO_NOFCS"},
    {SO_LOCK_FILTER, "SO_LOCK_FILTER"},
    {SO_SELECT_ERR_QUEUE, "SO_SELECT_ERR_QUEUE"},
    {SO_BUSY_POLL, "SO_BUSY_POLL"},
    {SO_MAX_PACING_RATE, "SO_MAX_PACING_RATE"},
    {SO_BPF_EXTENSIONS, "SO_BPF_EXTENSIONS"},
    {SO_INCOMING_CPU, "SO_INCOMING_CPU"},
    {SO_ATTACH_BPF, "SO_ATTACH_BPF"},
    {SO_ATTACH_REUSEPORT_CBPF, "SO_ATTACH_REUSEPORT_CBPF"},
    {SO_ATTACH_REUSEPORT_EBPF, "SO_ATTACH_REUSEPORT_EBPF"},
    {SO_CNX_ADVICE, "SO_CNX_ADVICE"},
    {SO_MEMINFO, "SO_MEMINFO"},
    {SO_INCOMING_NAPI_ID, "SO_INCOMING_NAPI_ID"},
    {SO_COOKIE, "SO_COOKIE"},
    {SO_PEERGROUPS, "SO_PEERGROUPS"},
    {SO_ZEROCOPY, "SO_ZEROCOPY"},
    {SO_TXTIME, "SO_TXTIME"},
    {SO_BINDTOIFINDEX, "SO_BINDTOIFINDEX"},
    {SO_TIMESTAMP_NEW, "SO_TIMESTAMP_NEW"},
    {SO_TIMESTAMPNS_NEW, "SO_TIMESTAMPNS_NEW"},
    {SO_TIMESTAMPING_NEW, "SO_TIMESTAMPING_NEW"},
    {SO_RCVTIMEO_NEW, "SO_RCVTIMEO_NEW"},
    {SO_SNDTIMEO_NEW, "SO_SNDTIMEO_NEW"},
    {SO_DETACH_REUSEPORT_BPF, "SO_DETACH_REUSEPORT_BPF"},
    {SO_PREFER_BUSY_POLL, "SO_PREFER_BUSY_POLL"},
    {SO_BUSY_POLL_BUDGET, "SO_BUSY_POLL_BUDGET"},
    {SO_NETNS_COOKIE, "SO_NETNS_COOKIE"},
    {SO_BUF_LOCK, "SO_BUF_LOCK"},
    {SO_RESERVE_MEM, "SO_RESERVE_MEM"},
    {SO_TXREHASH, "SO_TXREHASH"},
    {SO_RCVMARK, "SO_RCVMARK"},
};

constexpr FlagName kSolIpOptions[] = {
    {IP_TOS, "IP_TOS"},
    {IP_TTL, "IP_TTL"},
    {IP_HDRINCL, "IP_HDRINCL"},
    {IP_OPTIONS, "IP_OPTIONS"},
    {IP_ROUTER_ALERT, "IP_ROUTER_ALERT"},
    {IP_RECVOPTS, "IP_RECVOPTS"},
    {IP_RETOPTS, "IP_RETOPTS"},
    {IP_PKTINFO, "IP_PKTINFO"},
    {IP_PKTOPTIONS, "IP_PKTOPTIONS"},
    {IP_MTU_DISCOVER, "IP_MTU_DISCOVER"},
    {IP_RECVERR, "IP_RECVERR"},
    {IP_RECVTTL, "IP_RECVTTL"},
    {IP_RECVTOS, "IP_RECVTOS"},
    {IP_MTU, "IP_MTU"},
    {IP_FREEBIND, "IP_FREEBIND"},
    {IP_IPSEC_POLICY, "IP_IPSEC_POLICY"},
    {IP_XFRM_POLICY, "IP_XFRM_POLICY"},
    {IP_PASSSEC, "IP_PASSSEC"},
    {IP_TRANSPARENT, "IP_TRANSPARENT"},
    {IP_ORIGDSTADDR, "IP_ORIGDSTADDR"},
    {IP_MINTTL, "IP_MINTTL"},
    {IP_NODEFRAG, "IP_NODEFRAG"},
    {IP_CHECKSUM, "IP_CHECKSUM"},
    {IP_BIND_ADDRESS_NO_PORT, "IP_BIND_ADDRESS_NO_PORT"},
    {IP_RECVFRAGSIZE, "IP_RECVFRAGSIZE"},
    {IP_RECVERR_RFC4884, "IP_RECVERR_RFC4884"},
    {IP_MULTICAST_IF, "IP_MULTICAST_IF"},
    {IP_MULTICAST_TTL, "IP_MULTICAST_TTL"},
    {IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP"},
    {IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP"},
    {IP_DROP_MEMBERSHIP, "IP_DROP_MEMBERSHIP"},
    {IP_UNBLOCK_SOURCE, "IP_UNBLOCK_SOURCE"},
    {IP_BLOCK_SOURCE, "IP_BLOCK_SOURCE"},
    {IP_ADD_SOURCE_MEMBERSHIP, "IP_ADD_SOURCE_MEMBERSHIP"},
    {IP_DROP_SOURCE_MEMBERSHIP, "IP_DROP_SOURCE_MEMBERSHIP"},
    {IP_MSFILTER, "IP_MSFILTER"},
    {MCAST_JOIN_GROUP, "MCAST_JOIN_GROUP"},
    {MCAST_BLOCK_SOURCE, "MCAST_BLOCK_SOURCE"},
    {MCAST_UNBLOCK_SOURCE, "MCAST_UNBLOCK_SOURCE"},
    {MCAST_LEAVE_GROUP, "MCAST_LEAVE_GROUP"},
    {MCAST_JOIN_SOURCE_GROUP, "MCAST_JOIN_SOURCE_GROUP"},
    {MCAST_LEAVE_SOURCE_GROUP, "MCAST_LEAVE_SOURCE_GROUP"},
    {MCAST_MSFILTER, "MCAST_MSFILTER"},
    {IP_MULTICAST_ALL, "IP_MULTICAST_ALL"},
    {IP_UNICAST_IF, "IP_UNICAST_IF"},
};

// glibc spells 20/21 IPV6_ADD/DROP_MEMBERSHIP too; strace uses the RFC 3493 names.
constexpr FlagName kSolIpv6Options[] = {
    {IPV6_ADDRFORM, "IPV6_ADDRFORM"},
    {IPV6_2292PKTINFO, "IPV6_2292PKTINFO"},
    {IPV6_2292HOPOPTS, "IPV6_2292HOPOPTS"},
    {IPV6_2292DSTOPTS, "IPV6_2292DSTOPTS"},
    {IPV6_2292RTHDR, "IPV6_2292RTHDR"},
    {IPV6_2292PKTOPTIONS, "IPV6_2292PKTOPTIONS"},
    {IPV6_CHECKSUM, "IPV6_CHECKSUM"},
    {IPV6_2292HOPLIMIT, "IPV6_2292HOPLIMIT"},
    {IPV6_NEXTHOP, "IPV6_NEXTHOP"},
    {IPV6_AUTHHDR, "IPV6_AUTHHDR"},
    {IPV6_UNICAST_HOPS, "IPV6_UNICAST_HOPS"},
    {IPV6_MULTICAST_IF, "IPV6_MULTICAST_IF"},
    {IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS"},
    {IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP"},
    {IPV6_JOIN_GROUP, "IPV6_JOIN_GROUP"},
    {IPV6_LEAVE_GROUP, "IPV6_LEAVE_GROUP"},
    {IPV6_ROUTER_ALERT, "IPV6_ROUTER_ALERT"},
    {IPV6_MTU_DISCOVER, "IPV6_MTU_DISCOVER"},
    {IPV6_MTU, "IPV6_MTU"},
    {IPV6_RECVERR, "IPV6_RECVERR"},
    {IPV6_V6ONLY, "IPV6_V6ONLY"},
    {IPV6_JOIN_ANYCAST, "IPV6_JOIN_ANYCAST"},
    {IPV6_LEAVE_ANYCAST, "IPV6_LEAVE_ANYCAST"},
    {IPV6_MULTICAST_ALL, "IPV6_MULTICAST_ALL"},
    {IPV6_ROUTER_ALERT_ISOLATE, "IPV6_ROUTER_ALERT_ISOLATE"},
    {IPV6_RECVERR_RFC4884, "IPV6_RECVERR_RFC4884"},
    {IPV6_IPSEC_POLICY, "IPV6_IPSEC_POLICY"},
    {IPV6_XFRM_POLICY, "IPV6_XFRM_POLICY"},
    {IPV6_HDRINCL, "IPV6_HDRINCL"},
    {MCAST_JOIN_GROUP, "MCAST_JOIN_GROUP"},
    {MCAST_BLOCK_SOURCE, "MCAST_BLOCK_SOURCE"},
    {MCAST_UNBLOCK_SOURCE, "MCAST_UNBLOCK_SOURCE"},
    {MCAST_LEAVE_GROUP, "MCAST_LEAVE_GROUP"},
    {MCAST_JOIN_SOURCE_GROUP, "MCAST_JOIN_SOURCE_GROUP"},
    {MCAST_LEAVE_SOURCE_GROUP, "MCAST_LEAVE_SOURCE_GROUP"},
    {MCAST_MSFILTER, "MCAST_MSFILTER"},
    {IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO"},
    {IPV6_PKTINFO, "IPV6_PKTINFO"},
    {IPV6_RECVHOPLIMIT, "IPV6_RECVHOPLIMIT"},
    {IPV6_HOPLIMIT, "IPV6_HOPLIMIT"},
    {IPV6_RECVHOPOPTS, "IPV6_RECVHOPOPTS"},
    {IPV6_HOPOPTS, "IPV6_HOPOPTS"},
    {IPV6_RTHDRDSTOPTS, "IPV6_RTHDRDSTOPTS"},
    {IPV6_RECVRTHDR, "IPV6_RECVRTHDR"},
    {IPV6_RTHDR, "IPV6_RTHDR"},
    {IPV6_RECVDSTOPTS, "IPV6_RECVDSTOPTS"},
    {IPV6_DSTOPTS, "IPV6_DSTOPTS"},
    {IPV6_RECVPATHMTU, "IPV6_RECVPATHMTU"},
    {IPV6_PATHMTU, "IPV6_PATHMTU"},
    {IPV6_DONTFRAG, "IPV6_DONTFRAG"},
    {IPV6_RECVTCLASS, "IPV6_RECVTCLASS"},
    {IPV6_TCLASS, "IPV6_TCLASS"},
    {IPV6_AUTOFLOWLABEL, "IPV6_AUTOFLOWLABEL"},
    {IPV6_ADDR_PREFERENCES, "IPV6_ADDR_PREFERENCES"},
    {IPV6_MINHOPCOUNT, "IPV6_MINHOPCOUNT"},
    {IPV6_ORIGDSTADDR, "IPV6_ORIGDSTADDR"},
    {IPV6_TRANSPARENT, "IPV6_TRANSPARENT"},
    {IPV6_UNICAST_IF, "IPV6_UNICAST_IF"},
    {IPV6_RECVFRAGSIZE, "IPV6_RECVFRAGSIZE"},
    {IPV6_FREEBIND, "IPV6_FREEBIND"},
};

constexpr FlagName kSolTcpOptions[] = {
    {TCP_NODELAY, "TCP_NODELAY"},
    {TCP_MAXSEG, "TCP_MAXSEG"},
    {TCP_CORK, "TCP_CORK"},
    {TCP_KEEPIDLE, "TCP_KEEPIDLE"},
    {TCP_KEEPINTVL, "TCP_KEEPINTVL"},
    {TCP_KEEPCNT, "TCP_KEEPCNT"},
    {TCP_SYNCNT, "TCP_SYNCNT"},
    {TCP_LINGER2, "TCP_LINGER2"},
    {TCP_DEFER_ACCEPT, "TCP_DEFER_ACCEPT"},
    {TCP_WINDOW_CLAMP, "TCP_WINDOW_CLAMP"},
    {TCP_INFO, "TCP_INFO"},
    {TCP_QUICKACK, "TCP_QUICKACK"},
    {TCP_CONGESTION, "TCP_CONGESTION"},
    {TCP_MD5SIG, "TCP_MD5SIG"},
    {TCP_THIN_LINEAR_TIMEOUTS, "TCP_THIN_LINEAR_TIMEOUTS"},
    {TCP_THIN_DUPACK, "TCP_THIN_DUPACK"},
    {TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"},
    {TCP_REPAIR, "TCP_REPAIR"},
    {TCP_REPAIR_QUEUE, "TCP_REPAIR_QUEUE"},
    {TCP_QUEUE_SEQ, "TCP_QUEUE_SEQ"},
    {TCP_REPAIR_OPTIONS, "TCP_REPAIR_OPTIONS"},
    {TCP_FASTOPEN, "TCP_FASTOPEN"},
    {TCP_TIMESTAMP, "TCP_TIMESTAMP"},
    {TCP_NOTSENT_LOWAT, "TCP_NOTSENT_LOWAT"},
    {TCP_CC_INFO, "TCP_CC_INFO"},
    {TCP_SAVE_SYN, "TCP_SAVE_SYN"},
    {TCP_SAVED_SYN, "TCP_SAVED_SYN"},
    {TCP_REPAIR_WINDOW, "TCP_REPAIR_WINDOW"},
    {TCP_FASTOPEN_CONNECT, "TCP_FASTOPEN_CONNECT"},
    {TCP_ULP, "TCP_ULP"},
    {TCP_MD5SIG_EXT, "TCP_MD5SIG_EXT"},
    {TCP_FASTOPEN_KEY, "TCP_FASTOPEN_KEY"},
    {TCP_FASTOPEN_NO_COOKIE, "TCP_FASTOPEN_NO_COOKIE"},
    {TCP_ZEROCOPY_RECEIVE, "TCP_ZEROCOPY_RECEIVE"},
    {TCP_INQ, "TCP_INQ"},
    {TCP_TX_DELAY, "TCP_TX_DELAY"},
};

constexpr FlagName kSolUdpOptions[] = {
    {UDP_CORK, "UDP_CORK"},
    {UDP_ENCAP, "UDP_ENCAP"},
    {UDP_NO_CHECK6_TX, "UDP_NO_CHECK6_TX"},
    {UDP_NO_CHECK6_RX, "UDP_NO_CHECK6_RX"},
    {UDP_SEGMENT, "UDP_SEGMENT"},
    {UDP_GRO, "UDP_GRO"},
};

constexpr FlagName kMsgFlags[] = {
    {MSG_OOB, "MSG_OOB"},
    {MSG_PEEK, "MSG_PEEK"},
    {MSG_DONTROUTE, "MSG_DONTROUTE"},
    {MSG_CTRUNC, "MSG_CTRUNC"},
    {MSG_PROXY, "MSG_PROXY"},
    {MSG_TRUNC, "MSG_TRUNC"},
    {MSG_DONTWAIT, "MSG_DONTWAIT"},
    {MSG_EOR, "MSG_EOR"},
    {MSG_WAITALL, "MSG_WAITALL"},
    {MSG_FIN, "MSG_FIN"},
    {MSG_SYN, "MSG_SYN"},
    {MSG_CONFIRM, "MSG_CONFIRM"},
    {MSG_RST, "MSG_RST"},
    {MSG_ERRQUEUE, "MSG_ERRQUEUE"},
    {MSG_NOSIGNAL, "MSG_NOSIGNAL"},
    {MSG_MORE, "MSG_MORE"},
    {MSG_WAITFORONE, "MSG_WAITFORONE"},
    {MSG_BATCH, "MSG_BATCH"},
    {MSG_ZEROCOPY, "MSG_ZEROCOPY"},
    {MSG_FASTOPEN, "MSG_FASTOPEN"},
    {MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"},
};

constexpr FlagName kShutdownHows[] = {
    {SHUT_RD, "SHUT_RD"}, {SHUT_WR, "SHUT_WR"}, {SHUT_RDWR, "SHUT_RDWR"},
};

}  // namespace

namespace sentry::abi {

std::string flags_to_string(std::uint64_t v, std::span<const FlagName> table) {
  if (v == 0) return "0";
  std::string out;
  std::uint64_t rest = v;
  for (const FlagName& f : table) {
    if (f.value != 0 && (rest & f.value) == f.value) {
      append_part(out, f.name);
      rest &= ~f.value;
    }
  }
  if (rest != 0) append_part(out, hex(rest));
  return out;
}

std::string_view find_name(std::uint64_t v, std::span<const FlagName> table) {
  for (const FlagName& f : table) {
    if (f.value == v) return f.name;
  }
  return {};
}

std::string value_name(std::uint64_t v, std::span<const FlagName> table) {
  std::string_view name = find_name(v, table);
  if (!name.empty()) return std::string(name);
  if (v < 0x10000) return std::to_string(v);
  return hex(v);
}

std::string_view errno_name(int err) {
  const ErrnoInfo* e = find_errno(err);
  return e != nullptr ? e->name : std::string_view{};
}

std::string_view errno_description(int err) {
  const ErrnoInfo* e = find_errno(err);
  return e != nullptr ? e->description : std::string_view{};
}

std::string signal_name(int sig) {
  std::string_view name = find_name(static_cast<std::uint64_t>(sig), kSignals);
  if (sig > 0 && !name.empty()) return std::string(name);
  if (sig == kKernelSigRtMin) return "SIGRTMIN";
  if (sig > kKernelSigRtMin && sig <= kKernelSigRtMax) {
    return "SIGRT_" + std::to_string(sig - kKernelSigRtMin);
  }
  return std::to_string(sig);
}

std::string signal_short_name(int sig) {
  std::string name = signal_name(sig);
  if (name.starts_with("SIG")) name.erase(0, 3);
  return name;
}

// ---- files --------------------------------------------------------------------

std::span<const FlagName> open_flag_names() { return kOpenFlags; }

std::string open_flags_to_string(std::uint64_t v) {
  // The access mode is a 2-bit number, not flags: O_RDONLY is 0 and is always shown.
  std::string out(find_name(v & O_ACCMODE, kAccModes));
  std::uint64_t rest = v & ~static_cast<std::uint64_t>(O_ACCMODE);
  if (rest != 0) append_part(out, flags_to_string(rest, kOpenFlags));
  return out;
}

std::span<const FlagName> at_flag_names() { return kAtFlags; }
std::span<const FlagName> faccessat_flag_names() { return kFaccessatFlags; }
std::span<const FlagName> access_mode_names() { return kAccessModes; }

std::string access_mode_to_string(std::uint64_t v) {
  if (v == F_OK) return "F_OK";
  return flags_to_string(v, kAccessModes);
}

std::span<const FlagName> fcntl_cmd_names() { return kFcntlCmds; }
std::span<const FlagName> ioctl_request_names() { return kIoctlRequests; }
std::span<const FlagName> whence_names() { return kWhences; }
std::span<const FlagName> rename_flag_names() { return kRenameFlags; }
std::span<const FlagName> statx_mask_names() { return kStatxMask; }
std::span<const FlagName> pipe_flag_names() { return kPipeFlags; }
std::span<const FlagName> eventfd_flag_names() { return kEventfdFlags; }
std::span<const FlagName> memfd_flag_names() { return kMemfdFlags; }

std::string hugetlb_size_name(std::string_view prefix, unsigned log2_size) {
  std::string out(prefix);
  if (log2_size >= 60) return out + "2^" + std::to_string(log2_size);
  if (log2_size >= 30) return out + std::to_string(1ull << (log2_size - 30)) + "GB";
  if (log2_size >= 20) return out + std::to_string(1ull << (log2_size - 20)) + "MB";
  if (log2_size >= 10) return out + std::to_string(1ull << (log2_size - 10)) + "KB";
  return out + std::to_string(1ull << log2_size) + "B";
}

namespace {

// Flags whose bits 26..31 carry a hugetlb page size (log2) when `hugetlb_bit`
// is set: mmap's MAP_HUGETLB, memfd_create's MFD_HUGETLB.
std::string flags_with_hugetlb_size(std::uint64_t v, std::span<const FlagName> table,
                                    std::uint64_t hugetlb_bit, std::string_view prefix) {
  constexpr std::uint64_t kSizeBits = static_cast<std::uint64_t>(MAP_HUGE_MASK) << MAP_HUGE_SHIFT;
  std::uint64_t size_bits = (v & hugetlb_bit) != 0 ? (v & kSizeBits) : 0;
  std::uint64_t rest = v & ~size_bits;
  std::string out = rest != 0 || size_bits == 0 ? flags_to_string(rest, table) : std::string();
  if (size_bits != 0) {
    append_part(out, hugetlb_size_name(prefix, static_cast<unsigned>(size_bits >> MAP_HUGE_SHIFT)));
  }
  return out;
}

}  // namespace

std::string memfd_flags_to_string(std::uint64_t v) {
  static_assert(MFD_HUGE_SHIFT == MAP_HUGE_SHIFT, "one hugetlb size encoding");
  return flags_with_hugetlb_size(v, kMemfdFlags, MFD_HUGETLB, "MFD_HUGE_");
}

// ---- memory -------------------------------------------------------------------

std::span<const FlagName> prot_names() { return kProt; }

std::string prot_to_string(std::uint64_t v) {
  if (v == PROT_NONE) return "PROT_NONE";
  return flags_to_string(v, kProt);
}

std::span<const FlagName> map_type_names() { return kMapTypes; }
std::span<const FlagName> map_flag_names() { return kMapFlags; }

std::string mmap_flags_to_string(std::uint64_t v) {
  // The low nibble is a type (MAP_SHARED_VALIDATE is 3, not SHARED|PRIVATE).
  std::uint64_t type = v & MAP_TYPE;
  std::uint64_t rest = v & ~static_cast<std::uint64_t>(MAP_TYPE);
  std::string out;
  if (type != 0) {
    std::string_view name = find_name(type, kMapTypes);
    out = name.empty() ? hex(type) : std::string(name);
  }
  if (rest != 0) append_part(out, flags_with_hugetlb_size(rest, kMapFlags, MAP_HUGETLB, "MAP_HUGE_"));
  return out.empty() ? "0" : out;
}

std::span<const FlagName> mremap_flag_names() { return kMremapFlags; }
std::span<const FlagName> madvise_names() { return kMadvise; }

// ---- processes, threads, scheduling -------------------------------------------

std::span<const FlagName> clone_flag_names() { return kCloneFlags; }

std::string clone_flags_to_string(std::uint64_t v) {
  constexpr std::uint64_t kExitSignalMask = CSIGNAL;
  std::uint64_t flags = v & ~kExitSignalMask;
  int exit_signal = static_cast<int>(v & kExitSignalMask);
  std::string out = flags != 0 ? flags_to_string(flags, kCloneFlags) : std::string();
  if (exit_signal != 0) append_part(out, signal_name(exit_signal));
  return out.empty() ? "0" : out;
}

std::span<const FlagName> futex_cmd_names() { return kFutexCmds; }

std::string futex_op_to_string(std::uint64_t v) {
  // The op is an int; upper register bits are ignored by the kernel.
  std::uint32_t op = static_cast<std::uint32_t>(v);
  std::uint32_t cmd = op & FUTEX_CMD_MASK;
  bool is_private = (op & FUTEX_PRIVATE_FLAG) != 0;
  bool clock_realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
  std::string_view name = find_name(cmd, kFutexCmds);
  std::string out;
  if (!name.empty()) {
    out = std::string(name);
    if (is_private) out += "_PRIVATE";
  } else {
    out = hex(cmd);
    if (is_private) append_part(out, "FUTEX_PRIVATE_FLAG");
  }
  if (clock_realtime) append_part(out, "FUTEX_CLOCK_REALTIME");
  return out;
}

std::span<const FlagName> prctl_option_names() { return kPrctlOptions; }
std::span<const FlagName> wait_option_names() { return kWaitOptions; }
std::span<const FlagName> rlimit_names() { return kRlimits; }
std::span<const FlagName> sched_policy_names() { return kSchedPolicies; }

std::string sched_policy_to_string(std::uint64_t v) {
  std::uint32_t policy = static_cast<std::uint32_t>(v);
  std::string out = value_name(policy & ~SCHED_RESET_ON_FORK, kSchedPolicies);
  if ((policy & SCHED_RESET_ON_FORK) != 0) append_part(out, "SCHED_RESET_ON_FORK");
  return out;
}

std::span<const FlagName> grnd_flag_names() { return kGrndFlags; }

// ---- signals, time, polling ---------------------------------------------------

std::span<const FlagName> sig_how_names() { return kSigHows; }
std::span<const FlagName> clock_id_names() { return kClockIds; }
std::span<const FlagName> timer_flag_names() { return kTimerFlags; }
std::span<const FlagName> epoll_ctl_op_names() { return kEpollCtlOps; }
std::span<const FlagName> epoll_event_names() { return kEpollEvents; }
std::span<const FlagName> poll_event_names() { return kPollEvents; }

// ---- sockets ------------------------------------------------------------------

std::span<const FlagName> address_family_names() { return kAddressFamilies; }
std::span<const FlagName> socket_type_names() { return kSocketTypes; }
std::span<const FlagName> socket_type_flag_names() { return kSocketTypeFlags; }

std::string socket_type_to_string(std::uint64_t v) {
  std::uint32_t t = static_cast<std::uint32_t>(v);
  std::uint64_t type = t & kSockTypeMask;
  std::uint64_t flags = t & ~kSockTypeMask;
  std::string out;
  if (type != 0) {
    std::string_view name = find_name(type, kSocketTypes);
    out = name.empty() ? hex(type) : std::string(name);
  }
  if (flags != 0) append_part(out, flags_to_string(flags, kSocketTypeFlags));
  return out.empty() ? "0" : out;
}

std::span<const FlagName> sockopt_level_names() { return kSockoptLevels; }

std::span<const FlagName> sockopt_names(std::uint64_t level) {
  switch (level) {
    case SOL_SOCKET: return kSolSocketOptions;
    case SOL_IP: return kSolIpOptions;
    case SOL_IPV6: return kSolIpv6Options;
    case SOL_TCP: return kSolTcpOptions;
    case SOL_UDP: return kSolUdpOptions;
    default: return {};
  }
}

std::span<const FlagName> msg_flag_names() { return kMsgFlags; }
std::span<const FlagName> shutdown_how_names() { return kShutdownHows; }

}  // namespace sentry::abi

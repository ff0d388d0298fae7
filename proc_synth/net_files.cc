// /proc/net files that describe the guest's IPv6 world, in the formats of
// net/ipv6/route.c (rt6_info_seq_show) and net/ipv6/addrconf.c
// (if6_seq_show), as a network namespace with only lo shows them.
#include "proc_synth/generators.h"

namespace sentry::proc_synth {

std::string net_ipv6_route() {
  // ::1/128 local route in table local, and the kernel's reject entry for
  // everything else ("no route"): RTF_REJECT|RTF_NONEXTHOP|RTF_UP 00200200.
  return "00000000000000000000000000000001 80 00000000000000000000000000000000 00 "
         "00000000000000000000000000000000 00000000 00000001 00000000 80200001       lo\n"
         "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
         "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";
}

std::string net_if_inet6() {
  // address, ifindex, prefix length, scope (IFA_HOST = 0x10), flags (IFA_F_PERMANENT = 0x80), name
  return "00000000000000000000000000000001 01 80 10 80       lo\n";
}

}  // namespace sentry::proc_synth

// The ancillary data (control messages) of a datagram the guest's AF_INET6
// socket receives. The host socket is AF_INET, so the host writes IPv4
// control messages; the guest asked for IPv6 ones (RFC 3542):
//
//   IPV6_RECVPKTINFO  -> IPV6_PKTINFO  (host IP_PKTINFO: the datagram's
//                                       destination, ::1 or v4-mapped)
//   IPV6_RECVHOPLIMIT -> IPV6_HOPLIMIT (host IP_RECVTTL: IP_TTL)
//   IPV6_RECVTCLASS   -> IPV6_TCLASS   (host IP_RECVTOS: IP_TOS, one byte)
//
// As in udpv6_recvmsg (net/ipv6/udp.c): IPV6_PKTINFO comes with every
// datagram (ip6_datagram_recv_common_ctl maps an IPv4 one's address), the
// hop limit and traffic class only with IPv6 datagrams -- in the guest's
// world those from ::1 (127.6.6.1 on the host); for a v4-mapped sender
// Linux gives neither. Other control messages (SO_TIMESTAMP, IP_RECVERR,
// IPv4 options the guest set at IPPROTO_IP) pass unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sentry::netstack {

struct AncillaryWants {
  bool pktinfo = false;   // IPV6_RECVPKTINFO
  bool hoplimit = false;  // IPV6_RECVHOPLIMIT
  bool tclass = false;    // IPV6_RECVTCLASS
  bool any() const { return pktinfo || hoplimit || tclass; }
};

struct GuestControl {
  std::vector<std::uint8_t> bytes;  // at most the guest's msg_controllen
  bool truncated = false;           // MSG_CTRUNC: a message did not fit
};

// `host`: the control data the host wrote (msg_controllen bytes);
// `ipv6_datagram`: whether the sender is the guest's ::1; `space`: the
// guest's msg_controllen.
GuestControl to_guest_control(const std::uint8_t* host, std::size_t host_len, bool ipv6_datagram,
                              const AncillaryWants& wants, std::size_t space);

}  // namespace sentry::netstack

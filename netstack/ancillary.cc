#include "netstack/ancillary.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "netstack/inet6_mapping.h"

namespace sentry::netstack {

namespace {

// Appends one control message as put_cmsg (net/core/scm.c) does: whole or,
// when it does not fit, not at all and the result is truncated.
void put(GuestControl& out, std::size_t space, int level, int type, const void* data, std::size_t len) {
  const std::size_t at = out.bytes.size();
  if (at + CMSG_LEN(len) > space) {
    out.truncated = true;
    return;
  }
  const std::size_t grow = std::min(space - at, static_cast<std::size_t>(CMSG_SPACE(len)));
  out.bytes.resize(at + grow, 0);
  cmsghdr h{};
  h.cmsg_len = CMSG_LEN(len);
  h.cmsg_level = level;
  h.cmsg_type = type;
  std::memcpy(out.bytes.data() + at, &h, sizeof h);
  std::memcpy(out.bytes.data() + at + CMSG_LEN(0), data, len);
}

}  // namespace

GuestControl to_guest_control(const std::uint8_t* host, std::size_t host_len, bool ipv6_datagram,
                              const AncillaryWants& wants, std::size_t space) {
  GuestControl out;
  // Walked with the CMSG macros over a msghdr that holds the host's bytes.
  std::vector<std::uint8_t> copy(host, host + host_len);
  msghdr m{};
  m.msg_control = copy.data();
  m.msg_controllen = copy.size();
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_len < CMSG_LEN(0)) break;
    const std::size_t len = c->cmsg_len - CMSG_LEN(0);
    const std::uint8_t* data = CMSG_DATA(c);
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && wants.pktinfo && len >= sizeof(in_pktinfo)) {
      in_pktinfo v4;
      std::memcpy(&v4, data, sizeof v4);
      in6_pktinfo v6{};
      sockaddr_in dst{};
      dst.sin_family = AF_INET;
      dst.sin_addr = v4.ipi_addr;
      v6.ipi6_addr = to_guest(dst).sin6_addr;
      v6.ipi6_ifindex = static_cast<unsigned>(v4.ipi_ifindex);
      put(out, space, IPPROTO_IPV6, IPV6_PKTINFO, &v6, sizeof v6);
      continue;
    }
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL && wants.hoplimit && len >= sizeof(int)) {
      if (ipv6_datagram) put(out, space, IPPROTO_IPV6, IPV6_HOPLIMIT, data, sizeof(int));
      continue;
    }
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TOS && wants.tclass && len >= 1) {
      const int tclass = data[0];
      if (ipv6_datagram) put(out, space, IPPROTO_IPV6, IPV6_TCLASS, &tclass, sizeof tclass);
      continue;
    }
    put(out, space, c->cmsg_level, c->cmsg_type, data, len);
  }
  return out;
}

}  // namespace sentry::netstack

// AF_UNIX sockets bound to and reached through filesystem paths: bind creates
// the socket file (EADDRINUSE when the name exists, ENOENT for a missing
// directory), connect and sendto need a socket there (ENOENT when missing,
// ECONNREFUSED for a file that is not a socket), relative paths start at the
// working directory, getsockname shows the path as bound, and data flows on
// stream and datagram sockets. Abstract names are not paths and still work.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>

#include "conformance.h"

namespace {

sockaddr_un unix_addr(const std::string& path, socklen_t* len) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::memcpy(a.sun_path, path.data(), path.size());
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return a;
}

int bind_to(int fd, const std::string& path) {
  socklen_t len;
  sockaddr_un a = unix_addr(path, &len);
  return bind(fd, reinterpret_cast<sockaddr*>(&a), len);
}

int connect_to(int fd, const std::string& path) {
  socklen_t len;
  sockaddr_un a = unix_addr(path, &len);
  return connect(fd, reinterpret_cast<sockaddr*>(&a), len);
}

void stream_paths(const std::string& dir) {
  const std::string path = dir + "/s.sock";
  int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(srv >= 0);
  CHECK(bind_to(srv, path) == 0);
  struct stat st;
  CHECK(lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode));
  sockaddr_un got{};
  socklen_t got_len = sizeof got;
  CHECK(getsockname(srv, reinterpret_cast<sockaddr*>(&got), &got_len) == 0);
  CHECK(std::string(got.sun_path) == path);
  CHECK(listen(srv, 4) == 0);
  int again = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK_ERR(bind_to(again, path), EADDRINUSE);
  CHECK_ERR(bind_to(again, dir + "/missing/x.sock"), ENOENT);
  close(again);

  int cli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK_ERR(connect_to(cli, dir + "/nothing.sock"), ENOENT);
  const std::string plain = dir + "/plain";
  close(open(plain.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  CHECK_ERR(connect_to(cli, plain), ECONNREFUSED);
  CHECK(connect_to(cli, path) == 0);
  int conn = accept4(srv, nullptr, nullptr, SOCK_CLOEXEC);
  CHECK(conn >= 0);
  CHECK(write(cli, "ping", 4) == 4);
  char buf[8] = {};
  CHECK(read(conn, buf, sizeof buf) == 4 && std::memcmp(buf, "ping", 4) == 0);
  // Through a symlink to the socket: connect follows it.
  const std::string link = dir + "/link.sock";
  CHECK(symlink("s.sock", link.c_str()) == 0);
  int cli2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(connect_to(cli2, link) == 0);
  // bind does not follow it: the name exists.
  int b2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK_ERR(bind_to(b2, link), EADDRINUSE);
  for (int fd : {srv, cli, conn, cli2, b2}) close(fd);
  unlink(link.c_str());
  unlink(path.c_str());
  unlink(plain.c_str());
}

void relative_and_datagram(const std::string& dir) {
  char old[4096];
  CHECK(getcwd(old, sizeof old) != nullptr);
  CHECK(chdir(dir.c_str()) == 0);
  int a = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int b = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(bind_to(a, "a.sock") == 0);
  CHECK(bind_to(b, "b.sock") == 0);
  socklen_t len;
  sockaddr_un to = unix_addr("a.sock", &len);
  CHECK(sendto(b, "dgram", 5, 0, reinterpret_cast<sockaddr*>(&to), len) == 5);
  char buf[16] = {};
  sockaddr_un from{};
  socklen_t from_len = sizeof from;
  CHECK(recvfrom(a, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len) == 5);
  CHECK(std::string(from.sun_path) == "b.sock");
  sockaddr_un none = unix_addr("gone.sock", &len);
  CHECK_ERR(sendto(b, "x", 1, 0, reinterpret_cast<sockaddr*>(&none), len), ENOENT);
  close(a);
  close(b);
  unlink("a.sock");
  unlink("b.sock");
  CHECK(chdir(old) == 0);
}

void abstract_name() {
  int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::string name = "sentry-conf-" + std::to_string(getpid());
  std::memcpy(a.sun_path + 1, name.data(), name.size());
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  CHECK(bind(srv, reinterpret_cast<sockaddr*>(&a), len) == 0);
  CHECK(listen(srv, 1) == 0);
  int cli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(connect(cli, reinterpret_cast<sockaddr*>(&a), len) == 0);
  close(cli);
  close(srv);
}

}  // namespace

int main() {
  char tmpl[] = "./unixp_XXXXXX";
  if (mkdtemp(tmpl) == nullptr) conformance::skip("cannot create a scratch directory here");
  char abs[4096];
  CHECK(realpath(tmpl, abs) != nullptr);
  stream_paths(abs);
  relative_and_datagram(abs);
  abstract_name();
  CHECK(rmdir(tmpl) == 0);
  return conformance::finish();
}

// The guest's path walk (vfs/path_walk.h) over a real directory tree: a
// temporary directory is the guest's root (--root), another one is bound at
// /mnt/bind, and a fake kernel context answers /proc/self and classifies a few
// synthetic paths.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <variant>

#include <catch2/catch.hpp>

#include "test/unit/temp_dir.h"
#include "vfs/mount_table.h"
#include "vfs/path_walk.h"

using namespace sentry;
using namespace sentry::vfs;
using proc_synth::Lookup;

namespace {

using sentry::test::TempDir;

pid_t my_tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// The kernel model's part: fixed ids, a few synthetic paths, and the table's
// reverse mapping.
class FakeContext : public WalkContext {
 public:
  explicit FakeContext(const MountTable& t) : table_(t) {}
  pid_t tgid() const override { return getpid(); }
  pid_t tid() const override { return my_tid(); }
  Lookup classify(const std::string& g) const override {
    const std::string pid = "/proc/" + std::to_string(getpid());
    if (g == "/proc" || g == pid || g == pid + "/task" || g == pid + "/task/" + std::to_string(my_tid()) ||
        g == "/sys/fakedir")
      return Lookup::kDir;
    if (g == pid + "/status" || g == "/sys/fakefile" || g == "/sys/fakedir/f") return Lookup::kFile;
    if (g == "/proc/nothere" || g == "/sys/nothere" || g == "/proc/999999999") return Lookup::kNotFound;
    return Lookup::kPassThrough;
  }
  std::optional<std::string> guest_path_of_host(const std::string& host) const override {
    return table_.guest_path_of(host);
  }

 private:
  const MountTable& table_;
};

// <R> is the guest's root, <B> is bound at /mnt/bind:
//   R/etc/x, R/etc/passwd           files
//   R/a/b/c/, R/a/b/file            directories and a file
//   R/a/inroot_abs -> /b/file       (for RESOLVE_IN_ROOT from /a)
//   R/links/abs -> /etc/x           absolute: the guest's /etc
//   R/links/rel -> ../etc/x
//   R/links/dirlink -> ../a/b
//   R/links/escape -> ../../../../../../../../etc/x
//   R/links/loop1 <-> loop2, R/links/self -> self
//   R/links/dangling -> nothere
//   R/links/tobind -> /mnt/bind
//   R/links/slashfile -> ../etc/x/
//   R/chain/l1 -> l2 -> ... -> l41 -> /etc/x   (41 links from l1, 40 from l2)
//   R/mnt/bind/                     the mount point
//   R/tmp/                          the default writable /tmp
//   B/inbind, B/sub/, B/up -> ../../etc/x, B/abs -> /etc/x
class Tree {
 public:
  Tree() : root_dir_("sentry_vfs_walk"), bind_dir_("sentry_vfs_bind") {
    namespace fs = std::filesystem;
    for (const char* d : {"etc", "a/b/c", "links", "chain", "mnt/bind", "tmp"}) fs::create_directories(root_ + "/" + d);
    std::ofstream(root_ + "/etc/x") << "guest-x";
    std::ofstream(root_ + "/etc/passwd") << "root:x:0:0::/:/bin/sh\n";
    std::ofstream(root_ + "/a/b/file") << "file";
    link("/b/file", "a/inroot_abs");
    link("/etc/x", "links/abs");
    link("../etc/x", "links/rel");
    link("../a/b", "links/dirlink");
    link("../../../../../../../../etc/x", "links/escape");
    link("loop2", "links/loop1");
    link("loop1", "links/loop2");
    link("self", "links/self");
    link("nothere", "links/dangling");
    link("/mnt/bind", "links/tobind");
    link("../etc/x/", "links/slashfile");
    for (int i = 1; i <= 40; ++i) link("l" + std::to_string(i + 1), "chain/l" + std::to_string(i));
    link("/etc/x", "chain/l41");
    fs::create_directories(bind_ + "/sub");
    std::ofstream(bind_ + "/inbind") << "bound";
    REQUIRE(symlink("../../etc/x", (bind_ + "/up").c_str()) == 0);
    REQUIRE(symlink("/etc/x", (bind_ + "/abs").c_str()) == 0);

    MountOptions o;
    o.root = root_;
    o.binds = {bind_ + ":/mnt/bind"};
    std::string error;
    auto t = MountTable::build(o, &error);
    INFO(error);
    REQUIRE(t.has_value());
    table_ = std::move(*t);
  }
  Tree(const Tree&) = delete;
  Tree& operator=(const Tree&) = delete;

  const std::string& root() const { return root_; }
  const std::string& bind() const { return bind_; }
  const MountTable& table() const { return table_; }

  std::variant<Resolved, int> run(WalkRequest req) const {
    FakeContext ctx(table_);
    return vfs::walk(table_, ctx, req);
  }
  std::variant<Resolved, int> run(const std::string& path, const std::string& start = "/") const {
    WalkRequest req;
    req.start = start;
    req.path = path;
    return run(req);
  }

 private:
  void link(const std::string& target, const std::string& rel) {
    REQUIRE(symlink(target.c_str(), (root_ + "/" + rel).c_str()) == 0);
  }

  TempDir root_dir_;  // removed even if the constructor fails half-way
  TempDir bind_dir_;
  const std::string& root_ = root_dir_.path();
  const std::string& bind_ = bind_dir_.path();
  MountTable table_ = MountTable::host_identity();
};

// The walk's result, failing the test on an errno.
Resolved ok(const std::variant<Resolved, int>& v) {
  if (const int* e = std::get_if<int>(&v)) FAIL("walk failed with errno " << *e);
  return std::get<Resolved>(v);
}

// Whether two host paths name the same existing object. Used where the walk
// names the guest's root, whose host path currently ends in "/" (see the
// regression test at the end).
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec);
}

// The walk's errno, 0 when it resolved.
int err(const std::variant<Resolved, int>& v) {
  const int* e = std::get_if<int>(&v);
  return e != nullptr ? *e : 0;
}

// The test process's working directory, restored at the end of a test.
class CwdGuard {
 public:
  explicit CwdGuard(const std::string& dir) : saved_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~CwdGuard() {
    std::error_code ec;
    std::filesystem::current_path(saved_, ec);
  }

 private:
  std::filesystem::path saved_;
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) { REQUIRE(fd_ >= 0); }
  ~Fd() { close(fd_); }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

TEST_CASE("vfs: walk of an absolute path lands in the guest's root") {
  Tree t;
  Resolved r = ok(t.run("/etc/x"));
  CHECK(r.guest == "/etc/x");
  CHECK(r.host == t.root() + "/etc/x");
  CHECK(r.type == NodeType::kRegular);
  CHECK(r.origin == Origin::kHost);
  CHECK(r.last == "x");
  CHECK_FALSE(r.trailing_slash);
  CHECK_FALSE(r.ends_in_dot);
  REQUIRE(r.mount != nullptr);
  CHECK(r.mount->guest == "/");
  CHECK(r.mount->read_only);

  Resolved d = ok(t.run("//a///b/"));
  CHECK(d.guest == "/a/b");
  CHECK(d.host == t.root() + "/a/b");
  CHECK(d.type == NodeType::kDir);
  CHECK(d.trailing_slash);
  CHECK(d.last == "b");
}

TEST_CASE("vfs: walk of / is the guest's root directory") {
  Tree t;
  Resolved r = ok(t.run("/"));
  CHECK(r.guest == "/");
  CHECK(same_file(r.host, t.root()));
  CHECK_FALSE(same_file(r.host, "/"));
  CHECK(r.type == NodeType::kDir);
  CHECK(r.last.empty());
  CHECK_FALSE(r.trailing_slash);
}

TEST_CASE("vfs: walk of relative paths starts at WalkRequest.start") {
  Tree t;
  Resolved r = ok(t.run("b/file", "/a"));
  CHECK(r.guest == "/a/b/file");
  CHECK(r.host == t.root() + "/a/b/file");
  CHECK(r.type == NodeType::kRegular);

  Resolved r2 = ok(t.run("./c/../file", "/a/b"));
  CHECK(r2.guest == "/a/b/file");
  CHECK(r2.host == t.root() + "/a/b/file");

  // An absolute path ignores the start.
  CHECK(ok(t.run("/etc/x", "/a/b")).guest == "/etc/x");
}

TEST_CASE("vfs: walk of . and .. names the directory and its parent") {
  Tree t;
  Resolved dot = ok(t.run(".", "/a/b"));
  CHECK(dot.guest == "/a/b");
  CHECK(dot.host == t.root() + "/a/b");
  CHECK(dot.type == NodeType::kDir);
  CHECK(dot.ends_in_dot);
  CHECK(dot.last == "b");

  Resolved up = ok(t.run("..", "/a/b"));
  CHECK(up.guest == "/a");
  CHECK(up.host == t.root() + "/a");
  CHECK(up.type == NodeType::kDir);
  CHECK(up.ends_in_dot);
  CHECK(up.last == "a");

  Resolved mid = ok(t.run("/a/b/c/../../b/./file"));
  CHECK(mid.guest == "/a/b/file");
  CHECK_FALSE(mid.ends_in_dot);
}

TEST_CASE("vfs: .. at the guest's root stays at the root") {
  Tree t;
  Resolved r = ok(t.run("/.."));
  CHECK(r.guest == "/");
  CHECK(same_file(r.host, t.root()));
  CHECK(r.type == NodeType::kDir);

  Resolved chain = ok(t.run("../../../../../../../../../../etc/x", "/a"));
  CHECK(chain.guest == "/etc/x");
  CHECK(chain.host == t.root() + "/etc/x");

  Resolved abs_chain = ok(t.run("/../../a/../../../etc/./x"));
  CHECK(abs_chain.host == t.root() + "/etc/x");

  // A symlink made of ".." components cannot leave either.
  Resolved link = ok(t.run("/links/escape"));
  CHECK(link.guest == "/etc/x");
  CHECK(link.host == t.root() + "/etc/x");
}

TEST_CASE("vfs: an absolute symlink target starts again at the guest's root") {
  Tree t;
  Resolved r = ok(t.run("/links/abs"));
  CHECK(r.guest == "/etc/x");
  CHECK(r.host == t.root() + "/etc/x");  // never the host's /etc/x
  CHECK(r.type == NodeType::kRegular);

  // A directory reached through an absolute link, followed by more components.
  Resolved b = ok(t.run("/links/tobind/inbind"));
  CHECK(b.guest == "/mnt/bind/inbind");
  CHECK(b.host == t.bind() + "/inbind");
  REQUIRE(b.mount != nullptr);
  CHECK(b.mount->guest == "/mnt/bind");
  CHECK_FALSE(b.mount->read_only);

  // An absolute link inside a bind also means the guest's root.
  Resolved in_bind = ok(t.run("/mnt/bind/abs"));
  CHECK(in_bind.guest == "/etc/x");
  CHECK(in_bind.host == t.root() + "/etc/x");
}

TEST_CASE("vfs: relative symlink targets resolve from the link's guest directory") {
  Tree t;
  Resolved r = ok(t.run("/links/rel"));
  CHECK(r.guest == "/etc/x");
  CHECK(r.host == t.root() + "/etc/x");

  Resolved d = ok(t.run("/links/dirlink/file"));
  CHECK(d.guest == "/a/b/file");
  CHECK(d.host == t.root() + "/a/b/file");

  // ".." after a directory link is the parent of the link's target.
  Resolved up = ok(t.run("/links/dirlink/.."));
  CHECK(up.guest == "/a");
  CHECK(up.host == t.root() + "/a");

  // A relative link in a bind climbs in guest space: from /mnt/bind, not from
  // the bind's host directory.
  Resolved b = ok(t.run("/mnt/bind/up"));
  CHECK(b.guest == "/etc/x");
  CHECK(b.host == t.root() + "/etc/x");

  // Relative start through a link.
  Resolved rs = ok(t.run("dirlink/c/..", "/links"));
  CHECK(rs.guest == "/a/b");
}

TEST_CASE("vfs: symlink loops are ELOOP") {
  Tree t;
  CHECK(err(t.run("/links/loop1")) == ELOOP);
  CHECK(err(t.run("/links/loop2")) == ELOOP);
  CHECK(err(t.run("/links/self")) == ELOOP);
  CHECK(err(t.run("/links/loop1/x")) == ELOOP);
  CHECK(err(t.run("loop1/", "/links")) == ELOOP);
}

TEST_CASE("vfs: 40 symlinks in one lookup resolve, 41 are ELOOP") {
  Tree t;
  Resolved r = ok(t.run("/chain/l2"));  // l2 ... l41: 40 links
  CHECK(r.guest == "/etc/x");
  CHECK(r.host == t.root() + "/etc/x");
  CHECK(err(t.run("/chain/l1")) == ELOOP);  // l1 ... l41: 41 links
  // The count is per lookup, not per component: 40 + 1 more is too many.
  CHECK(err(t.run("/links/dirlink/../../chain/l2")) == ELOOP);
  CHECK(ok(t.run("/chain/l3")).host == t.root() + "/etc/x");
}

TEST_CASE("vfs: a missing intermediate directory is ENOENT") {
  Tree t;
  CHECK(err(t.run("/nothere/x")) == ENOENT);
  CHECK(err(t.run("/etc/nothere/x")) == ENOENT);
  CHECK(err(t.run("/etc/nothere/")) == 0);  // only the last one: not an error
  CHECK(err(t.run("/links/dangling/x")) == ENOENT);
  CHECK(err(t.run("/etc/nothere/..")) == ENOENT);
}

TEST_CASE("vfs: a file as an intermediate component is ENOTDIR") {
  Tree t;
  CHECK(err(t.run("/etc/x/y")) == ENOTDIR);
  CHECK(err(t.run("/etc/x/.")) == ENOTDIR);
  CHECK(err(t.run("/etc/x/..")) == ENOTDIR);
  CHECK(err(t.run("/links/rel/y")) == ENOTDIR);
}

TEST_CASE("vfs: a missing last component is kMissing with its host path") {
  Tree t;
  Resolved r = ok(t.run("/etc/new"));
  CHECK(r.type == NodeType::kMissing);
  CHECK(r.guest == "/etc/new");
  CHECK(r.host == t.root() + "/etc/new");
  CHECK(r.last == "new");
  REQUIRE(r.mount != nullptr);
  CHECK(r.mount->guest == "/");

  Resolved slash = ok(t.run("/etc/newdir/"));
  CHECK(slash.type == NodeType::kMissing);
  CHECK(slash.trailing_slash);
  CHECK(slash.host == t.root() + "/etc/newdir");

  Resolved in_bind = ok(t.run("new", "/mnt/bind/sub"));
  CHECK(in_bind.type == NodeType::kMissing);
  CHECK(in_bind.host == t.bind() + "/sub/new");
  CHECK(in_bind.mount->guest == "/mnt/bind");

  // A dangling link followed names its missing target (for O_CREAT).
  Resolved dangling = ok(t.run("/links/dangling"));
  CHECK(dangling.type == NodeType::kMissing);
  CHECK(dangling.guest == "/links/nothere");
  CHECK(dangling.host == t.root() + "/links/nothere");
}

TEST_CASE("vfs: a trailing slash needs a directory") {
  Tree t;
  CHECK(err(t.run("/etc/x/")) == ENOTDIR);
  CHECK(err(t.run("/links/rel/")) == ENOTDIR);

  WalkRequest create;
  create.path = "/etc/x/";
  create.slash_needs_dir = false;
  Resolved r = ok(t.run(create));
  CHECK(r.type == NodeType::kRegular);
  CHECK(r.trailing_slash);
  CHECK(r.host == t.root() + "/etc/x");

  Resolved dir = ok(t.run("/a/b/"));
  CHECK(dir.type == NodeType::kDir);
  CHECK(dir.trailing_slash);
}

TEST_CASE("vfs: follow_last=false returns the link itself") {
  Tree t;
  WalkRequest req;
  req.path = "/links/abs";
  req.follow_last = false;
  Resolved r = ok(t.run(req));
  CHECK(r.type == NodeType::kSymlink);
  CHECK(r.guest == "/links/abs");
  CHECK(r.host == t.root() + "/links/abs");
  CHECK(r.last == "abs");
  CHECK(r.link_target.empty());  // a host link's text is read by the caller

  // Loops and dangling links are fine when the last one is not followed.
  req.path = "/links/loop1";
  CHECK(ok(t.run(req)).type == NodeType::kSymlink);
  req.path = "/links/dangling";
  CHECK(ok(t.run(req)).type == NodeType::kSymlink);

  // Intermediate links are still followed.
  req.path = "/links/dirlink/file";
  Resolved mid = ok(t.run(req));
  CHECK(mid.type == NodeType::kRegular);
  CHECK(mid.host == t.root() + "/a/b/file");
}

TEST_CASE("vfs: a trailing slash follows a last symlink unless slash_follows is false") {
  Tree t;
  WalkRequest req;
  req.path = "/links/dirlink/";
  req.follow_last = false;
  Resolved followed = ok(t.run(req));
  CHECK(followed.type == NodeType::kDir);
  CHECK(followed.guest == "/a/b");
  CHECK(followed.host == t.root() + "/a/b");

  req.slash_follows = false;  // rmdir("link/"): the entry itself, not a directory
  CHECK(err(t.run(req)) == ENOTDIR);

  req.slash_needs_dir = false;
  Resolved entry = ok(t.run(req));
  CHECK(entry.type == NodeType::kSymlink);
  CHECK(entry.guest == "/links/dirlink");
  CHECK(entry.trailing_slash);
}

TEST_CASE("vfs: a component longer than 255 bytes is ENAMETOOLONG") {
  Tree t;
  CHECK(err(t.run("/etc/" + std::string(256, 'n'))) == ENAMETOOLONG);
  CHECK(err(t.run("/" + std::string(256, 'n') + "/x")) == ENAMETOOLONG);
  Resolved r = ok(t.run("/etc/" + std::string(255, 'n')));
  CHECK(r.type == NodeType::kMissing);
  // A whole path of PATH_MAX bytes or more.
  std::string longpath = "/etc";
  while (longpath.size() < PATH_MAX) longpath += "/.";
  CHECK(err(t.run(longpath)) == ENAMETOOLONG);
}

TEST_CASE("vfs: an empty path is ENOENT") {
  Tree t;
  CHECK(err(t.run("")) == ENOENT);
  CHECK(err(t.run("", "/a")) == ENOENT);
}

TEST_CASE("vfs: RESOLVE_BENEATH never leaves the start") {
  Tree t;
  WalkRequest req;
  req.start = "/a";
  req.beneath = true;

  req.path = "b/file";
  CHECK(ok(t.run(req)).host == t.root() + "/a/b/file");
  req.path = "b/..";
  CHECK(ok(t.run(req)).guest == "/a");
  req.path = "../etc/x";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "..";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "b/../..";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "/etc/x";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "/a/b/file";  // absolute even if it would end below the start
  CHECK(err(t.run(req)) == EXDEV);

  // Links: an absolute target always, a relative one when it climbs out.
  req.start = "/links";
  req.path = "abs";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "rel";
  CHECK(err(t.run(req)) == EXDEV);
  req.start = "/";
  req.path = "links/rel";
  CHECK(ok(t.run(req)).host == t.root() + "/etc/x");
}

TEST_CASE("vfs: RESOLVE_IN_ROOT treats the start as the root") {
  Tree t;
  WalkRequest req;
  req.start = "/a";
  req.in_root = true;

  req.path = "/b/file";
  Resolved abs = ok(t.run(req));
  CHECK(abs.guest == "/a/b/file");
  CHECK(abs.host == t.root() + "/a/b/file");

  req.path = "../../../b/file";
  CHECK(ok(t.run(req)).guest == "/a/b/file");

  req.path = "b/c/../../../..";
  Resolved top = ok(t.run(req));
  CHECK(top.guest == "/a");
  CHECK(top.host == t.root() + "/a");

  req.path = "inroot_abs";  // -> /b/file, from the start
  Resolved link = ok(t.run(req));
  CHECK(link.guest == "/a/b/file");
  CHECK(link.host == t.root() + "/a/b/file");

  // Without in_root the same link means the guest's /b, which does not exist.
  req.in_root = false;
  CHECK(err(t.run(req)) == ENOENT);
}

TEST_CASE("vfs: RESOLVE_NO_SYMLINKS makes any followed symlink ELOOP") {
  Tree t;
  WalkRequest req;
  req.no_symlinks = true;
  req.path = "/links/rel";
  CHECK(err(t.run(req)) == ELOOP);
  req.path = "/links/dirlink/file";
  CHECK(err(t.run(req)) == ELOOP);
  req.path = "/proc/self";
  CHECK(err(t.run(req)) == ELOOP);
  req.path = "/etc/x";
  CHECK(ok(t.run(req)).type == NodeType::kRegular);
  // A last link that is not followed is no error.
  req.path = "/links/rel";
  req.follow_last = false;
  CHECK(ok(t.run(req)).type == NodeType::kSymlink);
}

TEST_CASE("vfs: RESOLVE_NO_XDEV refuses to cross a mount") {
  Tree t;
  WalkRequest req;
  req.no_xdev = true;
  req.path = "/mnt/bind/inbind";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "/mnt/bind";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "/links/tobind/inbind";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "/tmp";  // the writable /tmp is a mount of its own
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "/proc/self";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "/mnt";
  CHECK(ok(t.run(req)).host == t.root() + "/mnt");
  req.path = "/links/abs";  // a link on the same mount is fine
  CHECK(ok(t.run(req)).host == t.root() + "/etc/x");

  // Inside the bind, and out of it by "..".
  req.start = "/mnt/bind";
  req.path = "sub/../inbind";
  CHECK(ok(t.run(req)).host == t.bind() + "/inbind");
  req.path = "..";
  CHECK(err(t.run(req)) == EXDEV);
  req.path = "up";  // ../../etc/x climbs out of the bind
  CHECK(err(t.run(req)) == EXDEV);

  // Without the flag the same walks cross.
  req.no_xdev = false;
  req.path = "..";
  CHECK(ok(t.run(req)).host == t.root() + "/mnt");
}

TEST_CASE("vfs: /proc/self and /proc/thread-self resolve through the context") {
  Tree t;
  const std::string pid = std::to_string(getpid());
  const std::string tid = std::to_string(my_tid());

  Resolved self = ok(t.run("/proc/self"));
  CHECK(self.guest == "/proc/" + pid);
  CHECK(self.host == "/proc/" + pid);
  CHECK(self.type == NodeType::kDir);
  CHECK(self.origin == Origin::kSynthDir);
  REQUIRE(self.mount != nullptr);
  CHECK(self.mount->kind == MountKind::kSynthetic);

  Resolved status = ok(t.run("/proc/self/status"));
  CHECK(status.guest == "/proc/" + pid + "/status");
  CHECK(status.type == NodeType::kRegular);
  CHECK(status.origin == Origin::kSynthFile);

  Resolved thread = ok(t.run("/proc/thread-self"));
  CHECK(thread.guest == "/proc/" + pid + "/task/" + tid);
  CHECK(thread.type == NodeType::kDir);

  // Relative, from /proc.
  CHECK(ok(t.run("self/status", "/proc")).guest == "/proc/" + pid + "/status");

  WalkRequest req;
  req.path = "/proc/self";
  req.follow_last = false;
  Resolved link = ok(t.run(req));
  CHECK(link.type == NodeType::kSymlink);
  CHECK(link.guest == "/proc/self");
  CHECK(link.link_target == pid);
  req.path = "/proc/thread-self";
  CHECK(ok(t.run(req)).link_target == pid + "/task/" + tid);
}

TEST_CASE("vfs: synthetic paths follow the context's classification") {
  Tree t;
  Resolved file = ok(t.run("/sys/fakefile"));
  CHECK(file.type == NodeType::kRegular);
  CHECK(file.origin == Origin::kSynthFile);
  CHECK(file.host == "/sys/fakefile");
  CHECK(err(t.run("/sys/fakefile/x")) == ENOTDIR);
  CHECK(err(t.run("/sys/fakefile/")) == ENOTDIR);

  Resolved dir = ok(t.run("/sys/fakedir/"));
  CHECK(dir.type == NodeType::kDir);
  CHECK(dir.origin == Origin::kSynthDir);
  CHECK(ok(t.run("/sys/fakedir/f")).origin == Origin::kSynthFile);
  CHECK(ok(t.run("/sys/fakedir/.")).guest == "/sys/fakedir");
  CHECK(err(t.run("/sys/fakedir/f/..")) == ENOTDIR);

  Resolved missing = ok(t.run("/proc/nothere"));
  CHECK(missing.type == NodeType::kMissing);
  CHECK(err(t.run("/proc/nothere/x")) == ENOENT);
  CHECK(err(t.run("/sys/nothere/x")) == ENOENT);

  // Pass-through: the host answers for the same path.
  Resolved null = ok(t.run("/dev/null"));
  CHECK(null.origin == Origin::kPassThrough);
  CHECK(null.host == "/dev/null");
  CHECK(null.type == NodeType::kOther);

  // /dev/shm is a host mount on top of the synthetic /dev.
  Resolved shm = ok(t.run("/dev/shm"));
  CHECK(shm.origin == Origin::kHost);
  CHECK(shm.type == NodeType::kDir);
  REQUIRE(shm.mount != nullptr);
  CHECK(shm.mount->kind == MountKind::kHost);
  CHECK_FALSE(shm.mount->read_only);

  // ".." out of a synthetic tree goes back to the guest's root.
  Resolved back = ok(t.run("/proc/self/../../etc/x"));
  CHECK(back.host == t.root() + "/etc/x");
}

TEST_CASE("vfs: /proc/<pid>/cwd and root are expanded in guest space") {
  Tree t;
  CwdGuard cwd(t.root() + "/a/b");
  const std::string pid = std::to_string(getpid());

  Resolved c = ok(t.run("/proc/self/cwd"));
  CHECK(c.guest == "/a/b");
  CHECK(c.host == t.root() + "/a/b");
  CHECK(c.type == NodeType::kDir);
  CHECK(c.origin == Origin::kHost);

  CHECK(ok(t.run("/proc/self/cwd/file")).host == t.root() + "/a/b/file");
  CHECK(ok(t.run("/proc/self/cwd/../..")).guest == "/");
  CHECK(ok(t.run("/proc/" + pid + "/cwd/..")).guest == "/a");

  WalkRequest req;
  req.path = "/proc/self/cwd";
  req.follow_last = false;
  Resolved link = ok(t.run(req));
  CHECK(link.type == NodeType::kSymlink);
  CHECK(link.link_target == "/a/b");

  // root is the guest's "/", and ".." above it stays there.
  Resolved root = ok(t.run("/proc/self/root/../../etc/x"));
  CHECK(root.guest == "/etc/x");
  CHECK(root.host == t.root() + "/etc/x");

  // RESOLVE_NO_MAGICLINKS refuses them (but not /proc/self, a plain link).
  req.follow_last = true;
  req.no_magiclinks = true;
  CHECK(err(t.run(req)) == ELOOP);
  req.path = "/proc/self/status";
  CHECK(ok(t.run(req)).origin == Origin::kSynthFile);

  // A pid that is not the guest's is not there, nor its links.
  CHECK(err(t.run("/proc/999999999/cwd")) == ENOENT);
}

TEST_CASE("vfs: /proc/self/fd links name guest paths or only the host's object") {
  Tree t;
  Fd file(open((t.root() + "/etc/x").c_str(), O_RDONLY | O_CLOEXEC));
  int p[2];
  REQUIRE(pipe(p) == 0);
  Fd rd(p[0]), wr(p[1]);
  const std::string pid = std::to_string(getpid());

  Resolved f = ok(t.run("/proc/self/fd/" + std::to_string(file.get())));
  CHECK(f.guest == "/etc/x");
  CHECK(f.host == t.root() + "/etc/x");
  CHECK(f.type == NodeType::kRegular);

  WalkRequest req;
  req.path = "/proc/self/fd/" + std::to_string(file.get());
  req.follow_last = false;
  CHECK(ok(t.run(req)).link_target == "/etc/x");

  // A pipe has no guest path: reached through the host's /proc link.
  const std::string pipe_link = "/proc/" + pid + "/fd/" + std::to_string(rd.get());
  Resolved pr = ok(t.run("/proc/self/fd/" + std::to_string(rd.get())));
  CHECK(pr.origin == Origin::kMagic);
  CHECK(pr.host == pipe_link);
  CHECK(pr.type == NodeType::kOther);
  CHECK(err(t.run("/proc/self/fd/" + std::to_string(rd.get()) + "/x")) == ENOTDIR);

  req.path = "/proc/self/fd/" + std::to_string(rd.get());
  Resolved pl = ok(t.run(req));
  CHECK(pl.type == NodeType::kSymlink);
  CHECK(pl.link_target.rfind("pipe:[", 0) == 0);
}

TEST_CASE("vfs: host_path_for resolves sentry's own lookups") {
  Tree t;
  const MountTable& m = t.table();
  CHECK(host_path_for(m, "/", "/etc/x") == std::optional<std::string>(t.root() + "/etc/x"));
  CHECK(host_path_for(m, "/a", "b/file") == std::optional<std::string>(t.root() + "/a/b/file"));
  CHECK(host_path_for(m, "/", "/links/abs") == std::optional<std::string>(t.root() + "/etc/x"));
  CHECK(host_path_for(m, "/links", "dirlink") == std::optional<std::string>(t.root() + "/a/b"));
  CHECK(host_path_for(m, "/", "/mnt/bind/inbind") == std::optional<std::string>(t.bind() + "/inbind"));
  auto root = host_path_for(m, "/", "/");
  REQUIRE(root.has_value());
  CHECK(same_file(*root, t.root()));
  CHECK_FALSE(host_path_for(m, "/", "/etc/nothere").has_value());  // missing
  CHECK_FALSE(host_path_for(m, "/", "/etc/x/y").has_value());      // ENOTDIR
  CHECK_FALSE(host_path_for(m, "/", "/links/loop1").has_value());  // ELOOP
  CHECK_FALSE(host_path_for(m, "/", "").has_value());
  // No calling task: /proc/self names no guest process.
  CHECK_FALSE(host_path_for(m, "/", "/proc/self/status").has_value());
}

// Regressions: each of these once failed (found by this file) and asserts
// what Linux does (checked with openat2 on Linux 6.x).

TEST_CASE("vfs: the guest's root walks to the root's host directory", "[vfs]") {
  Tree t;
  // "<root>/": open_parent() splits it into the host's "/" and ".", so a
  // stat/statx/xattr call on the guest's "/" reaches the host's "/".
  CHECK(ok(t.run("/")).host == t.root());
  CHECK(ok(t.run("/a/..")).host == t.root());
}

TEST_CASE("vfs: a trailing slash in a symlink's target requires a directory", "[vfs]") {
  Tree t;
  // links/slashfile -> ../etc/x/ with etc/x a file: Linux says ENOTDIR
  // (lookup_last sets LOOKUP_DIRECTORY for the body's trailing slash).
  CHECK(err(t.run("/links/slashfile")) == ENOTDIR);
}

TEST_CASE("vfs: RESOLVE_NO_XDEV refuses an absolute symlink that jumps to another mount", "[vfs]") {
  Tree t;
  // From the bind, abs -> /etc/x goes back to the root's mount: Linux's
  // nd_jump_root gives EXDEV when the root is on another mount.
  WalkRequest req;
  req.start = "/mnt/bind";
  req.path = "abs";
  req.no_xdev = true;
  CHECK(err(t.run(req)) == EXDEV);
}

TEST_CASE("vfs: RESOLVE_IN_ROOT refuses /proc magic links", "[vfs]") {
  Tree t;
  CwdGuard cwd(t.root() + "/a/b");
  // Linux's nd_jump_link refuses magic links in scoped lookups with EXDEV.
  WalkRequest req;
  req.start = "/";
  req.in_root = true;
  req.path = "/proc/self/cwd";
  CHECK(err(t.run(req)) == EXDEV);
}

TEST_CASE("vfs: the fast path pins a plain path on the root mount, and only such a path") {
  Tree t;
  // No symlink, ".", ".." or trailing "/" on the way: one openat2 proves it,
  // and the object's O_PATH fd comes back with the same answer the walk gives.
  Resolved plain = ok(t.run("/etc/x"));
  REQUIRE(plain.pinned);
  struct stat by_fd, by_path;
  CHECK(fstat(plain.pinned->get(), &by_fd) == 0);
  CHECK(stat((t.root() + "/etc/x").c_str(), &by_path) == 0);
  CHECK(by_fd.st_ino == by_path.st_ino);
  CHECK(plain.type == NodeType::kRegular);
  // Through a symlink, with "..", with a trailing slash, inside a bind:
  // the component-by-component walk answers (no pinned fd).
  CHECK_FALSE(ok(t.run("/a/b/../b")).pinned);
  CHECK_FALSE(ok(t.run("/a/b/")).pinned);
  CHECK_FALSE(ok(t.run("/mnt/bind")).pinned);
  CHECK_FALSE(ok(t.run("/links/abs")).pinned);
  CHECK(ok(t.run("/links/abs")).guest == "/etc/x");
  // A missing name is not an error of the fast path: the walk reports it.
  CHECK(ok(t.run("/etc/missing")).type == NodeType::kMissing);
}

// The guest's mount table (vfs/mount_table.h): lexical normalisation, the
// --root/--bind/--rw options, the innermost-mount lookup and the reverse
// mapping from host paths to guest paths. The tables are built over a real
// temporary directory (MountTable::build realpath()s every host directory).
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "test/unit/temp_dir.h"
#include "vfs/mount_table.h"

using namespace sentry::vfs;

namespace {

using sentry::test::TempDir;

// A guest root with the directories the default options need (/tmp).
std::string make_root(const TempDir& d) {
  d.mkdir("tmp");
  d.mkdir("etc");
  d.mkdir("work/out");
  d.mkdir("data");
  return d.path();
}

MountTable must_build(const MountOptions& o) {
  std::string error;
  auto t = MountTable::build(o, &error);
  INFO("error: " << error);
  REQUIRE(t.has_value());
  CHECK(error.empty());
  return std::move(*t);
}

std::string build_error(const MountOptions& o) {
  std::string error;
  auto t = MountTable::build(o, &error);
  CHECK_FALSE(t.has_value());
  return error;
}

}  // namespace

TEST_CASE("vfs: normalise_lexically removes duplicate slashes, dots and a trailing slash") {
  CHECK(normalise_lexically("/a//b/./c/") == "/a/b/c");
  CHECK(normalise_lexically("/") == "/");
  CHECK(normalise_lexically("//") == "/");
  CHECK(normalise_lexically("/.") == "/");
  CHECK(normalise_lexically("/./a/.") == "/a");
  CHECK(normalise_lexically("///a///") == "/a");
  CHECK(normalise_lexically("/a/b") == "/a/b");
  CHECK(normalise_lexically("/a/.b/..c") == "/a/.b/..c");  // dot-names that are not . or ..
}

TEST_CASE("vfs: normalise_lexically removes .. and never goes above /") {
  CHECK(normalise_lexically("/a/b/../c") == "/a/c");
  CHECK(normalise_lexically("/a/b/../../c") == "/c");
  CHECK(normalise_lexically("/..") == "/");
  CHECK(normalise_lexically("/../..") == "/");
  CHECK(normalise_lexically("/a/../../..") == "/");
  CHECK(normalise_lexically("/../a/../../b") == "/b");
  CHECK(normalise_lexically("/a/..") == "/");
}

TEST_CASE("vfs: path_within respects component boundaries") {
  CHECK(path_within("/tmp", "/tmp"));
  CHECK(path_within("/tmp/a", "/tmp"));
  CHECK(path_within("/tmp/a/b", "/tmp"));
  CHECK_FALSE(path_within("/tmpx", "/tmp"));
  CHECK_FALSE(path_within("/tmpx/a", "/tmp"));
  CHECK_FALSE(path_within("/tm", "/tmp"));
  CHECK_FALSE(path_within("/", "/tmp"));
  CHECK_FALSE(path_within("/usr/tmp", "/tmp"));
  CHECK(path_within("/", "/"));
  CHECK(path_within("/anything/at/all", "/"));
  CHECK_FALSE(path_within("", "/"));
  CHECK(path_within("/a/b", "/a/b"));
  CHECK_FALSE(path_within("/a", "/a/b"));
}

TEST_CASE("vfs: --root maps / to the directory read-only") {
  TempDir d;
  const std::string root = make_root(d);
  MountOptions o;
  o.root = root;
  MountTable t = must_build(o);
  REQUIRE_FALSE(t.mounts().empty());
  CHECK(t.mounts().front().guest == "/");
  CHECK(t.mounts().front().host == root);

  const Mount& m = t.find("/etc");
  CHECK(m.guest == "/");
  CHECK(m.host == root);
  CHECK(m.kind == MountKind::kHost);
  CHECK(m.read_only);
  CHECK(MountTable::host_path(m, "/etc") == root + "/etc");
  // The same directory (the exact string is checked by a regression test below).
  CHECK(std::filesystem::equivalent(MountTable::host_path(m, "/"), root));
  CHECK(&t.find("/") == &t.mounts().front());
}

TEST_CASE("vfs: --root given with a trailing slash and dots is canonicalised") {
  TempDir d;
  const std::string root = make_root(d);
  MountOptions o;
  o.root = root + "/./etc/../";
  MountTable t = must_build(o);
  CHECK(t.find("/x").host == root);
}

TEST_CASE("vfs: a missing --root is an error") {
  TempDir d;
  MountOptions o;
  o.root = d.path() + "/does-not-exist";
  const std::string error = build_error(o);
  CHECK(error.find("does-not-exist") != std::string::npos);
}

TEST_CASE("vfs: by default /tmp and /dev/shm are writable and the rest of the root is not") {
  TempDir d;
  const std::string root = make_root(d);
  MountOptions o;
  o.root = root;
  MountTable t = must_build(o);

  const Mount& tmp = t.find("/tmp/file");
  CHECK(tmp.guest == "/tmp");
  CHECK(tmp.host == root + "/tmp");
  CHECK_FALSE(tmp.read_only);
  CHECK(MountTable::host_path(tmp, "/tmp/file") == root + "/tmp/file");

  const Mount& shm = t.find("/dev/shm/x");
  CHECK(shm.guest == "/dev/shm");
  CHECK(shm.host == "/dev/shm");
  CHECK(shm.kind == MountKind::kHost);
  CHECK_FALSE(shm.read_only);

  CHECK(t.find("/etc/passwd").read_only);
  CHECK(t.find("/work").read_only);  // no working directory given
  CHECK(t.find("/tmpx").guest == "/");
}

TEST_CASE("vfs: the working directory inside the root is writable by default") {
  TempDir d;
  const std::string root = make_root(d);
  MountOptions o;
  o.root = root;
  o.host_cwd = root + "/work";
  MountTable t = must_build(o);

  const Mount& w = t.find("/work/out/f");
  CHECK(w.guest == "/work");
  CHECK(w.host == root + "/work");
  CHECK(w.kind == MountKind::kHost);
  CHECK_FALSE(w.read_only);
  CHECK(MountTable::host_path(w, "/work/out/f") == root + "/work/out/f");
  CHECK_FALSE(t.find("/tmp").read_only);  // still writable too
  CHECK(t.find("/etc").read_only);
  CHECK(t.find("/workx").read_only);
}

TEST_CASE("vfs: a working directory that is the root or outside it adds no writable mount") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir outside;
  for (const std::string& cwd : {root, outside.path()}) {
    INFO("host_cwd " << cwd);
    MountOptions o;
    o.root = root;
    o.host_cwd = cwd;
    MountTable t = must_build(o);
    CHECK(t.find("/").read_only);
    CHECK(t.find("/etc").read_only);
    CHECK(t.find("/work").read_only);
    for (const Mount& m : t.mounts()) {
      CHECK(m.host != outside.path());
      if (m.guest == "/") CHECK(m.read_only);
    }
  }
}

TEST_CASE("vfs: /proc, /sys and /dev are synthetic mounts, /dev/shm shadows /dev") {
  TempDir d;
  const std::string root = make_root(d);
  MountOptions o;
  o.root = root;
  MountTable t = must_build(o);
  for (const char* p : {"/proc", "/sys", "/dev"}) {
    INFO(p);
    const Mount& m = t.find(p);
    CHECK(m.guest == p);
    CHECK(m.host == p);
    CHECK(m.kind == MountKind::kSynthetic);
    CHECK(m.read_only);
  }
  CHECK(t.find("/proc/self/status").guest == "/proc");
  CHECK(t.find("/sys/devices/system/cpu").guest == "/sys");
  CHECK(t.find("/dev/null").guest == "/dev");
  CHECK(t.find("/dev/null").kind == MountKind::kSynthetic);
  CHECK(t.find("/dev/shm").kind == MountKind::kHost);
  CHECK(t.find("/dev/shmx").guest == "/dev");
  CHECK(t.find("/procx").guest == "/");
  CHECK(MountTable::host_path(t.find("/proc/1/status"), "/proc/1/status") == "/proc/1/status");
}

TEST_CASE("vfs: --bind HOST:GUEST is writable, :ro read-only, :rw writable") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir b1, b2, b3;
  MountOptions o;
  o.root = root;
  o.binds = {b1.path() + ":/data", b2.path() + ":/srv/ro:ro", b3.path() + "/:/srv//rw/:rw"};
  MountTable t = must_build(o);

  const Mount& m1 = t.find("/data/x");
  CHECK(m1.guest == "/data");
  CHECK(m1.host == b1.path());
  CHECK(m1.kind == MountKind::kHost);
  CHECK_FALSE(m1.read_only);
  CHECK(MountTable::host_path(m1, "/data/x/y") == b1.path() + "/x/y");
  CHECK(MountTable::host_path(m1, "/data") == b1.path());

  const Mount& m2 = t.find("/srv/ro");
  CHECK(m2.guest == "/srv/ro");
  CHECK(m2.host == b2.path());
  CHECK(m2.read_only);

  const Mount& m3 = t.find("/srv/rw/z");
  CHECK(m3.guest == "/srv/rw");  // guest path normalised
  CHECK(m3.host == b3.path());   // host path canonical
  CHECK_FALSE(m3.read_only);

  CHECK(t.find("/srv").guest == "/");
  CHECK(t.find("/srv/rox").guest == "/");
}

TEST_CASE("vfs: bad --bind specs are errors") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir b;
  struct Case {
    std::string spec;
    std::string expect;  // a part of the message
  };
  const Case cases[] = {
      {b.path(), "expected HOST:GUEST"},                           // no colon
      {":/data", "expected HOST:GUEST"},                           // no host
      {b.path() + ":data", "must be absolute"},                    // relative guest path
      {b.path() + ":", "must be absolute"},                        // empty guest path
      {b.path() + "::ro", "must be absolute"},                     // empty guest path with a mode
      {b.path() + ":/data:rx", "options are ro or rw and hostids"}, // bad mode
      {b.path() + ":/data:", "options are ro or rw and hostids"}, // empty mode
      {b.path() + "/missing:/data", "cannot use"},                 // missing host directory
  };
  for (const Case& c : cases) {
    INFO("--bind " << c.spec);
    MountOptions o;
    o.root = root;
    o.binds = {c.spec};
    const std::string error = build_error(o);
    CHECK(error.find(c.expect) != std::string::npos);
  }
}

TEST_CASE("vfs: find returns the innermost mount, later ones winning ties") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir outer, inner, again;
  MountOptions o;
  o.root = root;
  o.binds = {outer.path() + ":/a", inner.path() + ":/a/b/c:ro", again.path() + ":/a:ro"};
  MountTable t = must_build(o);
  CHECK(t.find("/a/b").host == again.path());  // the second /a shadows the first
  CHECK(t.find("/a/b").read_only);
  CHECK(t.find("/a/b/c").host == inner.path());
  CHECK(t.find("/a/b/c/d/e").host == inner.path());
  CHECK(t.find("/a/b/cd").host == again.path());
  CHECK(t.find("/b").host == root);
  CHECK(MountTable::host_path(t.find("/a/b/c/d"), "/a/b/c/d") == inner.path() + "/d");
}

TEST_CASE("vfs: --rw relative to the working directory and absolute") {
  TempDir d;
  const std::string root = make_root(d);
  MountOptions o;
  o.root = root;
  o.host_cwd = root + "/work";
  o.rw = {"out", "/data"};
  MountTable t = must_build(o);

  const Mount& out = t.find("/work/out/f");
  CHECK(out.guest == "/work/out");
  CHECK(out.host == root + "/work/out");
  CHECK_FALSE(out.read_only);

  const Mount& data = t.find("/data");
  CHECK(data.guest == "/data");
  CHECK(data.host == root + "/data");
  CHECK_FALSE(data.read_only);

  // With --rw the defaults (the working directory, /tmp) are not added...
  CHECK(t.find("/work/f").read_only);
  CHECK(t.find("/tmp/f").read_only);
  // ...but /dev/shm always is.
  CHECK_FALSE(t.find("/dev/shm").read_only);
}

TEST_CASE("vfs: --rw with .. and dots is normalised from the working directory") {
  TempDir d;
  const std::string root = make_root(d);
  MountOptions o;
  o.root = root;
  o.host_cwd = root + "/work/out";
  o.rw = {"../../data/."};
  MountTable t = must_build(o);
  CHECK(t.find("/data/x").guest == "/data");
  CHECK_FALSE(t.find("/data/x").read_only);
  CHECK(t.find("/work/out").read_only);
}

TEST_CASE("vfs: --rw inside a bind writes the bind's host directory") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir b;
  std::filesystem::create_directories(b.path() + "/sub");
  MountOptions o;
  o.root = root;
  o.binds = {b.path() + ":/mnt:ro"};
  o.rw = {"/mnt/sub"};
  MountTable t = must_build(o);
  CHECK(t.find("/mnt/x").read_only);
  const Mount& m = t.find("/mnt/sub/x");
  CHECK(m.guest == "/mnt/sub");
  CHECK(m.host == b.path() + "/sub");
  CHECK_FALSE(m.read_only);
}

TEST_CASE("vfs: --rw through a relative symlink in the root is made writable where it leads") {
  TempDir d;
  const std::string root = make_root(d);
  d.mkdir("var/scratch");
  std::filesystem::create_directory_symlink("var/scratch", root + "/scratch");
  MountOptions o;
  o.root = root;
  o.rw = {"/scratch"};
  MountTable t = must_build(o);
  const Mount& m = t.find("/var/scratch/f");
  CHECK(m.guest == "/var/scratch");
  CHECK(m.host == root + "/var/scratch");
  CHECK_FALSE(m.read_only);
}

TEST_CASE("vfs: bad --rw paths are errors") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir outside;
  SECTION("a relative path without a working directory in the guest") {
    MountOptions o;
    o.root = root;
    o.host_cwd = outside.path();
    o.rw = {"out"};
    CHECK(build_error(o).find("relative path") != std::string::npos);
  }
  SECTION("a relative path with no working directory at all") {
    MountOptions o;
    o.root = root;
    o.rw = {"work"};
    CHECK(build_error(o).find("--rw work") != std::string::npos);
  }
  SECTION("an empty path") {
    MountOptions o;
    o.root = root;
    o.host_cwd = root;
    o.rw = {""};
    CHECK(build_error(o).find("--rw") != std::string::npos);
  }
  SECTION("a path missing in the root") {
    MountOptions o;
    o.root = root;
    o.rw = {"/nothere"};
    CHECK(build_error(o).find("no such directory") != std::string::npos);
  }
}

TEST_CASE("vfs: host_path joins the mount's host directory and the rest of the guest path") {
  CHECK(MountTable::host_path({"/", "/", MountKind::kHost, false}, "/") == "/");
  CHECK(MountTable::host_path({"/", "/", MountKind::kHost, false}, "/a/b") == "/a/b");
  CHECK(MountTable::host_path({"/", "/r", MountKind::kHost, true}, "/a/b") == "/r/a/b");
  CHECK(MountTable::host_path({"/g", "/h/x", MountKind::kHost, true}, "/g") == "/h/x");
  CHECK(MountTable::host_path({"/g", "/h/x", MountKind::kHost, true}, "/g/a") == "/h/x/a");
  CHECK(MountTable::host_path({"/g", "/", MountKind::kHost, true}, "/g") == "/");
  CHECK(MountTable::host_path({"/g", "/", MountKind::kHost, true}, "/g/etc") == "/etc");
}

TEST_CASE("vfs: guest_path_of maps host paths back through the mounts") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir b;
  MountOptions o;
  o.root = root;
  o.binds = {b.path() + ":/mnt/b"};
  MountTable t = must_build(o);

  CHECK(t.guest_path_of(root) == std::optional<std::string>("/"));
  CHECK(t.guest_path_of(root + "/etc/passwd") == std::optional<std::string>("/etc/passwd"));
  CHECK(t.guest_path_of(b.path()) == std::optional<std::string>("/mnt/b"));
  CHECK(t.guest_path_of(b.path() + "/f") == std::optional<std::string>("/mnt/b/f"));
  CHECK(t.guest_path_of("/proc/1/status") == std::optional<std::string>("/proc/1/status"));
  CHECK(t.guest_path_of("/dev/shm/x") == std::optional<std::string>("/dev/shm/x"));
  // Outside every mount: the host's own /etc is not the guest's.
  CHECK_FALSE(t.guest_path_of("/etc/passwd").has_value());
  CHECK_FALSE(t.guest_path_of("/").has_value());
  // A sibling whose name extends the root's is not inside it.
  CHECK_FALSE(t.guest_path_of(root + "x/file").has_value());
}

TEST_CASE("vfs: guest_path_of hides a host path shadowed by a mount on top of it") {
  TempDir d;
  const std::string root = make_root(d);
  d.touch("data/hidden");
  TempDir b;
  MountOptions o;
  o.root = root;
  o.binds = {b.path() + ":/data"};
  MountTable t = must_build(o);
  // <root>/data/hidden would be /data/hidden, but /data is the bind.
  CHECK_FALSE(t.guest_path_of(root + "/data/hidden").has_value());
  CHECK_FALSE(t.guest_path_of(root + "/data").has_value());
  CHECK(t.guest_path_of(b.path() + "/hidden") == std::optional<std::string>("/data/hidden"));
  // The root's other directories stay visible.
  CHECK(t.guest_path_of(root + "/etc") == std::optional<std::string>("/etc"));
  CHECK(t.guest_path_of(root + "/datax") == std::optional<std::string>("/datax"));
}

TEST_CASE("vfs: guest_path_of prefers the innermost mount when a bind's host lies in the root") {
  TempDir d;
  const std::string root = make_root(d);
  d.mkdir("src/sub");
  MountOptions o;
  o.root = root;
  o.binds = {root + "/src:/dst"};
  MountTable t = must_build(o);
  // Visible both as /src/sub (through /) and /dst/sub (through the bind).
  CHECK(t.guest_path_of(root + "/src/sub") == std::optional<std::string>("/dst/sub"));
  CHECK(t.guest_path_of(root + "/src") == std::optional<std::string>("/dst"));
  CHECK(t.guest_path_of(root + "/etc") == std::optional<std::string>("/etc"));
}

TEST_CASE("vfs: the working directory is found through a bind") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir b;
  std::filesystem::create_directories(b.path() + "/proj");
  MountOptions o;
  o.root = root;
  o.binds = {b.path() + ":/home:ro"};
  o.host_cwd = b.path() + "/proj";
  MountTable t = must_build(o);
  const Mount& m = t.find("/home/proj/f");
  CHECK(m.guest == "/home/proj");
  CHECK(m.host == b.path() + "/proj");
  CHECK_FALSE(m.read_only);
  CHECK(t.find("/home/other").read_only);
}

TEST_CASE("vfs: host_identity is the whole host tree, writable") {
  MountTable t = MountTable::host_identity();
  REQUIRE(t.mounts().size() == 1);
  CHECK(t.find("/usr/bin").guest == "/");
  CHECK(t.find("/usr/bin").host == "/");
  CHECK_FALSE(t.find("/usr/bin").read_only);
  CHECK(t.guest_path_of("/usr/bin") == std::optional<std::string>("/usr/bin"));
  CHECK(t.guest_path_of("/") == std::optional<std::string>("/"));
  CHECK(t.identity("/"));
  CHECK(t.identity("/usr/bin"));
}

TEST_CASE("vfs: identity holds only where the guest path is the same host path") {
  TempDir b;
  MountOptions o;
  o.root = "/";
  o.binds = {b.path() + ":/mnt/sentry-test-bind"};
  MountTable t = must_build(o);
  CHECK(t.identity("/"));
  CHECK(t.identity("/etc/passwd"));
  CHECK(t.identity("/tmp/x"));  // the writable /tmp is /tmp itself
  CHECK(t.identity("/proc/self"));
  CHECK(t.identity("/dev/shm"));
  CHECK_FALSE(t.identity("/mnt/sentry-test-bind"));
  CHECK_FALSE(t.identity("/mnt/sentry-test-bind/x"));
  CHECK(t.identity("/mnt/sentry-test-bindx"));

  // A bind of a directory on its own path renames nothing.
  MountOptions same;
  same.root = "/";
  same.binds = {b.path() + ":" + b.path() + ":ro"};
  MountTable s = must_build(same);
  CHECK(s.identity(b.path() + "/x"));
}

TEST_CASE("vfs: identity is false everywhere under a --root") {
  TempDir d;
  const std::string root = make_root(d);
  MountOptions o;
  o.root = root;
  MountTable t = must_build(o);
  CHECK_FALSE(t.identity("/"));
  CHECK_FALSE(t.identity("/etc"));
  CHECK_FALSE(t.identity("/tmp"));
  // Even where the guest and host paths agree (the synthetic trees).
  CHECK_FALSE(t.identity("/proc/self"));
  CHECK_FALSE(t.identity("/dev/shm"));
}

// Regressions: each of these once failed (found by this file) and asserts
// what Linux does.

TEST_CASE("vfs: host_path of a mount point is its host directory, with no trailing slash", "[vfs]") {
  // "/r/" instead of "/r": open_parent("/r/") then opens the host's "/" with
  // name "." (so a stat of the guest's "/" under --root stats the host's "/").
  CHECK(MountTable::host_path({"/", "/r", MountKind::kHost, true}, "/") == "/r");
}

TEST_CASE("vfs: --rw through an absolute symlink in the root is walked in the guest tree", "[vfs]") {
  TempDir d;
  const std::string root = make_root(d);
  TempDir outside;  // a host directory; the guest's namesake is <root><outside>
  d.mkdir(outside.path().substr(1));
  std::filesystem::create_directory_symlink(outside.path(), root + "/scratch");
  MountOptions o;
  o.root = root;
  o.rw = {"/scratch"};
  MountTable t = must_build(o);
  // In the guest, /scratch -> <outside> is <root><outside>; the host's
  // <outside> must not become visible (let alone writable).
  for (const Mount& m : t.mounts()) {
    INFO(m.guest << " -> " << m.host);
    CHECK(m.host != outside.path());
  }
  const Mount& m = t.find(outside.path());
  CHECK(m.host == root + outside.path());
  CHECK_FALSE(m.read_only);
}

TEST_CASE("vfs: a writable place inside another writable place adds no mount") {
  TempDir d;
  const std::string root = make_root(d);
  d.mkdir("tmp/work");
  MountOptions o;
  o.root = root;
  o.host_cwd = root + "/tmp/work";  // the default places: the cwd and /tmp
  MountTable t = must_build(o);
  // One writable mount holds both: a rename from /tmp/work to /tmp is not EXDEV.
  CHECK(&t.find("/tmp/work/x") == &t.find("/tmp/y"));
  CHECK_FALSE(t.find("/tmp/work").read_only);
  // Siblings stay mounts of their own (EXDEV between them, as with binds).
  MountOptions s;
  s.root = root;
  s.rw = {"/tmp", "/work"};
  MountTable u = must_build(s);
  CHECK(&u.find("/tmp/x") != &u.find("/work/x"));
  // Given inner first, the outer one still wins.
  MountOptions r;
  r.root = root;
  r.rw = {"/tmp/work", "/tmp"};
  MountTable v = must_build(r);
  CHECK(&v.find("/tmp/work/x") == &v.find("/tmp/y"));
}

TEST_CASE("vfs: granted places are idmapped, the host's own tree and its shared /tmp keep host ids") {
  TempDir d;
  // The host's root with the default places: / and /tmp keep host ids; a
  // working directory below /tmp is a place of its own, granted.
  MountOptions host;
  host.host_cwd = d.path();
  MountTable t = must_build(host);
  CHECK(t.find("/usr").host_ids);
  CHECK(t.find("/tmp").host_ids);
  CHECK_FALSE(t.find("/tmp").read_only);
  const std::optional<std::string> cwd = t.guest_path_of(d.path());
  REQUIRE(cwd);
  const Mount& place = t.find(*cwd);
  CHECK(place.guest == *cwd);  // its own mount, though /tmp is writable
  CHECK_FALSE(place.host_ids);
  CHECK_FALSE(place.read_only);
  // A --root tree is the guest's own.
  const std::string root = make_root(d);
  MountOptions own;
  own.root = root;
  MountTable r = must_build(own);
  CHECK_FALSE(r.find("/etc").host_ids);
  // Explicit --rw places and binds are granted.
  MountOptions rw;
  rw.rw = {"/tmp"};
  MountTable w = must_build(rw);
  CHECK_FALSE(w.find("/tmp").host_ids);
  MountOptions b;
  b.binds = {d.path() + ":/mnt:ro"};
  MountTable bt = must_build(b);
  CHECK_FALSE(bt.find("/mnt").host_ids);
  CHECK(bt.find("/mnt").read_only);
  // Unless the bind asks for the host's ids (an OCI bundle with a user
  // namespace: its volumes are not idmapped, as with runc).
  MountOptions h;
  h.binds = {d.path() + ":/mnt:hostids,ro", d.path() + ":/opt:hostids"};
  MountTable ht = must_build(h);
  CHECK(ht.find("/mnt").host_ids);
  CHECK(ht.find("/mnt").read_only);
  CHECK(ht.find("/opt").host_ids);
  CHECK_FALSE(ht.find("/opt").read_only);
}

TEST_CASE("vfs: the program's directory is granted read-only where the host's tree hides it") {
  TempDir d;  // mkdtemp: 0700, so others may not search it
  const std::string bin = d.path() + "/bin";
  std::filesystem::create_directories(bin);
  MountOptions o;
  o.program_dir = bin;
  MountTable t = must_build(o);
  const Mount& m = t.find(bin);
  CHECK(m.guest == bin);
  CHECK(m.read_only);
  CHECK_FALSE(m.host_ids);
  // A program the guest can reach anyway adds nothing.
  MountOptions reachable;
  reachable.program_dir = "/usr/bin";
  MountTable r = must_build(reachable);
  CHECK(r.find("/usr/bin").guest == "/");
}

TEST_CASE("vfs: OCI mounts: tmpfs, file binds, outer places first, a writable root without default places") {
  TempDir d;
  const std::string root = make_root(d);
  { std::ofstream(root + "/data/hosts") << "127.0.0.1 localhost\n"; }
  MountOptions o;
  o.root = root;
  o.root_writable = true;
  o.default_places = false;
  o.binds = {root + "/data/hosts:/run/x/hosts:ro", root + "/data:/mnt"};
  o.tmpfs = {"/run:mode=755,size=64k"};
  MountTable t = must_build(o);
  CHECK_FALSE(t.mounts().front().read_only);
  const Mount& run = t.find("/run");
  CHECK(run.kind == MountKind::kTmpfs);
  CHECK(run.tmpfs_options == "mode=755,size=64k");
  const Mount& hosts = t.find("/run/x/hosts");
  CHECK(hosts.file);
  CHECK(hosts.read_only);
  CHECK_FALSE(t.find("/mnt").file);
  // The tmpfs at /run comes before the bind below it, whatever the order given.
  std::size_t run_at = 0, hosts_at = 0;
  for (std::size_t i = 0; i < t.mounts().size(); ++i) {
    if (t.mounts()[i].guest == "/run") run_at = i;
    if (t.mounts()[i].guest == "/run/x/hosts") hosts_at = i;
  }
  CHECK(run_at < hosts_at);
  // No working directory or /tmp made writable.
  CHECK(t.find("/tmp").guest == "/");
  o.tmpfs = {"/"};
  CHECK(build_error(o).find("not /") != std::string::npos);
}

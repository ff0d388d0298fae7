// OCI config.json onto sentry's options (sentry/oci/bundle.h), and the state
// a runtime keeps per container (sentry/oci/container_state.h).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sentry/oci/bundle.h"
#include "sentry/oci/container_state.h"
#include "temp_dir.h"

using nlohmann::json;
using sentry::oci::ContainerSpec;
using sentry::oci::NetworkMode;
using sentry::oci::parse_config;

namespace {

json base_config() {
  json c = sentry::oci::default_config(false);
  c["root"]["path"] = "/";
  c["process"]["args"] = {"/bin/true"};
  return c;
}

}  // namespace

TEST_CASE("oci bundle: runc's default config maps onto sentry's options") {
  std::string error;
  json c = base_config();
  c["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"}, {"soft", 512}, {"hard", 1024}}};
  auto s = parse_config(c, "/b", &error);
  REQUIRE(s);
  CHECK(s->args == std::vector<std::string>{"/bin/true"});
  CHECK(s->cwd == "/");
  CHECK(s->terminal);
  CHECK(s->root == "/");
  CHECK(s->root_readonly);
  CHECK(s->hostname == "sentry");
  CHECK(s->network == NetworkMode::kPrivate);
  CHECK(s->binds.empty());  // /proc, /dev, /sys: sentry's own
  REQUIRE(s->rlimits.size() == 1);
  CHECK(s->rlimits[0].resource == RLIMIT_NOFILE);
  CHECK(s->rlimits[0].soft == 512);
  CHECK(s->rlimits[0].hard == 1024);
  CHECK_FALSE(s->cpus);
}

TEST_CASE("oci bundle: a relative root is the bundle's; binds keep ro") {
  sentry::test::TempDir dir;
  std::filesystem::create_directory(dir.path() + "/rootfs");
  std::string error;
  json c = base_config();
  c["root"]["path"] = "rootfs";
  c["mounts"].push_back({{"destination", "/data"}, {"type", "bind"}, {"source", "/srv"}, {"options", {"rbind", "ro"}}});
  c["mounts"].push_back({{"destination", "/etc/hosts"}, {"type", "bind"}, {"source", "hosts"}, {"options", {"bind"}}});
  auto s = parse_config(c, dir.path(), &error);
  REQUIRE(s);
  CHECK(s->root == dir.path() + "/rootfs");
  CHECK(s->binds == std::vector<std::string>{"/srv:/data:ro", dir.path() + "/hosts:/etc/hosts:rw"});
  // With a user namespace the container's root is an ordinary host uid: its
  // volumes keep the host's ids (not idmapped), as with runc, unless a mount
  // asks for an idmap.
  c["linux"]["namespaces"].push_back({{"type", "user"}});
  c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  c["linux"]["gidMappings"] = c["linux"]["uidMappings"];
  c["mounts"].push_back({{"destination", "/own"}, {"type", "bind"}, {"source", "/srv"}, {"options", {"rbind", "idmap"}}});
  s = parse_config(c, dir.path(), &error);
  REQUIRE(s);
  CHECK(s->binds == std::vector<std::string>{"/srv:/data:ro,hostids", dir.path() + "/hosts:/etc/hosts:rw,hostids",
                                             "/srv:/own:rw"});
}

TEST_CASE("oci bundle: resources become the machine the guest sees and the tree's limits") {
  std::string error;
  json c = base_config();
  c["linux"]["resources"] = {{"cpu", {{"quota", 150000}, {"period", 100000}}},
                             {"memory", {{"limit", 1 << 30}}},
                             {"pids", {{"limit", 64}}}};
  auto s = parse_config(c, "/b", &error);
  REQUIRE(s);
  CHECK(s->cpus == 2);  // 1.5 CPUs of time: 2 CPUs to run on
  CHECK(s->cpu_quota_us == 150000u);  // and at most 1.5 CPUs of time (per 100 ms)
  CHECK(s->memory_limit == (1u << 30));
  CHECK(s->pids_limit == 64u);
  c["linux"]["resources"] = {{"cpu", {{"cpus", "0-2,5"}}}};
  s = parse_config(c, "/b", &error);
  REQUIRE(s);
  CHECK(s->cpus == 4);
  c["linux"]["resources"] = {{"cpu", {{"cpus", "3-1"}}}};
  CHECK_FALSE(parse_config(c, "/b", &error));
  CHECK(error.find("not a CPU list") != std::string::npos);
}

TEST_CASE("oci bundle: namespaces: network may be joined, no other") {
  std::string error;
  json c = base_config();
  c["linux"]["namespaces"] = {{{"type", "network"}, {"path", "/run/netns/x"}}, {{"type", "pid"}}};
  auto s = parse_config(c, "/b", &error);
  REQUIRE(s);
  CHECK(s->network == NetworkMode::kJoin);
  CHECK(s->netns_path == "/run/netns/x");
  c["linux"]["namespaces"] = {{{"type", "pid"}}};
  s = parse_config(c, "/b", &error);
  REQUIRE(s);
  CHECK(s->network == NetworkMode::kHost);
  c["linux"]["namespaces"] = {{{"type", "ipc"}, {"path", "/proc/1/ns/ipc"}}};
  CHECK_FALSE(parse_config(c, "/b", &error));
  CHECK(error.find("joining an existing ipc namespace") != std::string::npos);
  c["linux"]["namespaces"] = {{{"type", "bogus"}}};
  CHECK_FALSE(parse_config(c, "/b", &error));
  CHECK(error.find("unknown type bogus") != std::string::npos);
}

TEST_CASE("oci bundle: user namespace maps give the host base of container id 0") {
  std::string error;
  json c = base_config();
  c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  c["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  auto s = parse_config(c, "/b", &error);
  REQUIRE(s);
  CHECK(s->host_uid_base == 100000u);
  CHECK(s->id_count == 65536u);
  c["linux"]["gidMappings"][0]["hostID"] = 200000;
  CHECK_FALSE(parse_config(c, "/b", &error));
}

TEST_CASE("oci bundle: what sentry cannot do is an error; what it leaves to its policy is logged") {
  std::string error;
  json c = base_config();
  c["mounts"].push_back({{"destination", "/run"}, {"type", "tmpfs"}, {"source", "tmpfs"},
                         {"options", {"nosuid", "mode=755", "size=65536k"}}});
  auto t = parse_config(c, "/b", &error);
  REQUIRE(t);
  CHECK(t->tmpfs == std::vector<std::string>{"/run:mode=755,size=65536k"});
  c["mounts"].push_back({{"destination", "/mnt"}, {"type", "nfs"}, {"source", "server:/x"}});
  CHECK_FALSE(parse_config(c, "/b", &error));
  CHECK(error.find("nfs mount at /mnt is not supported") != std::string::npos);
  c = base_config();
  c["hooks"] = {{"prestart", {{{"path", "/bin/true"}}}}};
  CHECK_FALSE(parse_config(c, "/b", &error));
  CHECK(error.find("hooks.prestart") != std::string::npos);
  c = base_config();
  c["process"].erase("args");
  CHECK_FALSE(parse_config(c, "/b", &error));
  c = base_config();
  c["process"]["cwd"] = "relative";
  CHECK_FALSE(parse_config(c, "/b", &error));
  c = base_config();
  c["ociVersion"] = "0.9";
  CHECK_FALSE(parse_config(c, "/b", &error));
  c = base_config();
  c["root"]["path"] = "/no/such/dir";
  CHECK_FALSE(parse_config(c, "/b", &error));
  c = base_config();
  c["process"]["rlimits"] = {{{"type", "RLIMIT_BOGUS"}, {"soft", 1}, {"hard", 1}}};
  CHECK_FALSE(parse_config(c, "/b", &error));
  c = base_config();
  c["linux"]["seccomp"] = {{"defaultAction", "SCMP_ACT_ERRNO"}};
  c["vendorField"] = 1;
  auto s = parse_config(c, "/b", &error);
  REQUIRE(s);
  auto logged = [&](const std::string& what) {
    for (const std::string& i : s->ignored)
      if (i.rfind(what, 0) == 0) return true;
    return false;
  };
  CHECK(logged("linux.seccomp"));
  CHECK(logged("vendorField"));
}

TEST_CASE("oci state: ids, existence, status from the monitor's liveness") {
  sentry::test::TempDir root;
  std::string error;
  CHECK_FALSE(sentry::oci::StateDir::create(root.path(), "../x", &error));
  CHECK_FALSE(sentry::oci::StateDir::open(root.path(), "nope", &error));
  CHECK(error == "container nope does not exist");
  auto dir = sentry::oci::StateDir::create(root.path(), "c1", &error);
  REQUIRE(dir);
  CHECK_FALSE(sentry::oci::StateDir::create(root.path(), "c1", &error));
  CHECK(error == "container with id c1 already exists");
  sentry::oci::ContainerState st;
  st.id = "c1";
  CHECK(dir->status(st) == sentry::oci::Status::kCreating);
  st.pid = getpid();
  st.start_time = sentry::oci::live_start_time(getpid());
  REQUIRE(st.start_time != 0);
  REQUIRE(dir->save(st, &error));
  auto loaded = dir->load(&error);
  REQUIRE(loaded);
  CHECK(dir->status(*loaded) == sentry::oci::Status::kCreated);
  dir->mark_started();
  CHECK(dir->status(*loaded) == sentry::oci::Status::kRunning);
  loaded->start_time += 1;  // another process with the same pid
  CHECK(dir->status(*loaded) == sentry::oci::Status::kStopped);
  CHECK(sentry::oci::state_json(*loaded, sentry::oci::Status::kStopped)["pid"] == 0);
}

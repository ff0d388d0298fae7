#include "sentry/oci/bundle.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

namespace sentry::oci {

namespace {

using nlohmann::json;

// A configuration error, caught once at the top.
struct Bad {
  std::string what;
};

const json* member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

template <typename T>
T get(const json& v, const std::string& where) {
  try {
    return v.get<T>();
  } catch (const json::exception&) {
    throw Bad{where + ": wrong type (" + std::string(v.type_name()) + ")"};
  }
}

std::string absolute_in(const std::string& bundle, const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  return bundle + "/" + path;
}

int rlimit_resource(const std::string& name) {
  static const std::map<std::string, int> kNames = {
      {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_STACK", RLIMIT_STACK},
      {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME}};
  auto it = kNames.find(name);
  return it == kNames.end() ? -1 : it->second;
}

// The number of CPUs in a cpuset list such as "0-3,6".
int count_cpuset(const std::string& list) {
  int n = 0;
  std::size_t at = 0;
  while (at < list.size()) {
    std::size_t comma = list.find(',', at);
    if (comma == std::string::npos) comma = list.size();
    const std::string part = list.substr(at, comma - at);
    const std::size_t dash = part.find('-');
    try {
      if (dash == std::string::npos) {
        (void)std::stoi(part);
        n += 1;
      } else {
        const int lo = std::stoi(part.substr(0, dash)), hi = std::stoi(part.substr(dash + 1));
        if (hi < lo) throw Bad{};
        n += hi - lo + 1;
      }
    } catch (...) {
      throw Bad{"linux.resources.cpu.cpus: not a CPU list: " + list};
    }
    at = comma + 1;
  }
  return n;
}

bool has_option(const json* options, const char* name) {
  if (options == nullptr || !options->is_array()) return false;
  for (const json& o : *options)
    if (o.is_string() && o.get<std::string>() == name) return true;
  return false;
}

// Mounts sentry's namespace builder makes itself (vfs/namespace_builder.h):
// the engine's request for them is met by sentry's own.
bool built_by_sentry(const std::string& destination) {
  static const std::set<std::string> kOwn = {"/proc", "/sys", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                             "/sys/fs/cgroup"};
  return kOwn.count(destination) != 0;
}

void parse_process(const json& p, ContainerSpec& s) {
  if (const json* a = member(p, "args")) s.args = get<std::vector<std::string>>(*a, "process.args");
  if (s.args.empty()) throw Bad{"process.args: the container needs a program to run"};
  if (const json* e = member(p, "env")) s.env = get<std::vector<std::string>>(*e, "process.env");
  if (const json* c = member(p, "cwd")) s.cwd = get<std::string>(*c, "process.cwd");
  if (s.cwd.empty() || s.cwd[0] != '/') throw Bad{"process.cwd: must be an absolute path (got \"" + s.cwd + "\")"};
  if (const json* t = member(p, "terminal")) s.terminal = get<bool>(*t, "process.terminal");
  if (const json* u = member(p, "user")) {
    if (const json* v = member(*u, "uid")) s.uid = get<std::uint32_t>(*v, "process.user.uid");
    if (const json* v = member(*u, "gid")) s.gid = get<std::uint32_t>(*v, "process.user.gid");
    if (const json* v = member(*u, "additionalGids"); v && !v->empty())
      s.ignored.push_back("process.user.additionalGids: the guest starts with no supplementary groups");
    if (member(*u, "umask")) s.ignored.push_back("process.user.umask: the guest keeps the runtime's umask");
  }
  if (const json* r = member(p, "rlimits")) {
    for (const json& l : *r) {
      const std::string type = get<std::string>(l.value("type", json()), "process.rlimits[].type");
      const int res = rlimit_resource(type);
      if (res < 0) throw Bad{"process.rlimits: unknown limit " + type};
      s.rlimits.push_back({res, get<rlim_t>(l.value("soft", json(0)), type + ".soft"),
                           get<rlim_t>(l.value("hard", json(0)), type + ".hard")});
    }
  }
  if (member(p, "capabilities"))
    s.ignored.push_back("process.capabilities: the guest is root of its own user namespace and holds no "
                        "host capability (docs/security.md)");
  if (const json* n = member(p, "noNewPrivileges"); n && !get<bool>(*n, "process.noNewPrivileges"))
    s.ignored.push_back("process.noNewPrivileges=false: sentry always sets no_new_privs");
  for (const char* k : {"apparmorProfile", "selinuxLabel", "oomScoreAdj", "ioPriority", "scheduler"})
    if (member(p, k)) s.ignored.push_back(std::string("process.") + k + ": not applied by sentry");
}

void parse_mounts(const json& mounts, ContainerSpec& s) {
  for (const json& m : mounts) {
    const std::string dest = get<std::string>(m.value("destination", json("")), "mounts[].destination");
    if (dest.empty() || dest[0] != '/') throw Bad{"mounts: destination must be absolute (got \"" + dest + "\")"};
    const std::string type = m.contains("type") ? get<std::string>(m["type"], "mounts[].type") : "";
    const json* options = member(m, "options");
    const bool bind = type == "bind" || has_option(options, "bind") || has_option(options, "rbind");
    if (built_by_sentry(dest)) {
      s.ignored.push_back("mount " + dest + " (" + (type.empty() ? "bind" : type) + "): sentry builds its own");
      continue;
    }
    if (type == "tmpfs" && !bind) {
      std::string data;
      if (options != nullptr && options->is_array()) {
        for (const json& o : *options) {
          if (!o.is_string()) continue;
          const std::string opt = o.get<std::string>();
          const std::string key = opt.substr(0, opt.find('='));
          if (key == "mode" || key == "size" || key == "nr_inodes") data += (data.empty() ? "" : ",") + opt;
        }
      }
      s.tmpfs.push_back(dest + ":" + data);
      continue;
    }
    if (!bind) {
      throw Bad{"mounts: a " + (type.empty() ? std::string("typeless") : type) + " mount at " + dest +
                " is not supported (sentry mounts binds and tmpfs; it builds /proc, /sys and /dev itself)"};
    }
    std::string source = get<std::string>(m.value("source", json("")), "mounts[].source");
    if (source.empty()) throw Bad{"mounts: the bind at " + dest + " has no source"};
    source = absolute_in(s.bundle, source);
    // With a user namespace the container's root is an ordinary host uid:
    // its volumes show the host's ids (host root's files are nobody's), as
    // with runc, unless the mount asks to be idmapped. Without one the
    // container's root is host root to runc: idmapped binds give it that.
    const bool idmap = has_option(options, "idmap") || has_option(options, "ridmap") || member(m, "uidMappings");
    s.binds.push_back(source + ":" + dest + (has_option(options, "ro") ? ":ro" : ":rw") +
                      (s.host_uid_base && !idmap ? ",hostids" : ""));
  }
}

std::optional<std::uint32_t> base_for_zero(const json* maps, const char* what, std::optional<std::uint32_t>* size) {
  if (maps == nullptr) return std::nullopt;
  for (const json& m : *maps) {
    if (m.value("containerID", 1u) == 0) {
      *size = m.value("size", 0u);
      return m.value("hostID", 0u);
    }
  }
  throw Bad{std::string(what) + ": no mapping for container id 0"};
}

void parse_linux(const json& l, ContainerSpec& s) {
  bool network_listed = false;
  if (const json* ns = member(l, "namespaces")) {
    for (const json& n : *ns) {
      const std::string type = get<std::string>(n.value("type", json("")), "linux.namespaces[].type");
      const std::string path = n.contains("path") ? get<std::string>(n["path"], "namespace path") : "";
      static const std::set<std::string> kKnown = {"pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time"};
      if (!kKnown.count(type)) throw Bad{"linux.namespaces: unknown type " + type};
      if (type == "network") {
        network_listed = true;
        s.network = path.empty() ? NetworkMode::kPrivate : NetworkMode::kJoin;
        s.netns_path = path;
        continue;
      }
      if (!path.empty())
        throw Bad{"linux.namespaces: joining an existing " + type + " namespace (" + path +
                  ") is not supported; sentry makes the container's own (only network may be joined)"};
    }
  }
  if (!network_listed) s.network = NetworkMode::kHost;
  std::optional<std::uint32_t> usize, gsize;
  s.host_uid_base = base_for_zero(member(l, "uidMappings"), "linux.uidMappings", &usize);
  s.host_gid_base = base_for_zero(member(l, "gidMappings"), "linux.gidMappings", &gsize);
  if (s.host_uid_base.has_value() != s.host_gid_base.has_value())
    throw Bad{"linux.uidMappings and linux.gidMappings: give both or neither"};
  if (s.host_uid_base && *s.host_uid_base != *s.host_gid_base)
    throw Bad{"linux.uidMappings/gidMappings: sentry maps uids and gids to the same host base"};
  if (usize) s.id_count = std::min(*usize, gsize.value_or(*usize));
  if (const json* r = member(l, "resources")) {
    if (const json* cpu = member(*r, "cpu")) {
      const json* quota = member(*cpu, "quota");
      const json* period = member(*cpu, "period");
      if (quota && get<long long>(*quota, "linux.resources.cpu.quota") > 0) {
        const long long q = get<long long>(*quota, "quota");
        const long long p = period ? get<long long>(*period, "linux.resources.cpu.period") : 100000;
        if (p <= 0) throw Bad{"linux.resources.cpu.period: must be more than 0"};
        s.cpus = static_cast<int>(std::max<long long>(1, (q + p - 1) / p));
        // And a hard limit, in sentry's period: quota/period CPUs of time.
        s.cpu_quota_us = static_cast<std::uint64_t>(std::max<long long>(1000, q * 100000 / p));
      }
      if (const json* set = member(*cpu, "cpus"); set && !get<std::string>(*set, "cpus").empty()) {
        const int n = count_cpuset(set->get<std::string>());
        s.cpus = s.cpus ? std::min(*s.cpus, n) : n;
      }
      if (member(*cpu, "shares")) s.ignored.push_back("linux.resources.cpu.shares: not applied");
    }
    if (const json* mem = member(*r, "memory")) {
      if (const json* lim = member(*mem, "limit"); lim && get<long long>(*lim, "linux.resources.memory.limit") > 0)
        s.memory_limit = lim->get<std::uint64_t>();
    }
    if (const json* pids = member(*r, "pids")) {
      if (const json* lim = member(*pids, "limit"); lim && get<long long>(*lim, "linux.resources.pids.limit") > 0)
        s.pids_limit = lim->get<std::uint64_t>();
    }
    if (member(*r, "devices")) s.ignored.push_back("linux.resources.devices: sentry's /dev holds only its own nodes");
    for (const char* k : {"blockIO", "hugepageLimits", "network", "rdma", "unified"})
      if (member(*r, k)) s.ignored.push_back(std::string("linux.resources.") + k + ": not applied");
  }
  if (member(l, "seccomp"))
    s.ignored.push_back("linux.seccomp: sentry's own filter and model decide every call (docs/security.md)");
  if (member(l, "cgroupsPath"))
    s.ignored.push_back("linux.cgroupsPath: sentry makes the tree's cgroup below its own when limits are set");
  for (const char* k : {"maskedPaths", "readonlyPaths", "mountLabel", "rootfsPropagation", "devices", "sysctl",
                        "intelRdt", "personality"})
    if (member(l, k)) s.ignored.push_back(std::string("linux.") + k + ": not applied (sentry's /proc, /sys and /dev "
                                                                  "are its own)");
}

}  // namespace

std::optional<ContainerSpec> parse_config(const json& config, const std::string& bundle, std::string* error) {
  ContainerSpec s;
  s.bundle = bundle;
  try {
    if (!config.is_object()) throw Bad{"config.json: not a JSON object"};
    const std::string version = config.value("ociVersion", std::string());
    if (version.rfind("1.", 0) != 0) throw Bad{"ociVersion: \"" + version + "\" is not a 1.x runtime spec version"};
    const json* process = member(config, "process");
    if (process == nullptr) throw Bad{"process: missing (the container needs a program to run)"};
    parse_process(*process, s);
    const json* root = member(config, "root");
    if (root == nullptr || !member(*root, "path")) throw Bad{"root.path: missing"};
    s.root = absolute_in(bundle, get<std::string>((*root)["path"], "root.path"));
    if (const json* ro = member(*root, "readonly")) s.root_readonly = get<bool>(*ro, "root.readonly");
    struct stat st;
    if (stat(s.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw Bad{"root.path: no directory " + s.root};
    if (const json* h = member(config, "hostname")) s.hostname = get<std::string>(*h, "hostname");
    if (const json* l = member(config, "linux")) parse_linux(*l, s);  // mounts depend on the user namespace
    if (const json* m = member(config, "mounts")) parse_mounts(*m, s);
    if (const json* hooks = member(config, "hooks")) {
      for (auto it = hooks->begin(); it != hooks->end(); ++it)
        if (!it.value().empty()) throw Bad{"hooks." + it.key() + ": hooks are not supported by sentry"};
    }
    if (const json* a = member(config, "annotations"))
      s.annotations = get<std::map<std::string, std::string>>(*a, "annotations");
    if (auto it = s.annotations.find(kAnnotationCpus); it != s.annotations.end()) {
      try {
        s.cpus = std::stoi(it->second);
      } catch (...) {
        throw Bad{std::string("annotation ") + kAnnotationCpus + ": not a number: " + it->second};
      }
    }
    static const std::set<std::string> kKnown = {"ociVersion", "process", "root", "hostname", "domainname",
                                                 "mounts", "linux", "hooks", "annotations"};
    for (auto it = config.begin(); it != config.end(); ++it)
      if (!kKnown.count(it.key())) s.ignored.push_back(it.key() + ": not a field sentry knows (ignored, as the spec asks)");
  } catch (const Bad& b) {
    *error = b.what;
    return std::nullopt;
  }
  return s;
}

std::optional<ContainerSpec> load_bundle(const std::string& bundle, std::string* error) {
  std::error_code ec;
  const std::string dir = std::filesystem::absolute(bundle, ec).lexically_normal().string();
  std::ifstream in(dir + "/config.json");
  if (!in) {
    *error = "cannot read " + dir + "/config.json";
    return std::nullopt;
  }
  json config = json::parse(in, nullptr, false);
  if (config.is_discarded()) {
    *error = dir + "/config.json: not valid JSON";
    return std::nullopt;
  }
  std::string path = dir;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return parse_config(config, path, error);
}

json default_config(bool rootless) {
  json c = {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", true},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", {"sh"}},
        {"env", {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"}},
        {"cwd", "/"},
        {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
        {"noNewPrivileges", true}}},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "sentry"},
      {"mounts",
       {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}},
        {{"destination", "/dev"}, {"type", "tmpfs"}, {"source", "tmpfs"},
         {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}},
        {{"destination", "/dev/pts"}, {"type", "devpts"}, {"source", "devpts"},
         {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}}},
        {{"destination", "/dev/shm"}, {"type", "tmpfs"}, {"source", "shm"},
         {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}},
        {{"destination", "/sys"}, {"type", "sysfs"}, {"source", "sysfs"},
         {"options", {"nosuid", "noexec", "nodev", "ro"}}}}},
      {"linux",
       {{"namespaces",
         {{{"type", "pid"}}, {{"type", "network"}}, {{"type", "ipc"}}, {{"type", "uts"}}, {{"type", "mount"}}}}}}};
  if (rootless) {
    c["linux"]["namespaces"].push_back({{"type", "user"}});
    c["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", getuid()}, {"size", 1}}};
    c["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", getgid()}, {"size", 1}}};
  }
  return c;
}

}  // namespace sentry::oci

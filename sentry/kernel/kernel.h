// The kernel model every handler works on: the process tree and, as they land,
// the fd tables, futexes, scheduling state, credentials and limits. Handlers get
// a Kernel& and the Syscall; they never reach the host but through it.
#pragma once

#include <boost/asio/io_context.hpp>

#include "sentry/kernel/process_tree.h"

namespace sentry::kernel {

struct Kernel {
  explicit Kernel(boost::asio::io_context& io_context) : io(io_context) {}
  boost::asio::io_context& io;  // timers for timeouts; never blocked
  ProcessTree tree;
};

}  // namespace sentry::kernel

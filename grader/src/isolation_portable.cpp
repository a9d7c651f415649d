// Isolation of the sandbox child where the Linux confinement is not compiled in (macOS, other POSIX
// systems, or a Linux build configured with -DCELAB_LINUX_CONFINEMENT=OFF, the `portable` preset).
//
// Nothing is installed: the child still runs in its own process, in its own process group, with the
// memory, CPU-time and wall-clock limits of sandbox.cpp, so every verdict is the same; but it could
// start processes, signal other processes of the same user, read the course's files (hidden cases, solutions)
// and write files. The report says so once
// (confinement_note()).
#include "isolation.hpp"

namespace celab::grader::sandbox {

Isolation isolate_current_process(pid_t, const std::vector<std::string>&) { return Isolation{}; }

IsolationSupport isolation_support() { return IsolationSupport{}; }

const char* confinement_note() {
    return "sandbox: portable fallback (separate process, memory and CPU limits, timeouts): the verdicts are the "
           "same, but the Linux-only confinement (no new processes, no reading of the course's files, no writes to disk) is "
           "not available in this build";
}

}  // namespace celab::grader::sandbox

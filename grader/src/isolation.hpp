// Isolation of the sandbox child (see sandbox.hpp for what the child can and cannot do).
//
// isolate_current_process() is called by the sandbox child after fork(), once its pipes, process group
// and rlimits are set up and just before it runs untrusted code. It is best effort: whatever the kernel
// lacks is skipped, and nothing here ever fails the run.
//
// Two implementations, chosen by CMake (grader/sandbox.cmake, option CELAB_LINUX_CONFINEMENT):
// isolation_linux.cpp (seccomp + Landlock, Linux only, the default there) and isolation_portable.cpp
// (nothing: the portable fallback for macOS, also buildable on Linux with the `portable` preset).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace celab::grader::sandbox {

// What isolate_current_process() managed to install.
struct Isolation {
    bool no_new_privs = false;  // prctl(PR_SET_NO_NEW_PRIVS): needed by both of the below
    bool landlock = false;      // the Landlock ruleset is enforced: write nowhere, read only the system's
                                // libraries, the process's own /proc entry and the `readable` paths
    int landlock_abi = 0;       // the kernel's Landlock ABI version (0: no Landlock)
    bool seccomp = false;       // the syscall filter is installed (x86_64 only)
};

// Confines the calling process, which must be single-threaded (a freshly forked child): no new
// processes, no signals or ptrace to anyone else, no writes to the file system, and no reads of it
// beyond the system's shared libraries, its own /proc/PID and `readable` (files or folders, e.g. the
// submission library; missing ones are skipped). `self` is its pid.
Isolation isolate_current_process(pid_t self, const std::vector<std::string>& readable);

// What this kernel and build offer, asked without changing anything (tests use it to know what to expect).
struct IsolationSupport {
    bool seccomp = false;  // seccomp filters are available and this build has a filter (x86_64)
    int landlock_abi = 0;  // 0: no Landlock: the child can write and read files (hidden cases, solutions)
};
IsolationSupport isolation_support();

// Empty when this build confines the child (the Linux implementation); otherwise one sentence for the
// report saying that the portable fallback runs the code with weaker confinement and the same verdicts.
const char* confinement_note();

}  // namespace celab::grader::sandbox

// The sandbox: runs untrusted code (a submission library) in a forked child process.
//
// The child gets its own process group, stdin from /dev/null, stdout+stderr into one capture pipe,
// an address-space limit, a CPU-time backstop and no core dumps, and no other file descriptor of the
// parent (run() may be called from several threads at once: no child holds a sibling's pipes). It talks to the parent only through
// a Channel: length-prefixed messages on a separate pipe. The parent only ever receives bytes, so a
// crashing, looping, forking or lying child cannot corrupt it: whatever the child does, run()
// returns an Outcome that says how it ended and what it sent.
//
// Isolation (Limits::isolate, on by default; isolation.hpp), installed just before child_main runs.
// The child CAN: read and list files, dlopen libraries, mmap, allocate, compute, start threads
// (std::thread, OpenMP), signal itself (raise(), abort()), write to the fds it already has (the
// capture and message pipes), exec a program (which stays just as confined).
// The child CANNOT (the call fails with EPERM/EACCES, it is not killed):
//   - create processes: fork(), vfork(), posix_spawn(), system(), clone without CLONE_THREAD (seccomp);
//   - signal or trace anyone else: kill/tgkill/tkill/sigqueue to another pid, pidfd_open/send_signal,
//     ptrace, process_vm_readv/writev, SIGIO ownership (F_SETOWN, F_SETSIG, FIOSETOWN), TIOCSTI,
//     prlimit on another process (seccomp; Landlock's signal scope too where the kernel has ABI >= 6);
//   - leave its process group or session (setsid, setpgid), unshare or setns;
//   - write to the file system anywhere: create, open for writing, truncate, rename, link, delete,
//     mkdir, mknod, symlink (Landlock with no allowed path, including /dev/null and /proc).
// Best effort: without Landlock (Linux < 5.13 or disabled) writes stay possible; the seccomp filter
// exists for x86_64 only. Elsewhere (macOS) and in the `portable` preset (CELAB_LINUX_CONFINEMENT=OFF)
// none of this is compiled in: the child is a separate process with the limits above, so the verdicts
// are the same, but it could start processes and write files; confinement_note() (isolation.hpp) says
// so in the report. Still missing: network access (sockets), SysV IPC, renicing other processes.
// Under AddressSanitizer, LeakSanitizer's exit-time check is off in the isolated child (it needs a
// non-thread clone and ptrace), and ASan cannot spawn its symbolizer there (frames print unsymbolized).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace celab::grader::sandbox {

// Time: the child is stopped when it has used timeout_seconds of CPU time (all its threads), so a
// verdict does not depend on how busy the machine is; a child that sleeps or blocks uses no CPU and
// is stopped by the wall-clock backstop instead (wall_seconds, or 4 x timeout + 5 s when 0).
struct Limits {
    double timeout_seconds = 5.0;                     // CPU time for one run() call
    double wall_seconds = 0.0;                        // wall-clock backstop; 0: backstop_seconds(timeout)
    std::size_t memory_bytes = std::size_t(2) << 30;  // address-space limit of the child; 0 = none
                                                      // (never applied under AddressSanitizer)
    std::size_t output_bytes = 8192;                  // captured stdout+stderr kept; the rest is dropped
    bool isolate = true;  // seccomp filter + Landlock in the child (see above); false only for debugging
};

enum class End { exited, signaled, timed_out, failed_to_start };

struct Outcome {
    End end = End::failed_to_start;
    int exit_code = 0;                  // when exited (70: an exception escaped child_main)
    int signal = 0;                     // when signaled (SIGKILL after a timeout is reported as timed_out)
    std::string signal_name;            // "SIGSEGV", "SIGABRT", ... (stable names, not strsignal)
    std::vector<std::string> messages;  // every COMPLETE message the child sent, in order
    std::string output;                 // what the child printed on stdout+stderr (first output_bytes)
    bool output_truncated = false;
    double seconds = 0.0;               // wall clock
    double cpu_seconds = 0.0;           // CPU time the child used (user + system, all threads)
    bool wall_clock_ran_out = false;    // timed_out by the backstop, not by the CPU limit
    std::string error;  // failed_to_start / protocol problems (oversized or unfinished message), else empty
};

// Exit code of a child whose child_main let an exception escape (its what() goes to the captured output).
inline constexpr int exit_code_uncaught_exception = 70;
// Largest message a child may announce; a larger claimed length is a protocol error and kills the child.
inline constexpr std::size_t max_message_bytes = std::size_t(256) << 20;

// The child's side of the message pipe: each send() writes one framed message (8-byte length, then
// the bytes). Only run() creates channels.
class Channel {
public:
    void send(const std::string& bytes);

    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

private:
    explicit Channel(int fd) : fd_(fd) {}
    int fd_;
    friend Outcome run(const std::function<void(Channel&)>& child_main, const Limits& limits);
};

// The wall-clock backstop for a CPU-time limit: generous, so that a busy machine (many grading jobs on
// few cores) never stops code that would finish, yet a child that sleeps forever ends.
double backstop_seconds(double cpu_seconds);

// Forks, runs child_main(channel) in the child and waits for it to end (or kills it, together with
// everything it forked, once it has used limits.timeout_seconds of CPU time or the wall-clock backstop
// has passed). Never throws for anything the child does.
Outcome run(const std::function<void(Channel&)>& child_main, const Limits& limits);

// "SIGSEGV" for SIGSEGV and so on; "SIG<n>" for a signal without a stable name.
std::string signal_name(int signal);
// "exited", "signaled", "timed_out", "failed_to_start".
const char* name(End end);

}  // namespace celab::grader::sandbox

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
// The child CAN: read the system's shared libraries and Limits::readable (the submission library),
// dlopen libraries, mmap, allocate, compute, start threads (std::thread, OpenMP), signal itself
// (raise(), abort()), read its own /proc/self, write to the fds it already has (the capture and
// message pipes).
// The child CANNOT (the call fails with EPERM/EACCES, it is not killed):
//   - create processes: fork(), vfork(), posix_spawn(), system(), clone without CLONE_THREAD (seccomp);
//   - signal or trace anyone else: kill/tgkill/tkill/sigqueue to another pid, pidfd_open/send_signal,
//     ptrace, process_vm_readv/writev, SIGIO ownership (F_SETOWN, F_SETSIG, FIOSETOWN), TIOCSTI,
//     prlimit on another process (seccomp; Landlock's signal scope too where the kernel has ABI >= 6);
//   - leave its process group or session (setsid, setpgid), unshare or setns;
//   - open sockets, or leave anything behind outside the file system: SysV shared memory, message
//     queues, semaphores, POSIX message queues, keyrings (seccomp);
//   - write to the file system anywhere: create, open for writing, truncate, rename, link, delete,
//     mkdir, mknod, symlink (Landlock with no allowed path, including /dev/null and /proc);
//   - read or list anything else: the course (hidden cases, solutions/, other students' folders), the
//     grader's files, other processes' /proc entries (the parent's environ and mem), or execute any
//     program (Landlock: only reading is granted, only beneath the paths above);
//   - see the grader's environment: environ holds Limits::environment only, and the strings of the old
//     one (and the process's original environment block, /proc/self/environ) are overwritten with zeros.
// What the child's memory holds is the caller's business: fork() copies the grader's whole address space
// (grade.cpp wipes the cases the child does not run; docs/sandbox.md says what remains).
// Best effort: without Landlock (Linux < 5.13 or disabled) writes and reads stay possible; the seccomp filter
// exists for x86_64 only. Elsewhere (macOS) and in the `portable` preset (CELAB_LINUX_CONFINEMENT=OFF)
// none of this is compiled in (but the environment is still replaced): the child is a separate process
// with the limits above, so the verdicts are the same, but it could start processes, read and write files; confinement_note() (isolation.hpp) says
// so in the report. Still missing: renicing other processes. docs/sandbox.md: what remains possible.
// Under AddressSanitizer, LeakSanitizer's exit-time check is off in the isolated child (it needs a
// non-thread clone and ptrace), and ASan cannot spawn its symbolizer there (frames print unsymbolized).
#pragma once

#include "sanitizer.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace celab::grader::sandbox {

// The CPU time one exercise may use unless --timeout says otherwise: 5 s, longer in a sanitizer build.
inline constexpr double default_timeout_seconds = 5.0 * build_slowdown;
// The same, as the help texts of ./grade and ./course grade print it ("5", or "20" under AddressSanitizer).
inline std::string default_timeout_text() { return std::to_string(static_cast<int>(default_timeout_seconds)); }

// How many threads of the grader may run children at once, of `wanted`. Under AddressSanitizer, one:
// GCC 12's libasan (LLVM 14) does not hold its allocator's locks across fork() (LLVM 18 does, llvm-project
// pull request 75290), so a child forked while another thread of the grader allocates can wait forever for
// a lock that no thread of the child will release (the CI saw a correct softmax "time out" that way).
inline unsigned forking_threads(unsigned wanted) { return CELAB_ASAN ? 1u : wanted; }

// Time: the child is stopped when it has used timeout_seconds of CPU time (all its threads), so a
// verdict does not depend on how busy the machine is; a child that sleeps or blocks uses no CPU and
// is stopped by the wall-clock backstop instead (wall_seconds, or 4 x timeout + 5 s when 0).
struct Limits {
    double timeout_seconds = default_timeout_seconds;  // CPU time for one run() call
    double wall_seconds = 0.0;                        // wall-clock backstop; 0: backstop_seconds(timeout)
    std::size_t memory_bytes = std::size_t(2) << 30;  // address-space limit of the child; 0 = none
                                                      // (never applied under AddressSanitizer)
    std::size_t output_bytes = 8192;                  // captured stdout+stderr kept; the rest is dropped
    bool isolate = true;  // seccomp filter + Landlock + a scrubbed environment in the child (see above);
                          // false only for debugging
    // With isolate: what the child may read beside the system's libraries and its own /proc entry
    // (files or folders; the submission library), and its whole environment ("NAME=value" entries).
    std::vector<std::string> readable;
    std::vector<std::string> environment;
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
// The wall-clock limit of `limits`: wall_seconds, or the backstop of its CPU limit when that is 0.
double wall_limit(const Limits& limits);

// Forks, runs child_main(channel) in the child and waits for it to end (or kills it, together with
// everything it forked, once it has used limits.timeout_seconds of CPU time or the wall-clock backstop
// has passed). Never throws for anything the child does.
Outcome run(const std::function<void(Channel&)>& child_main, const Limits& limits);

// "SIGSEGV" for SIGSEGV and so on; "SIG<n>" for a signal without a stable name.
std::string signal_name(int signal);
// "exited", "signaled", "timed_out", "failed_to_start".
const char* name(End end);

}  // namespace celab::grader::sandbox

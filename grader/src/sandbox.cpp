// The sandbox: fork, confine, talk over a pipe, wait with a deadline. See sandbox.hpp.
#include "sandbox.hpp"

#include "isolation.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

// CELAB_LINUX_CONFINEMENT (set by grader/sandbox.cmake): 1 uses Linux-only calls (prctl's parent-death
// signal, pipe2, bigger pipes, pidfd); 0 is plain POSIX, what macOS builds, and what the `portable`
// preset builds on Linux to test that path.
#ifndef CELAB_LINUX_CONFINEMENT
#define CELAB_LINUX_CONFINEMENT 0
#endif
#if CELAB_LINUX_CONFINEMENT
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;  // POSIX: not every <unistd.h> declares it

#include "sanitizer.hpp"
#include "wipe.hpp"

namespace celab::grader::sandbox {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t header_bytes = 8;  // message length, unsigned 64-bit little endian

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// The CPU time (all threads) of a running child, read by the parent: Linux has a clock per process.
// Elsewhere it is unavailable, and the kernel's RLIMIT_CPU in the child (whole seconds) enforces the limit.
class ChildClock {
public:
    explicit ChildClock(pid_t pid) {
#if defined(__linux__)
        available_ = ::clock_getcpuclockid(pid, &clock_) == 0;
#else
        (void)pid;
#endif
    }
    bool available() const { return available_; }
    double seconds() const {
        timespec t{};
        if (!available_ || ::clock_gettime(clock_, &t) != 0) return 0.0;
        return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
    }

private:
    clockid_t clock_{};
    bool available_ = false;
};

double cpu_time(const rusage& u) {
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// pipe2(O_CLOEXEC) where it exists; elsewhere pipe() then FD_CLOEXEC. In between, a child forked by
// another grading thread may inherit the fds; harmless, as the end of a child is seen by waitpid, not EOF.
int make_pipe(int fds[2]) {
#if CELAB_LINUX_CONFINEMENT
    return ::pipe2(fds, O_CLOEXEC);
#else
    if (::pipe(fds) != 0) return -1;
    ::fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    ::fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

// Writes all of [data, data+size) or returns false (the reader is gone).
bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// ---- the child ----------------------------------------------------------------------------

// The fd the child's Channel uses: every other fd above stderr is closed in the child.
constexpr int child_message_fd = 3;

// Closes every fd >= lowest. Needed because the grader runs sandboxes from several threads at once:
// without it a child would inherit the pipes of its siblings and could forge their results.
void close_fds_from(int lowest) {
#if CELAB_LINUX_CONFINEMENT && defined(SYS_close_range)
    if (::syscall(SYS_close_range, static_cast<unsigned>(lowest), ~0U, 0U) == 0) return;
#endif
    // The open fds, listed by /dev/fd (Linux and macOS): a few closes instead of one per possible fd.
    if (DIR* dir = ::opendir("/dev/fd")) {
        const int own = ::dirfd(dir);
        std::vector<int> open;
        while (const dirent* entry = ::readdir(dir)) {
            const int fd = std::atoi(entry->d_name);  // "." and ".." give 0
            if (fd >= lowest && fd != own) open.push_back(fd);
        }
        ::closedir(dir);
        for (const int fd : open) ::close(fd);
        return;
    }
    rlimit files{};
    long last = 65536;
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
        last = static_cast<long>(std::min<rlim_t>(files.rlim_cur, rlim_t(1) << 20));
    for (long fd = lowest; fd < last; ++fd) ::close(static_cast<int>(fd));
}

// The child's environment becomes `environment` only. The strings of the old one are zeroed first (they
// are copies of the grader's: CELAB_* paths, HOME, CI tokens), and on Linux so is the process's original
// environment block (what /proc/self/environ shows; it also holds variables the grader unset since).
void replace_environment(const std::vector<std::string>& environment) {
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) zero_bytes(*entry, std::strlen(*entry));
#if defined(__linux__)
    // Fields 50 and 51 of /proc/self/stat (Linux >= 3.5): env_start, env_end.
    std::ifstream stat("/proc/self/stat");
    std::string line;
    if (std::getline(stat, line) && line.rfind(')') != std::string::npos) {
        std::istringstream fields(line.substr(line.rfind(')') + 2));
        std::string field;
        unsigned long long start = 0, end = 0;
        for (int n = 3; n <= 51 && fields >> field; ++n) {
            if (n == 50) start = std::strtoull(field.c_str(), nullptr, 10);
            if (n == 51) end = std::strtoull(field.c_str(), nullptr, 10);
        }
        if (start != 0 && end > start && end - start < (std::size_t(1) << 24))
            zero_bytes(reinterpret_cast<void*>(static_cast<std::uintptr_t>(start)), static_cast<std::size_t>(end - start));
    }
#endif
    // Leaked on purpose: the child keeps them until it ends.
    auto* strings = new std::vector<std::string>(environment);
    auto* pointers = new std::vector<char*>;
    for (std::string& entry : *strings) pointers->push_back(&entry[0]);
    pointers->push_back(nullptr);
    environ = pointers->data();
}

// Everything the child does between fork() and _exit(). Never returns.
[[noreturn]] void run_child(const std::function<void(Channel&)>& child_main, Channel& channel, int message_write, int capture_write,
                            int closing[2], pid_t parent, const Limits& limits) {
    ::setpgid(0, 0);  // own process group: the parent kills the child and all it forks at once
#if CELAB_LINUX_CONFINEMENT
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // elsewhere an orphan ends at its CPU-time limit
#endif
    if (::getppid() != parent) ::_exit(71);  // the parent died before prctl

    // Default dispositions: a crash must end the child with its signal, not run a handler the
    // parent installed (Boost.Test's would longjmp back into the test runner, ASan's would exit(1)).
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        struct sigaction action {};
        action.sa_handler = SIG_DFL;
        sigemptyset(&action.sa_mask);
        ::sigaction(sig, &action, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);

    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(capture_write, STDOUT_FILENO);
    ::dup2(capture_write, STDERR_FILENO);
    if (null_fd > STDERR_FILENO) ::close(null_fd);
    if (capture_write > STDERR_FILENO) ::close(capture_write);
    ::close(closing[0]);
    ::close(closing[1]);
    // The message pipe becomes fd 3 (close-on-exec, like before), and nothing else stays open.
    if (message_write != child_message_fd) {
        ::dup2(message_write, child_message_fd);
        ::close(message_write);
    }
    ::fcntl(child_message_fd, F_SETFD, FD_CLOEXEC);
    close_fds_from(child_message_fd + 1);

    if (limits.memory_bytes != 0 && !CELAB_ASAN) {
        // ASan reserves terabytes of shadow address space, so an address-space limit would break it.
        const rlimit as{static_cast<rlim_t>(limits.memory_bytes), static_cast<rlim_t>(limits.memory_bytes)};
        ::setrlimit(RLIMIT_AS, &as);
    }
    if (limits.timeout_seconds > 0 && limits.timeout_seconds < 1e6) {
        // A backstop only (the parent's wall clock comes first): SIGXCPU at timeout + 1 s, SIGKILL 1 s later.
        const auto soft = static_cast<rlim_t>(std::ceil(limits.timeout_seconds)) + 1;
        const rlimit cpu{soft, soft + 1};
        ::setrlimit(RLIMIT_CPU, &cpu);
    }
    const rlimit core{0, 0};
    ::setrlimit(RLIMIT_CORE, &core);

    // Last, once everything above (setpgid, opening /dev/null) is done: no processes, no signals to
    // others, no writes to disk from here on. Best effort; what the kernel lacks is skipped.
    if (limits.isolate) {
        replace_environment(limits.environment);
        isolate_current_process(::getpid(), limits.readable);
    }

    int code = 0;
    try {
        child_main(channel);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\n[sandbox] uncaught exception: %s\n", e.what());
        code = exit_code_uncaught_exception;
    } catch (...) {
        std::fprintf(stderr, "\n[sandbox] uncaught exception of unknown type\n");
        code = exit_code_uncaught_exception;
    }
    // _exit skips the parent's atexit handlers and static destructors; flush what the child printed.
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::_exit(code);
}

// ---- the parent -----------------------------------------------------------------------------

// Splits the message pipe's byte stream into messages.
class MessageReader {
public:
    explicit MessageReader(std::vector<std::string>& messages) : messages_(messages) {}

    // Returns false on a protocol error (error() says which).
    bool feed(const char* data, std::size_t size) {
        pending_.append(data, size);
        std::size_t pos = 0;
        while (pending_.size() - pos >= header_bytes) {
            std::uint64_t length = 0;
            for (std::size_t i = 0; i < header_bytes; ++i) {
                length |= std::uint64_t(static_cast<unsigned char>(pending_[pos + i])) << (8 * i);
            }
            if (length > max_message_bytes) {
                error_ = "protocol error: the child announced a message of " + std::to_string(length) +
                         " bytes, more than the limit of " + std::to_string(max_message_bytes) +
                         " bytes; the child was killed";
                pending_.clear();
                return false;
            }
            if (pending_.size() - pos - header_bytes < length) {
                if (pos == 0) pending_.reserve(header_bytes + length);
                break;
            }
            messages_.emplace_back(pending_, pos + header_bytes, length);
            pos += header_bytes + length;
        }
        if (pos > 0) pending_.erase(0, pos);
        return true;
    }

    const std::string& error() const { return error_; }

    // Describes an unfinished message left when the child ended, or "" when there is none.
    std::string unfinished() const {
        if (pending_.empty()) return "";
        if (pending_.size() < header_bytes) {
            return "the child ended in the middle of a message header (" + std::to_string(pending_.size()) +
                   " of 8 bytes); that message was dropped";
        }
        std::uint64_t length = 0;
        for (std::size_t i = 0; i < header_bytes; ++i) {
            length |= std::uint64_t(static_cast<unsigned char>(pending_[i])) << (8 * i);
        }
        return "the child ended in the middle of a message (" + std::to_string(pending_.size() - header_bytes) +
               " of " + std::to_string(length) + " bytes); that message was dropped";
    }

private:
    std::vector<std::string>& messages_;
    std::string pending_;
    std::string error_;
};

enum class Drain { open, eof, protocol_error };

// Reads everything readable now from a non-blocking pipe and hands it to `sink`.
template <typename Sink>
Drain drain(int fd, Sink&& sink) {
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0) {
            if (!sink(buffer, static_cast<std::size_t>(n))) return Drain::protocol_error;
            continue;
        }
        if (n == 0) return Drain::eof;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return Drain::open;
        return Drain::eof;  // a read error: treat like end of file
    }
}

int pidfd_open(pid_t pid) {
#if CELAB_LINUX_CONFINEMENT && defined(SYS_pidfd_open)
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

}  // namespace

void Channel::send(const std::string& bytes) {
    char header[header_bytes];
    const auto length = static_cast<std::uint64_t>(bytes.size());
    for (std::size_t i = 0; i < header_bytes; ++i) header[i] = static_cast<char>((length >> (8 * i)) & 0xffu);
    if (!write_all(fd_, header, header_bytes) || !write_all(fd_, bytes.data(), bytes.size())) {
        throw std::runtime_error(errno_text("sandbox::Channel::send: the parent stopped listening"));
    }
}

Outcome run(const std::function<void(Channel&)>& child_main, const Limits& limits) {
    Outcome out;
    const Clock::time_point start = Clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

    int message_pipe[2] = {-1, -1};
    int capture_pipe[2] = {-1, -1};
    if (make_pipe(message_pipe) != 0 || make_pipe(capture_pipe) != 0) {
        out.error = errno_text("sandbox: cannot create a pipe");
        for (int* fd : {&message_pipe[0], &message_pipe[1], &capture_pipe[0], &capture_pipe[1]}) close_fd(*fd);
        return out;
    }
#if CELAB_LINUX_CONFINEMENT
    ::fcntl(message_pipe[1], F_SETPIPE_SZ, 1 << 20);  // fewer wake-ups for big messages (best effort)
#endif

    // Whatever the parent buffered would otherwise be printed twice, once by each process.
    std::cout.flush();
    std::cerr.flush();
    std::clog.flush();
    std::fflush(nullptr);

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        out.error = errno_text("sandbox: fork failed");
        for (int* fd : {&message_pipe[0], &message_pipe[1], &capture_pipe[0], &capture_pipe[1]}) close_fd(*fd);
        out.seconds = elapsed();
        return out;
    }
    if (pid == 0) {
        Channel channel(child_message_fd);
        int closing[2] = {message_pipe[0], capture_pipe[0]};
        run_child(child_main, channel, message_pipe[1], capture_pipe[1], closing, parent, limits);
    }

    // Also here, so that a kill of the group right after fork() cannot miss the child.
    ::setpgid(pid, pid);
    close_fd(message_pipe[1]);
    close_fd(capture_pipe[1]);
    int message_fd = message_pipe[0];
    int capture_fd = capture_pipe[0];
    set_nonblocking(message_fd);
    set_nonblocking(capture_fd);
    int pidfd = pidfd_open(pid);

    MessageReader reader(out.messages);
    std::size_t dropped = 0;
    const auto keep_output = [&](const char* data, std::size_t size) {
        const std::size_t room = limits.output_bytes - std::min(limits.output_bytes, out.output.size());
        const std::size_t kept = std::min(room, size);
        out.output.append(data, kept);
        dropped += size - kept;
        return true;
    };
    const auto keep_messages = [&](const char* data, std::size_t size) { return reader.feed(data, size); };

    // Two limits: the child's CPU time (what counts: it does not grow when the machine is busy) and a
    // wall-clock backstop for a child that sleeps or blocks. The CPU clock is read between polls.
    const double cpu_budget = limits.timeout_seconds > 0 ? limits.timeout_seconds : 0.0;
    const double wall_budget = wall_limit(limits);
    const Clock::time_point deadline =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wall_budget));
    const ChildClock cpu_clock(pid);
    // The child's CPU time grows at most `cores` seconds per second (threads): sleep no longer than that.
    const double cores = std::max(1u, std::thread::hardware_concurrency());

    bool child_ended = false;  // the child is a zombie (pidfd readable) or already reaped
    bool reaped = false;
    int status = 0;
    rusage usage{};
    bool timed_out = false;
    bool protocol_error = false;

    while (!child_ended) {
        const Clock::time_point now = Clock::now();
        if (now >= deadline) {
            timed_out = true;
            out.wall_clock_ran_out = true;
            break;
        }
        const double cpu_left = cpu_budget - cpu_clock.seconds();
        if (cpu_left <= 0.0) {
            timed_out = true;
            break;
        }
        const double remaining = std::min(std::chrono::duration<double>(deadline - now).count(),
                                          cpu_clock.available() ? std::max(cpu_left / cores, 0.002) : 1e9);
        int wait_ms = static_cast<int>(std::min(std::ceil(remaining * 1000.0), 1e9));
        if (pidfd < 0) wait_ms = std::min(wait_ms, 5);  // no pidfd: fall back to waitpid(WNOHANG) polling

        pollfd fds[3];
        nfds_t count = 0;
        int message_slot = -1, capture_slot = -1, pid_slot = -1;
        if (message_fd >= 0) { message_slot = int(count); fds[count++] = pollfd{message_fd, POLLIN, 0}; }
        if (capture_fd >= 0) { capture_slot = int(count); fds[count++] = pollfd{capture_fd, POLLIN, 0}; }
        if (pidfd >= 0) { pid_slot = int(count); fds[count++] = pollfd{pidfd, POLLIN, 0}; }

        const int ready = ::poll(fds, count, wait_ms);
        if (ready < 0 && errno != EINTR) {
            out.error = errno_text("sandbox: poll failed");
            break;
        }
        if (ready > 0) {
            if (message_slot >= 0 && fds[message_slot].revents != 0) {
                const Drain d = drain(message_fd, keep_messages);
                if (d == Drain::protocol_error) {
                    protocol_error = true;
                    break;
                }
                if (d == Drain::eof) close_fd(message_fd);
            }
            if (capture_slot >= 0 && fds[capture_slot].revents != 0) {
                if (drain(capture_fd, keep_output) == Drain::eof) close_fd(capture_fd);
            }
            if (pid_slot >= 0 && fds[pid_slot].revents != 0) child_ended = true;
        }
        if (pidfd < 0 && ::wait4(pid, &status, WNOHANG, &usage) == pid) {
            reaped = true;
            child_ended = true;
        }
    }

    // Kill the whole group: the child (after a timeout or protocol error) and whatever it forked,
    // which may still hold the pipes open.
    ::kill(-pid, SIGKILL);
    if (!reaped) {
        ::kill(pid, SIGKILL);  // in case the group was never created
        for (;;) {
            if (::wait4(pid, &status, 0, &usage) == pid) {
                reaped = true;
                break;
            }
            if (errno != EINTR) break;  // ECHILD: someone else reaped it (SIGCHLD ignored?)
        }
        if (!reaped && out.error.empty()) {
            out.error = errno_text("sandbox: cannot collect the child's exit status (is SIGCHLD ignored?)");
        }
    }
    out.seconds = elapsed();
    out.cpu_seconds = reaped ? cpu_time(usage) : cpu_clock.seconds();
    // What the child wrote before it ended is in the pipes now.
    if (message_fd >= 0 && !protocol_error && drain(message_fd, keep_messages) == Drain::protocol_error) {
        protocol_error = true;
    }
    if (capture_fd >= 0) drain(capture_fd, keep_output);
    close_fd(message_fd);
    close_fd(capture_fd);
    close_fd(pidfd);

    out.output_truncated = dropped > 0;
    if (protocol_error) {
        out.error = reader.error();
    } else if (out.error.empty()) {
        out.error = reader.unfinished();
    }

    if (!reaped) {
        out.end = End::failed_to_start;  // how it ended is unknown; error says why
    } else if (WIFEXITED(status)) {
        out.end = End::exited;
        out.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        // SIGKILL from our limits, or SIGXCPU/SIGKILL from the kernel's CPU-time backstop: "too slow".
        if ((timed_out && sig == SIGKILL) || sig == SIGXCPU) {
            out.end = End::timed_out;
        } else {
            out.end = End::signaled;
            out.signal = sig;
            out.signal_name = signal_name(sig);
        }
    }
    return out;
}

double backstop_seconds(double cpu_seconds) { return 4.0 * cpu_seconds + 5.0; }

double wall_limit(const Limits& limits) {
    return limits.wall_seconds > 0 ? limits.wall_seconds : backstop_seconds(std::max(limits.timeout_seconds, 0.0));
}

std::string signal_name(int sig) {
    switch (sig) {
        case SIGHUP: return "SIGHUP";
        case SIGINT: return "SIGINT";
        case SIGQUIT: return "SIGQUIT";
        case SIGILL: return "SIGILL";
        case SIGTRAP: return "SIGTRAP";
        case SIGABRT: return "SIGABRT";
        case SIGBUS: return "SIGBUS";
        case SIGFPE: return "SIGFPE";
        case SIGKILL: return "SIGKILL";
        case SIGUSR1: return "SIGUSR1";
        case SIGSEGV: return "SIGSEGV";
        case SIGUSR2: return "SIGUSR2";
        case SIGPIPE: return "SIGPIPE";
        case SIGALRM: return "SIGALRM";
        case SIGTERM: return "SIGTERM";
        case SIGCHLD: return "SIGCHLD";
        case SIGCONT: return "SIGCONT";
        case SIGSTOP: return "SIGSTOP";
        case SIGTSTP: return "SIGTSTP";
        case SIGXCPU: return "SIGXCPU";
        case SIGXFSZ: return "SIGXFSZ";
        case SIGSYS: return "SIGSYS";
        default: return "SIG" + std::to_string(sig);
    }
}

const char* name(End end) {
    switch (end) {
        case End::exited: return "exited";
        case End::signaled: return "signaled";
        case End::timed_out: return "timed_out";
        case End::failed_to_start: return "failed_to_start";
    }
    return "unknown";
}

}  // namespace celab::grader::sandbox

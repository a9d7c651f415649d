// Isolation of the sandbox child: no_new_privs, a Landlock ruleset that forbids every write to the
// file system and every read outside the system's libraries, the child's own /proc entry and the
// paths it is given, and a seccomp-BPF filter against new processes, signals to others and ptrace.
// Raw BPF and raw Landlock syscalls: neither libseccomp nor a glibc Landlock wrapper is available.
#include "isolation.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <linux/audit.h>
#endif

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sanitizer.hpp"

// Newer than Debian 12's linux-libc-dev (6.1): the values are kernel ABI and never change.
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)  // Landlock ABI 3 (Linux 6.2)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)  // Landlock ABI 6 (Linux 6.12)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)  // Landlock ABI 6 (Linux 6.12)
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif
#ifndef FIOSETOWN
#define FIOSETOWN 0x8901
#endif
#ifndef SIOCSPGRP
#define SIOCSPGRP 0x8902
#endif

namespace {
// Set in the sandbox child once the seccomp filter is in (see __lsan_is_turned_off below).
bool leak_check_off = false;
}  // namespace

#if CELAB_ASAN
// LeakSanitizer's check at exit() clones a tracer task without CLONE_THREAD and ptraces the threads:
// both are forbidden by the filter, so the check would fail ("LeakSanitizer has encountered a fatal
// error") and turn a child's exit(0) into exit(1). LSan asks this documented hook before every check:
// the check is turned off in an isolated child only (the child normally ends with _exit(), which skips
// it anyway; the parent's own check at exit is unaffected).
extern "C" __attribute__((visibility("default"))) int __lsan_is_turned_off() { return leak_check_off ? 1 : 0; }
#endif

namespace celab::grader::sandbox {

namespace {

// ---- Landlock ------------------------------------------------------------------------------

// struct landlock_ruleset_attr as of Landlock ABI 6; older kernels get a prefix of it (by size).
struct RulesetAttr {
    std::uint64_t handled_access_fs;
    std::uint64_t handled_access_net;  // ABI 4
    std::uint64_t scoped;              // ABI 6
};

int landlock_abi() {
#ifdef SYS_landlock_create_ruleset
    const long abi = ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi > 0 ? static_cast<int>(abi) : 0;
#else
    return 0;
#endif
}

// What the child may read (never write): the dynamic loader's cache and the system's library folders
// (a submission library may need a shared library the grader has not loaded), plus /dev/null and
// /dev/urandom (std::random_device). Found by tests/test_confinement.cpp, not guessed: dlopen, libstdc++,
// Eigen, threads and AddressSanitizer need nothing else. Missing ones are skipped.
constexpr const char* system_readable[] = {"/etc/ld.so.cache", "/lib", "/lib64", "/usr/lib", "/usr/lib64",
                                           "/dev/null", "/dev/urandom"};

// Allows reading `path` (a folder: everything beneath it; a file: that file). Best effort.
[[maybe_unused]] void allow_reading(long ruleset, const char* path) {
#if defined(SYS_landlock_add_rule)
    const int fd = ::open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0) {
        landlock_path_beneath_attr rule{};
        rule.parent_fd = fd;
        // READ_DIR is a folder's right only: the kernel refuses it on a file.
        rule.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | (S_ISDIR(st.st_mode) ? LANDLOCK_ACCESS_FS_READ_DIR : 0);
        ::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    }
    ::close(fd);
#else
    (void)ruleset;
    (void)path;
#endif
}

// Every file-system right the ABI knows, handled, and only reading granted, only beneath the paths of
// system_readable, the child's own /proc/PID (ASan reads /proc/self/maps; /proc/self/status and fd are
// harmless) and `readable` (the submission library). So the process can still mmap and run what it has
// loaded and use the fds it already has, but not read the course (hidden cases, solutions, other
// students' folders), list any other folder, execute any program, or create, write, truncate, rename or
// delete anything. Another process's /proc entries (the parent's environ, mem) stay closed even to a
// rule: Landlock denies ptrace-type access to processes outside the domain. From ABI 6 also: no signals
// to processes outside the domain (that covers SIGIO/F_SETOWN tricks too) and no connecting to abstract
// unix sockets outside it.
bool restrict_file_system(int abi, pid_t self, const std::vector<std::string>& readable) {
#if defined(SYS_landlock_create_ruleset) && defined(SYS_landlock_restrict_self) && defined(SYS_landlock_add_rule)
    if (abi < 1) return false;
    RulesetAttr attr{};
    attr.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
                             LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                             LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                             LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                             LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                             LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
    if (abi >= 2) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
    std::size_t size = sizeof attr.handled_access_fs;  // what ABI 1-3 kernels understand
    if (abi >= 6) {
        attr.scoped = LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
        size = sizeof attr;
    }
    const long ruleset = ::syscall(SYS_landlock_create_ruleset, &attr, size, 0);
    if (ruleset < 0) return false;
    for (const char* path : system_readable) allow_reading(ruleset, path);
    allow_reading(ruleset, ("/proc/" + std::to_string(self)).c_str());
    for (const std::string& path : readable) allow_reading(ruleset, path.c_str());
    const bool ok = ::syscall(SYS_landlock_restrict_self, ruleset, 0) == 0;
    ::close(static_cast<int>(ruleset));
    return ok;
#else
    (void)abi;
    (void)self;
    (void)readable;
    return false;
#endif
}

// ---- seccomp ---------------------------------------------------------------------------------

#if defined(__x86_64__)
// The filter is written for the x86_64 syscall table; on other architectures it is skipped (Landlock
// and the process group still apply) until someone writes and tests the table for them.
#define CELAB_HAVE_SECCOMP_FILTER 1

constexpr std::uint32_t allow = SECCOMP_RET_ALLOW;
constexpr std::uint32_t deny(int error) { return SECCOMP_RET_ERRNO | (static_cast<std::uint32_t>(error) & SECCOMP_RET_DATA); }

// Low 32 bits of syscall argument i (little endian). Every argument checked here is an int or unsigned
// int to the kernel (pid_t, fcntl/ioctl command, clone flags' low word), which drops the high word too.
constexpr std::uint32_t arg_low(int i) {
    return static_cast<std::uint32_t>(offsetof(seccomp_data, args) + sizeof(std::uint64_t) * std::size_t(i));
}

class Filter {
public:
    void load(std::uint32_t offset) { code_.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset)); }
    void ret(std::uint32_t action) { code_.push_back(BPF_STMT(BPF_RET | BPF_K, action)); }
    void jump(std::uint16_t op, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
        code_.push_back(BPF_JUMP(BPF_JMP | op | BPF_K, k, jt, jf));
    }

    // Syscall nr: always `action`. Needs the accumulator to hold the syscall number.
    void always(long nr, std::uint32_t action) {
        jump(BPF_JEQ, std::uint32_t(nr), 0, 1);
        ret(action);
    }

    // Syscall nr: `in_action` when the low word of argument `arg` is one of `values`, else `out_action`.
    // Returns in both cases, so the accumulator may be clobbered.
    void arg_in(long nr, int arg, const std::vector<std::uint32_t>& values, std::uint32_t in_action,
                std::uint32_t out_action) {
        const auto k = static_cast<std::uint8_t>(values.size());
        jump(BPF_JEQ, std::uint32_t(nr), 0, std::uint8_t(k + 3));  // not nr: skip the k + 3 below
        load(arg_low(arg));
        for (std::uint8_t j = 0; j < k; ++j) jump(BPF_JEQ, values[j], std::uint8_t(k - j), 0);
        ret(out_action);
        ret(in_action);
    }

    // Syscall nr: `set_action` when argument `arg` has any of `bits` set, else `clear_action`.
    void arg_has_bits(long nr, int arg, std::uint32_t bits, std::uint32_t set_action, std::uint32_t clear_action) {
        jump(BPF_JEQ, std::uint32_t(nr), 0, 4);  // not nr: skip the 4 below
        load(arg_low(arg));
        jump(BPF_JSET, bits, 0, 1);
        ret(set_action);
        ret(clear_action);
    }

    bool install() {
        sock_fprog program{static_cast<unsigned short>(code_.size()), code_.data()};
        return ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) == 0;
    }

private:
    std::vector<sock_filter> code_;
};

bool install_filter(pid_t self) {
    const auto me = static_cast<std::uint32_t>(self);
    Filter f;
    // Only the x86_64 table: a 32-bit int 0x80 syscall has other numbers, so it kills the process.
    f.load(offsetof(seccomp_data, arch));
    f.jump(BPF_JEQ, AUDIT_ARCH_X86_64, 1, 0);
    f.ret(SECCOMP_RET_KILL_PROCESS);
    f.load(offsetof(seccomp_data, nr));
    // x32 syscalls share the arch value but have bit 30 set: none of them is checked below, so none is allowed.
    f.jump(BPF_JGE, __X32_SYSCALL_BIT, 0, 1);
    f.ret(deny(EPERM));

    // No new processes: threads (clone with CLONE_THREAD: std::thread, OpenMP) only. fork(), vfork(),
    // posix_spawn() and system() fail with EPERM. clone3 passes its flags in memory, which a filter
    // cannot read: ENOSYS makes glibc fall back to clone, judged by the rule before it.
    f.arg_has_bits(SYS_clone, 0, CLONE_THREAD, allow, deny(EPERM));
    f.always(SYS_clone3, deny(ENOSYS));
    f.always(SYS_fork, deny(EPERM));
    f.always(SYS_vfork, deny(EPERM));

    // Signals to itself only (raise() and abort() use tgkill on themselves). sigqueue() is
    // rt_sigqueueinfo, which the kernel lets reach any process of the same user.
    f.arg_in(SYS_kill, 0, {me}, allow, deny(EPERM));
    f.arg_in(SYS_tgkill, 0, {me}, allow, deny(EPERM));
    f.arg_in(SYS_tkill, 0, {me}, allow, deny(EPERM));
    f.arg_in(SYS_rt_sigqueueinfo, 0, {me}, allow, deny(EPERM));
    f.arg_in(SYS_rt_tgsigqueueinfo, 0, {me}, allow, deny(EPERM));
    f.always(SYS_pidfd_send_signal, deny(EPERM));
    f.always(SYS_pidfd_open, deny(EPERM));
    // SIGIO to a chosen owner (F_SETOWN + F_SETSIG on a pipe, or the ioctl equivalents) is a signal to
    // another process too; TIOCSTI types into the terminal of whoever runs the grader.
    f.arg_in(SYS_fcntl, 1, {F_SETOWN, F_SETOWN_EX, F_SETSIG}, deny(EPERM), allow);
    f.arg_in(SYS_ioctl, 1, {FIOSETOWN, SIOCSPGRP, TIOCSTI}, deny(EPERM), allow);
    // prlimit on another process of the same user is allowed by the kernel: RLIMIT_CPU = 1 s kills it.
    f.arg_in(SYS_prlimit64, 0, {0, me}, allow, deny(EPERM));

    // No debugging or poking other processes, no leaving the process group or session.
    f.always(SYS_ptrace, deny(EPERM));
    f.always(SYS_process_vm_readv, deny(EPERM));
    f.always(SYS_process_vm_writev, deny(EPERM));
    f.always(SYS_setsid, deny(EPERM));
    f.always(SYS_setpgid, deny(EPERM));
    f.always(SYS_unshare, deny(EPERM));
    f.always(SYS_setns, deny(EPERM));
    // No network: student code has no use for a socket (socketpair stays, for libraries' internals).
    f.always(SYS_socket, deny(EPERM));
    // Nothing that outlives the process outside the file system (which Landlock closes): SysV shared
    // memory, message queues and semaphores, POSIX message queues and the kernel's keyrings would let the
    // process that runs hidden cases leave their inputs for a later run's visible process to print.
    for (const long nr : {SYS_shmget, SYS_shmat, SYS_shmctl, SYS_msgget, SYS_msgsnd, SYS_msgrcv, SYS_msgctl,
                          SYS_semget, SYS_semop, SYS_semtimedop, SYS_semctl, SYS_mq_open, SYS_mq_unlink,
                          SYS_mq_timedsend, SYS_mq_timedreceive, SYS_mq_notify, SYS_mq_getsetattr, SYS_add_key,
                          SYS_request_key, SYS_keyctl})
        f.always(nr, deny(EPERM));

    f.ret(allow);
    return f.install();
}
#else
#define CELAB_HAVE_SECCOMP_FILTER 0
#endif

}  // namespace

Isolation isolate_current_process(pid_t self, const std::vector<std::string>& readable) {
    Isolation done;
    // Both Landlock and an unprivileged seccomp filter require no_new_privs (no setuid gains via exec).
    done.no_new_privs = ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
    if (!done.no_new_privs) return done;
    done.landlock_abi = landlock_abi();
    done.landlock = restrict_file_system(done.landlock_abi, self, readable);
#if CELAB_HAVE_SECCOMP_FILTER
    done.seccomp = install_filter(self);
    if (done.seccomp) leak_check_off = true;
#else
    (void)self;
#endif
    return done;
}

IsolationSupport isolation_support() {
    IsolationSupport support;
    support.landlock_abi = landlock_abi();
#if CELAB_HAVE_SECCOMP_FILTER && defined(SYS_seccomp)
    std::uint32_t action = SECCOMP_RET_ERRNO;
    support.seccomp = ::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
#endif
    return support;
}

const char* confinement_note() { return ""; }

}  // namespace celab::grader::sandbox

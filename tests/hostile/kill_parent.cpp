// Hostile submission for the sandbox tests: softmax tries every way it knows to kill the grader (its
// parent process), printing "blocked <way>" or "ALLOWED <way>" for each, then returns a correct result.
// Built as a module by tests/sandbox.cmake (celab_add_submission_module ... SOFTMAX this file).
#include <celab/exercises.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

namespace celab {

namespace {

void report(const char* way, bool succeeded) {
    std::printf("%s %s\n", succeeded ? "ALLOWED" : "blocked", way);
    std::fflush(stdout);
}

}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    const pid_t parent = getppid();
    report("kill", kill(parent, SIGKILL) == 0);
    report("tgkill", syscall(SYS_tgkill, parent, parent, SIGKILL) == 0);
    report("tkill", syscall(SYS_tkill, parent, SIGKILL) == 0);
    union sigval value {};
    report("sigqueue", sigqueue(parent, SIGKILL, value) == 0);
    const long pidfd = syscall(SYS_pidfd_open, parent, 0);
    report("pidfd_open", pidfd >= 0);
    if (pidfd >= 0) report("pidfd_send_signal", syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0) == 0);
    // RLIMIT_CPU of 1 s on a parent that has already used more: the kernel kills it.
    const rlimit one_second{1, 1};
    report("prlimit", prlimit(parent, RLIMIT_CPU, &one_second, nullptr) == 0);
    // SIGKILL as the "I/O possible" signal of the capture pipe, owned by the parent, then some output.
    const bool owner = fcntl(STDOUT_FILENO, F_SETOWN, parent) == 0;
    report("F_SETOWN", owner);
    if (owner) {
        fcntl(STDOUT_FILENO, F_SETSIG, SIGKILL);
        fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_ASYNC);
        std::printf("output that would signal the owner\n");
        std::fflush(stdout);
    }
    report("ptrace", syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, parent, nullptr, nullptr) == 0);

    const Eigen::VectorXd e = (logits.array() - logits.maxCoeff()).exp().matrix();
    return e / e.sum();
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) p.row(n) = softmax(logits.row(n).transpose()).transpose();
    return p;
}

// Correct and well behaved (it does not call softmax), so it adds no timeout or crash of its own.
Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    const Eigen::MatrixXd shifted = logits.colwise() - Eigen::VectorXd(logits.rowwise().maxCoeff());
    const Eigen::VectorXd log_sums = shifted.array().exp().rowwise().sum().log().matrix();
    return shifted.colwise() - log_sums;
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    (void)softmax(logits);
    return 0.0;
}

}  // namespace celab

// Hostile submission for the sandbox tests: softmax tries to start a daemon (fork or a raw clone, then
// setsid() to leave the process group) that keeps rewriting the file named by CELAB_HOSTILE_TARGET.
// It prints "daemon <pid>" from the daemon, "fork failed: <error>" / "clone failed: <error>" when
// refused, then returns a correct result.
// Built as a module by tests/sandbox.cmake (celab_add_submission_module ... SOFTMAX this file).
#include <celab/exercises.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace celab {

namespace {

[[noreturn]] void be_a_daemon() {
    setsid();
    std::printf("daemon %d\n", static_cast<int>(getpid()));
    std::fflush(stdout);
    const char* target = std::getenv("CELAB_HOSTILE_TARGET");
    for (;;) {
        if (target != nullptr) {
            if (std::FILE* f = std::fopen(target, "w")) {
                std::fputs("rewritten by the daemon\n", f);
                std::fclose(f);
            }
        }
        usleep(10000);
    }
}

}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    const pid_t forked = fork();
    if (forked == 0) be_a_daemon();
    if (forked < 0) std::printf("fork failed: %s\n", std::strerror(errno));
    // fork() without glibc: clone with fork semantics (no CLONE_THREAD, child on a copy of this stack).
    const long cloned = syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, 0);
    if (cloned == 0) be_a_daemon();
    if (cloned < 0) std::printf("clone failed: %s\n", std::strerror(errno));
    std::printf("setsid: %s\n", setsid() < 0 ? std::strerror(errno) : "done");
    std::fflush(stdout);
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

// Hostile submission for the sandbox tests: softmax tries to run "touch <CELAB_HOSTILE_TARGET>.spawned"
// through system(), popen() and posix_spawn(), printing "blocked <way>" or "ALLOWED <way>" for each,
// then returns a correct result.
// Built as a module by tests/sandbox.cmake (celab_add_submission_module ... SOFTMAX this file).
#include <celab/exercises.hpp>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

extern char** environ;

namespace celab {

namespace {

void report(const char* way, bool succeeded) {
    std::printf("%s %s\n", succeeded ? "ALLOWED" : "blocked", way);
    std::fflush(stdout);
}

}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    const char* env = std::getenv("CELAB_HOSTILE_TARGET");
    const std::string file = std::string(env != nullptr ? env : "/tmp/celab-hostile-spawn") + ".spawned";
    const std::string command = "touch '" + file + "'";

    const int status = std::system(command.c_str());
    report("system", status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);

    std::FILE* pipe = popen(command.c_str(), "r");
    report("popen", pipe != nullptr && pclose(pipe) == 0);

    pid_t pid = -1;
    char sh[] = "sh", dash_c[] = "-c";
    std::string line = command;
    char* argv[] = {sh, dash_c, line.data(), nullptr};
    const bool spawned = posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, environ) == 0;
    int spawn_status = -1;
    if (spawned) waitpid(pid, &spawn_status, 0);
    report("posix_spawn", spawned);

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

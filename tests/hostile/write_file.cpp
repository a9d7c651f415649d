// Hostile submission for the sandbox tests: softmax tries to overwrite, truncate, move and delete the
// file named by CELAB_HOSTILE_TARGET and to create files, a directory and links beside it, printing
// "blocked <way>" or "ALLOWED <way>" for each, then returns a correct result.
// Built as a module by tests/sandbox.cmake (celab_add_submission_module ... SOFTMAX this file).
#include <celab/exercises.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace celab {

namespace {

void report(const char* way, bool succeeded) {
    std::printf("%s %s\n", succeeded ? "ALLOWED" : "blocked", way);
    std::fflush(stdout);
}

}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    const char* env = std::getenv("CELAB_HOSTILE_TARGET");
    if (env == nullptr) {
        std::printf("CELAB_HOSTILE_TARGET is not set\n");
    } else {
        const std::string target = env;
        const int fd = open(target.c_str(), O_WRONLY | O_TRUNC);
        report("open-for-writing", fd >= 0);
        if (fd >= 0) {
            report("write", write(fd, "pwned\n", 6) == 6);
            close(fd);
        }
        report("truncate", truncate(target.c_str(), 2) == 0);
        const int created = open((target + ".new").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
        report("create", created >= 0);
        if (created >= 0) close(created);
        report("mkdir", mkdir((target + ".dir").c_str(), 0755) == 0);
        report("symlink", symlink(target.c_str(), (target + ".symlink").c_str()) == 0);
        report("link", link(target.c_str(), (target + ".link").c_str()) == 0);
        report("mkfifo", mkfifo((target + ".fifo").c_str(), 0644) == 0);
        report("rename", rename(target.c_str(), (target + ".moved").c_str()) == 0);
        report("unlink", unlink(target.c_str()) == 0 || unlink((target + ".moved").c_str()) == 0);
    }
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

// The binary interface between the grader and a compiled submission.
// Every submission is built as a shared library from the three exercise files plus
// grader/abi/entry.cpp, which exports one C symbol returning this table. The grader opens the
// library only inside a sandboxed child process (grader/src/sandbox.hpp), never in the parent.
#pragma once

#include <celab/exercises.hpp>

namespace celab::abi {

inline constexpr int version = 1;
inline constexpr const char* entry_symbol = "celab_submission_table_v1";

struct SubmissionTable {
    int version;
    Eigen::VectorXd (*softmax)(const Eigen::VectorXd&);
    Eigen::MatrixXd (*softmax_rows)(const Eigen::MatrixXd&);
    double (*log_sum_exp)(const Eigen::VectorXd&);
    double (*cross_entropy)(const Eigen::VectorXd&, int);
    Eigen::VectorXd (*cross_entropy_from_probs)(const Eigen::MatrixXd&, const Eigen::MatrixXd&, double);
    Eigen::VectorXd (*cross_entropy_from_logits)(const Eigen::MatrixXd&, const Eigen::MatrixXd&);
    double (*reduce)(const Eigen::VectorXd&, Reduction);
    Eigen::VectorXd (*cross_entropy_grad)(const Eigen::VectorXd&, int);
    Eigen::MatrixXd (*cross_entropy_grad_batch)(const Eigen::MatrixXd&, const Eigen::MatrixXd&, Reduction);
};

// The table of the functions linked into this binary: the reference, where the grader links
// solutions/ statically; the submission, inside a submission library (linked with -Bsymbolic, so
// its calls bind to its own definitions even in a process that also holds the reference).
inline SubmissionTable linked_table() {
    return SubmissionTable{version,
                           &softmax,
                           &softmax_rows,
                           &log_sum_exp,
                           &cross_entropy,
                           &cross_entropy_from_probs,
                           &cross_entropy_from_logits,
                           &reduce,
                           &cross_entropy_grad,
                           &cross_entropy_grad_batch};
}

}  // namespace celab::abi

extern "C" {
using celab_submission_table_fn = const celab::abi::SubmissionTable* (*)();
}

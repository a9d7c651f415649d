// The celab exercise API: the functions a student implements in exercises/ and the
// reference implements in solutions/. Names and signatures are a contract: the grader,
// the tests and the docs all rely on them. Every batch matrix holds one example per row.
#pragma once

#include <Eigen/Core>

#include <stdexcept>
#include <string>

namespace celab {

enum class Reduction { None, Mean, Sum };

// Thrown by every untouched stub. The grader reports it as `not_implemented`.
class NotImplemented : public std::logic_error {
public:
    explicit NotImplemented(const std::string& function)
        : std::logic_error("celab::" + function + " is not implemented yet") {}
};

// ---- exercises/softmax.cpp -------------------------------------------------------------
// [V] -> [V]: p_i = exp(z_i - m) / sum_j exp(z_j - m), m = max_j z_j (stable).
Eigen::VectorXd softmax(const Eigen::VectorXd& logits);
// [N,V] -> [N,V]: the softmax of each row, each with its own max.
Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits);
// [N,V] -> [N,V]: the log-softmax z - LSE(z) of each row, each with its own max; -inf stays -inf.
Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits);
// log(sum_j exp(z_j)) = m + log(sum_j exp(z_j - m)) without overflow; -inf entries allowed.
double log_sum_exp(const Eigen::VectorXd& logits);

// ---- exercises/loss.cpp ----------------------------------------------------------------
// One example: LSE(z) - z[target].
double cross_entropy(const Eigen::VectorXd& logits, int target);
// [N]: -sum_i y_i log(clamp(p_i, eps, 1)) for each row.
Eigen::VectorXd cross_entropy_from_probs(const Eigen::MatrixXd& probs, const Eigen::MatrixXd& targets,
                                         double eps = 1e-7);
// [N]: LSE(z) - <y, z> for each row, stable.
Eigen::VectorXd cross_entropy_from_logits(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets);
// Mean or Sum of the per-example losses; None throws std::invalid_argument.
double reduce(const Eigen::VectorXd& losses, Reduction reduction);

// ---- exercises/gradient.cpp ------------------------------------------------------------
// [V]: dL/dz = softmax(z) - onehot(target).
Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd& logits, int target);
// [N,V]: (P - Y) / N for Mean, P - Y for Sum and None.
Eigen::MatrixXd cross_entropy_grad_batch(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets,
                                         Reduction reduction);

}  // namespace celab

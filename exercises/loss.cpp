// Exercise: the cross-entropy losses and their reduction.
// Theory: docs/derivation.md (cross-entropy from logits). Exercise page: docs/exercises/loss.md
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <algorithm>
#include <cmath>

namespace celab {

double cross_entropy(const Eigen::VectorXd& logits, int target) {
    // TODO: return the loss of one example, LSE(z) - z[target] (use your log_sum_exp).
    // Pitfall: -log(softmax(z)[target]) is log(0) = -inf once that probability underflows.
    // Hint: ./grade --hint cross_entropy
    (void)logits;
    (void)target;
    throw NotImplemented("cross_entropy");
}

Eigen::VectorXd cross_entropy_from_probs(const Eigen::MatrixXd& probs, const Eigen::MatrixXd& targets, double eps) {
    // TODO: return [N] losses, loss_n = -sum_i y_{n,i} log(clamp(p_{n,i}, eps, 1)).
    // Pitfall: sum over each row's classes, not over the batch; targets may be soft labels.
    // Hint: ./grade --hint cross_entropy_from_probs
    (void)probs;
    (void)targets;
    (void)eps;
    throw NotImplemented("cross_entropy_from_probs");
}

Eigen::VectorXd cross_entropy_from_logits(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets) {
    // TODO: return [N] losses, loss_n = LSE(z_n) - <y_n, z_n>, stable for any logits.
    // Pitfall: never take log of a softmax; and 0 * (-inf) is NaN, so skip classes with y = 0.
    // Hint: ./grade --hint cross_entropy_from_logits
    (void)logits;
    (void)targets;
    throw NotImplemented("cross_entropy_from_logits");
}

double reduce(const Eigen::VectorXd& losses, Reduction reduction) {
    // TODO: Mean -> average of the losses, Sum -> their sum,
    // None -> throw std::invalid_argument (there is no single value to return).
    // Hint: ./grade --hint reduce
    (void)losses;
    (void)reduction;
    throw NotImplemented("reduce");
}

}  // namespace celab

// Exercise: softmax, softmax_rows, log_softmax_rows and log_sum_exp.
// Theory: docs/derivation.md (shift invariance, log-sum-exp, log-softmax). Exercise page: docs/exercises/softmax.md
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    // TODO: return p with p_i = exp(z_i) / sum_j exp(z_j), same length as logits.
    // Pitfall: exp(1000) overflows to inf. Subtract m = max_j z_j first (softmax is shift
    // invariant), so every exponent is <= 0. A -inf logit (a masked class) must give p_i = 0.
    // Hint: ./grade --hint softmax
    (void)logits;
    throw NotImplemented("softmax");
}

Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    // TODO: the softmax of each row of an [N,V] batch (one example per row), same shape.
    // Pitfall: every row needs its own max and its own sum; the batch max or a column sum
    // gives wrong rows. N and V differ, so mind rowwise() versus colwise().
    // Hint: ./grade --hint softmax_rows
    (void)logits;
    throw NotImplemented("softmax_rows");
}

Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    // TODO: the log-softmax of each row of an [N,V] batch, same shape: log p_i = z_i - LSE(z),
    // with LSE(z) = m + log(sum_j exp(z_j - m)) and m the max of that row (each row its own).
    // Pitfall: never take log(softmax(z)): a probability that underflows to 0 gives log 0 = -inf,
    // so row [0, -1000] would give [0, -inf] instead of [0, -1000]. A -inf logit (a masked
    // class) must give exactly -inf. See docs/exercises/softmax.md.
    // Hint: ./grade --hint log_softmax_rows
    (void)logits;
    throw NotImplemented("log_softmax_rows");
}

double log_sum_exp(const Eigen::VectorXd& logits) {
    // TODO: return log(sum_j exp(z_j)) computed as m + log(sum_j exp(z_j - m)), m = max_j z_j.
    // Pitfall: log(sum(exp(z))) overflows for z = 1000 and gives -inf for z = -1000.
    // If m is -inf (every logit masked) return -inf.
    // Hint: ./grade --hint log_sum_exp
    (void)logits;
    throw NotImplemented("log_sum_exp");
}

}  // namespace celab

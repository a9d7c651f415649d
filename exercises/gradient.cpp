// Exercise: the gradient of cross-entropy with respect to the logits.
// Theory: docs/derivation.md (the gradient, derived twice). Exercise page: docs/exercises/gradient.md
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

namespace celab {

Eigen::VectorXd cross_entropy_grad(const Eigen::VectorXd& logits, int target) {
    // TODO: return dL/dz for L = LSE(z) - z[target], a vector as long as logits.
    // Pitfall: derive it first (docs/derivation.md); it needs a stable softmax, and the sign
    // matters: the target coordinate must come out <= 0.
    // Hint: ./grade --hint cross_entropy_grad
    (void)logits;
    (void)target;
    throw NotImplemented("cross_entropy_grad");
}

Eigen::MatrixXd cross_entropy_grad_batch(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets,
                                         Reduction reduction) {
    // TODO: return dL/dZ, [N,V], for L = reduce(cross_entropy_from_logits(Z, Y), reduction).
    // Pitfall: Mean divides the loss by N, so it divides the gradient too; Sum and None do not.
    // Hint: ./grade --hint cross_entropy_grad_batch
    (void)logits;
    (void)targets;
    (void)reduction;
    throw NotImplemented("cross_entropy_grad_batch");
}

}  // namespace celab

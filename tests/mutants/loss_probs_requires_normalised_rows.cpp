// Mutant (deliberately wrong) of exercises/loss.cpp: cross_entropy_from_probs rejects probability rows that do not sum to 1, which the API allows (only entries in [0, 1] are required)
// Everything else is a copy of solutions/loss.cpp. Used by the grader's self-test: see catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <algorithm>
#include <cmath>

namespace celab {

double cross_entropy(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy");
    validate::target(target, logits.size(), "cross_entropy");
    // CE(z, t) = LSE(z) - z_t; never -log(softmax(z)_t), which is log(0) once p_t underflows
    return log_sum_exp(logits) - logits[target];
}

Eigen::VectorXd cross_entropy_from_probs(const Eigen::MatrixXd& probs, const Eigen::MatrixXd& targets, double eps) {
    validate::nonempty(probs, "cross_entropy_from_probs", "probs");
    validate::same_shape(probs, targets, "cross_entropy_from_probs", "probs", "targets");
    validate::probabilities(probs, "cross_entropy_from_probs");
    // MISTAKE: requires every row of probs to be a distribution
    validate::distributions(probs, "cross_entropy_from_probs");
    validate::distributions(targets, "cross_entropy_from_probs");
    if (!(eps > 0.0 && eps < 1.0)) validate::fail("cross_entropy_from_probs", "eps must lie in (0, 1)");
    // loss_n = -sum_i y_{n,i} log(clamp(p_{n,i}, eps, 1)); the clamp keeps log away from 0
    const Eigen::ArrayXXd log_p = probs.array().max(eps).min(1.0).log();
    return -(targets.array() * log_p).rowwise().sum().matrix();
}

Eigen::VectorXd cross_entropy_from_logits(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets) {
    validate::logits_rows(logits, "cross_entropy_from_logits");
    validate::same_shape(logits, targets, "cross_entropy_from_logits", "logits", "targets");
    validate::distributions(targets, "cross_entropy_from_logits");
    Eigen::VectorXd losses(logits.rows());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        // <y, z> over the classes with y_i > 0 only: a masked logit (-inf) with y_i = 0 adds 0, not NaN
        double y_dot_z = 0.0;
        for (Eigen::Index i = 0; i < logits.cols(); ++i) {
            if (targets(n, i) > 0.0) y_dot_z += targets(n, i) * logits(n, i);
        }
        // loss_n = LSE(z_n) - <y_n, z_n>  (uses sum_i y_i = 1)
        losses[n] = log_sum_exp(logits.row(n).transpose()) - y_dot_z;
    }
    return losses;
}

double reduce(const Eigen::VectorXd& losses, Reduction reduction) {
    validate::nonempty(losses, "reduce", "losses");
    switch (reduction) {
        case Reduction::Mean: return losses.mean();  // (1/N) sum_n loss_n
        case Reduction::Sum: return losses.sum();    // sum_n loss_n
        case Reduction::None: break;
    }
    validate::fail("reduce", "Reduction::None keeps one loss per example and has no single value; use Mean or Sum");
}

}  // namespace celab

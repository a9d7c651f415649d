// Alternative (correct, written differently) of exercises/loss.cpp: every loss as -sum_i y_i log_softmax_i
// with log_softmax_i = (z_i - m) - log(sum_j exp(z_j - m)), skipping the classes with y_i == 0 (so a
// masked logit never meets 0 * -inf). The grader must accept it. See tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>

namespace celab {

namespace {
// log_softmax of one row: (z - m) - log(s), m = max z, s = sum exp(z - m) >= 1.
Eigen::VectorXd log_softmax(const Eigen::VectorXd& z) {
    const double m = z.maxCoeff();
    double s = 0.0;
    for (Eigen::Index j = 0; j < z.size(); ++j) s += std::exp(z[j] - m);
    const double log_s = std::log(s);
    Eigen::VectorXd out(z.size());
    for (Eigen::Index i = 0; i < z.size(); ++i) out[i] = (z[i] - m) - log_s;
    return out;
}
}  // namespace

double cross_entropy(const Eigen::VectorXd& logits, int target) {
    validate::logits(logits, "cross_entropy");
    validate::target(target, logits.size(), "cross_entropy");
    return -log_softmax(logits)[target];
}

Eigen::VectorXd cross_entropy_from_probs(const Eigen::MatrixXd& probs, const Eigen::MatrixXd& targets, double eps) {
    validate::nonempty(probs, "cross_entropy_from_probs", "probs");
    validate::same_shape(probs, targets, "cross_entropy_from_probs", "probs", "targets");
    validate::probabilities(probs, "cross_entropy_from_probs");
    validate::distributions(targets, "cross_entropy_from_probs");
    if (!(eps > 0.0 && eps < 1.0)) validate::fail("cross_entropy_from_probs", "eps must lie in (0, 1)");
    Eigen::VectorXd losses(probs.rows());
    for (Eigen::Index n = 0; n < probs.rows(); ++n) {
        double loss = 0.0;
        for (Eigen::Index i = 0; i < probs.cols(); ++i) {
            if (targets(n, i) == 0.0) continue;
            const double p = probs(n, i) < eps ? eps : probs(n, i);
            loss -= targets(n, i) * std::log(p);
        }
        losses[n] = loss;
    }
    return losses;
}

Eigen::VectorXd cross_entropy_from_logits(const Eigen::MatrixXd& logits, const Eigen::MatrixXd& targets) {
    validate::logits_rows(logits, "cross_entropy_from_logits");
    validate::same_shape(logits, targets, "cross_entropy_from_logits", "logits", "targets");
    validate::distributions(targets, "cross_entropy_from_logits");
    Eigen::VectorXd losses(logits.rows());
    for (Eigen::Index n = 0; n < logits.rows(); ++n) {
        const Eigen::VectorXd log_p = log_softmax(logits.row(n).transpose());
        double loss = 0.0;
        for (Eigen::Index i = 0; i < logits.cols(); ++i) {
            if (targets(n, i) > 0.0) loss -= targets(n, i) * log_p[i];
        }
        losses[n] = loss;
    }
    return losses;
}

double reduce(const Eigen::VectorXd& losses, Reduction reduction) {
    validate::nonempty(losses, "reduce", "losses");
    if (reduction == Reduction::None) {
        validate::fail("reduce", "Reduction::None has no single value; use Mean or Sum");
    }
    const double sum = losses.sum();
    return reduction == Reduction::Mean ? sum / static_cast<double>(losses.size()) : sum;
}

}  // namespace celab

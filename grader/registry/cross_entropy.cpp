// cross_entropy (exercises/loss.cpp): one example, LSE(z) - z[target].
#include "check_kit.hpp"
#include "diagnose.hpp"
#include "formulas.hpp"

#include <cmath>

namespace celab::grader::registry {

using namespace formulas;
using Eigen::MatrixXd;

namespace {

// Is got == LSE(z) - z_k for some class k whose logit differs from z_t? LSE(z) - z_k = want + z_t - got,
// so z_k = want + z_t - got: one pass over the logits.
std::optional<Eigen::Index> wrong_class(const MatrixXd& got, const MatrixXd& want, const Eigen::VectorXd& z, int t) {
    if (got.size() != 1 || !std::isfinite(got(0, 0)) || !std::isfinite(want(0, 0))) return std::nullopt;
    const double z_k = want(0, 0) + z[t] - got(0, 0);
    for (Eigen::Index k = 0; k < z.size(); ++k) {
        if (k == t || z[k] == z[t]) continue;
        if (std::abs(z[k] - z_k) <= 1e-6 * (1.0 + std::abs(z_k)) &&
            matches_candidate(got, scalar(want(0, 0) + z[t] - z[k])))
            return k;
    }
    return std::nullopt;
}

}  // namespace

Descriptor describe_cross_entropy() {
    Descriptor d;
    d.inputs = {Field::logits_vector, Field::target};
    d.output = Output::scalar;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) { return as_number(f.cross_entropy(in.z, in.target)); };
    d.checks = {kit::values("values", LogitScale::unbounded), kit::nonnegative(), kit::stability(LogitScale::unbounded), kit::repeatable()};
    d.candidates = [](const Inputs& in, const Value& expected) {
        const MatrixXd z = in.z.transpose();
        const int t = in.target;
        const MatrixXd want = expected.data;
        const Eigen::VectorXd logits = in.z;
        return std::vector<Candidate>{
            {"log_of_underflowed_softmax",
             "took log of a softmax that underflowed: p[target] rounds to 0 and -log(0) = inf (or about 709.78 "
             "with Eigen's array exp). Compute the loss from the logits: LSE(z) - z[target].",
             [z, t] { return scalar(-std::log(stable_softmax_rows(z)(0, t))); },
             {}},
            {"no_max_subtraction",
             "computed log(sum(exp(z))) without subtracting the max: it overflows. Use log_sum_exp(z) - z[target].",
             [z, t] { return scalar(naive_lse_rows(z)[0] - z(0, t)); },
             {}},
            {"flipped_sign", "flipped the sign: the loss is LSE(z) - z[target], which is never negative.",
             [want] { return MatrixXd(-want); },
             {}},
            // The loss of another class k: LSE - z_k, found from the output itself.
            {"onehot_wrong_index", "", {},
             [want, logits, t](const MatrixXd& got) -> std::optional<std::string> {
                 const auto k = wrong_class(got, want, logits, t);
                 if (!k) return std::nullopt;
                 return "used the wrong class: your loss is the loss of class " + std::to_string(*k) +
                        ", not of the target " + std::to_string(t) + " (an off-by-one?).";
             }},
            {"masked_as_zero", masked_as_zero_text,
             [z, t] {
                 if (!has_masked(z)) return MatrixXd();
                 const MatrixXd u = masked_as_zero(z);
                 return scalar(stable_lse_rows(u)[0] - u(0, t));
             },
             {}},
        };
    };
    return d;
}

}  // namespace celab::grader::registry

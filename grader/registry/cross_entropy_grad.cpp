// cross_entropy_grad (exercises/gradient.cpp): [V], dL/dz = softmax(z) - onehot(target).
#include "check_kit.hpp"
#include "diagnose.hpp"
#include "formulas.hpp"

namespace celab::grader::registry {

using namespace formulas;
using Eigen::MatrixXd;

namespace {

// Is got == want + e_t - e_k for some k != t (the one-hot subtracted at another index)?
std::optional<Eigen::Index> wrong_onehot_index(const MatrixXd& got, const MatrixXd& want, int t) {
    if (got.rows() != want.rows() || got.cols() != 1) return std::nullopt;
    // An output of zeros matches want + e_t - e_k whenever the softmax is saturated at k: that says
    // nothing about where the one-hot went.
    if (matches_candidate(got, MatrixXd::Zero(got.rows(), 1))) return std::nullopt;
    MatrixXd d = got - want;  // should be e_t - e_k
    d(t, 0) -= 1.0;           // now -e_k
    Eigen::Index k = 0;
    d.col(0).minCoeff(&k);
    if (k == t) return std::nullopt;
    MatrixXd expect = MatrixXd::Zero(want.rows(), 1);
    expect(k, 0) = -1.0;
    if (matches_candidate(d, expect)) return k;
    return std::nullopt;
}

}  // namespace

Descriptor describe_cross_entropy_grad() {
    Descriptor d;
    d.inputs = {Field::logits_vector, Field::target};
    d.output = Output::per_logit;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) {
        return as_vector(f.cross_entropy_grad(in.z, in.target));
    };
    d.compact = Descriptor::Compact{[](const Inputs& in) { return MatrixXd(in.z.transpose()); },
                                    [](const Inputs& in, const Eigen::VectorXd& lse) {
                                        MatrixXd g = softmax_from_lse(in.z.transpose(), lse).transpose();
                                        g(in.target, 0) -= 1.0;
                                        return as_vector(g);
                                    }};
    d.checks = {kit::shape(),           kit::values("analytic", LogitScale::bounded), kit::finite_difference(),
                kit::row_sums("zero_sum", 0.0, {1e-9, 0.0}), kit::negative_target(), kit::stability(LogitScale::bounded),
                kit::repeatable()};
    // L(z) = LSE(z) - z[target]
    d.loss = [](const Inputs& in, const MatrixXd& logits) {
        return stable_lse_rows(logits.transpose())[0] - logits(in.target, 0);
    };
    d.candidates = [](const Inputs& in, const Value& expected) {
        const MatrixXd z = in.z.transpose();
        const int t = in.target;
        const Eigen::Index v = z.cols();
        const MatrixXd want = expected.data;
        return std::vector<Candidate>{
            {"flipped_sign", flipped_gradient_text, [want] { return MatrixXd(-want); }, {}},
            {"missing_onehot",
             "returned the softmax: the gradient is softmax(z) minus the one-hot target, so subtract 1 at index "
             "target.",
             [want, v, t] { return MatrixXd(want + one_hot(v, t)); },
             {}},
            {"no_max_subtraction", no_max_text,
             [z, v, t] { return MatrixXd(naive_softmax_rows(z).transpose() - one_hot(v, t)); },
             {}},
            {"chain_rule_through_probs", through_probs_text,
             [z, v, t] { return MatrixXd(gradient_through_probs(z, one_hot(v, t).transpose()).transpose()); },
             {}},
            {"masked_as_zero", masked_as_zero_text,
             [z, v, t] {
                 if (!has_masked(z)) return MatrixXd();
                 return MatrixXd(stable_softmax_rows(masked_as_zero(z)).transpose() - one_hot(v, t));
             },
             {}},
            // The one-hot subtracted at another index k: want + e_t - e_k, found from the output itself.
            {"onehot_wrong_index", "", {},
             [want, t](const MatrixXd& got) -> std::optional<std::string> {
                 const auto k = wrong_onehot_index(got, want, t);
                 if (!k) return std::nullopt;
                 return "subtracted the one-hot at the wrong index: at " + std::to_string(*k) + " instead of the target " +
                        std::to_string(t) + " (an off-by-one, or the argmax?).";
             }},
        };
    };
    return d;
}

}  // namespace celab::grader::registry

// cross_entropy_from_probs (exercises/loss.cpp): [N], -sum_i y_i log(clamp(p_i, eps, 1)) per row.
#include "check_kit.hpp"
#include "formulas.hpp"

#include <cmath>

namespace celab::grader::registry {

using namespace formulas;
using Eigen::MatrixXd;

Descriptor describe_cross_entropy_from_probs() {
    Descriptor d;
    d.inputs = {Field::probs, Field::targets, Field::label_smoothing, Field::eps};
    d.output = Output::per_row;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) {
        return as_vector(f.cross_entropy_from_probs(in.P, in.Y, in.eps));
    };
    d.checks = {kit::shape(), kit::values("values", LogitScale::none), kit::nonnegative(), kit::repeatable()};
    d.candidates = [](const Inputs& in, const Value& expected) {
        const MatrixXd p = in.P, y = in.Y, want = expected.data;
        return std::vector<Candidate>{
            {"missing_clamp",
             "forgot to clamp: a probability of 0 gives log(0) = -inf. Clamp p to [eps, 1] before the log.",
             [p, y] {
                 Eigen::VectorXd out(p.rows());
                 for (Eigen::Index n = 0; n < p.rows(); ++n) {
                     double s = 0.0;
                     for (Eigen::Index i = 0; i < p.cols(); ++i) s += y(n, i) * std::log(p(n, i));
                     out[n] = -s;
                 }
                 return MatrixXd(out);
             },
             {}},
            {"flipped_sign", "flipped the sign: the loss is -sum y log p, which is never negative.",
             [want] { return MatrixXd(-want); },
             {}},
        };
    };
    return d;
}

}  // namespace celab::grader::registry

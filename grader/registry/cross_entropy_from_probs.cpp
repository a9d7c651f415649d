// cross_entropy_from_probs (exercises/loss.cpp): [N], -sum_i y_i log(clamp(p_i, eps, 1)) per row.
#include "check_kit.hpp"
#include "formulas.hpp"

#include <cfloat>
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
        const double eps = in.eps;
        // -sum_i w(y_i) log(f(p_i)) for each row, skipping y_i = 0
        auto loss = [p, y](auto weight, auto f) {
            Eigen::VectorXd out(p.rows());
            for (Eigen::Index n = 0; n < p.rows(); ++n) {
                double s = 0.0;
                for (Eigen::Index i = 0; i < p.cols(); ++i)
                    if (y(n, i) != 0.0) s += weight(y(n, i)) * std::log(f(p(n, i)));
                out[n] = -s;
            }
            return MatrixXd(out);
        };
        auto weighted = [](double w) { return w; };
        std::vector<Candidate> list{
            {"missing_clamp",
             "forgot to clamp: a probability of 0 gives log(0) = -inf. Clamp p to [eps, 1] before the log.",
             [loss, weighted] { return loss(weighted, [](double q) { return q; }); },
             {}},
            {"eps_inside_log",
             "added eps inside the log, log(p + eps): that changes every loss a little; clamp instead, "
             "log(clamp(p, eps, 1)).",
             [loss, weighted, eps] { return loss(weighted, [eps](double q) { return q + eps; }); },
             {}},
            {"unweighted_soft_targets",
             "dropped the target weights: with soft targets each term is y_i log p_i, not log p_i for every class "
             "with y_i > 0.",
             [loss, eps] {
                 return loss([](double) { return 1.0; }, [eps](double q) { return std::min(std::max(q, eps), 1.0); });
             },
             {}},
            {"flipped_sign", "flipped the sign: the loss is -sum y log p, which is never negative.",
             [want] { return MatrixXd(-want); },
             {}},
        };
        // a clamp with a constant of one's own instead of the eps argument
        for (const double c : {1e-10, 1e-12, 1e-15, 1e-20, static_cast<double>(FLT_MIN), 1e-8}) {
            if (c == eps) continue;
            list.push_back({"wrong_clamp",
                            "clamped with a constant of your own (" + format_number(c) +
                                ") instead of the eps argument: use clamp(p, eps, 1) with the eps passed in.",
                            [loss, weighted, c] {
                                return loss(weighted, [c](double q) { return std::min(std::max(q, c), 1.0); });
                            },
                            {}});
        }
        return list;
    };
    return d;
}

}  // namespace celab::grader::registry

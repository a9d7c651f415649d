// log_sum_exp (exercises/softmax.cpp): log(sum_j exp(z_j)) = m + log(sum_j exp(z_j - m)); all -inf gives -inf.
#include "check_kit.hpp"
#include "formulas.hpp"

#include <cmath>
#include <limits>

namespace celab::grader::registry {

using namespace formulas;
using Eigen::MatrixXd;

namespace {

// max(z) <= LSE(z) <= max(z) + log(number of finite logits).
Verdict bounds(const Context& x) {
    const Eigen::VectorXd& z = x.inputs(Role::main).z;
    const double m = z.maxCoeff();
    const double finite = static_cast<double>((z.array() > -std::numeric_limits<double>::infinity()).count());
    const double lse = x.got.data(0, 0);
    if (std::isinf(m)) {  // every logit -inf: LSE is -inf (log 0)
        if (lse == m) return {};
        return kit::fail("log_sum_exp gave " + format_number(lse) + ", but every logit is " + format_number(m) +
                         ", so LSE is " + format_number(m));
    }
    const Tolerance t = x.tolerance("bounds");
    const double tol = t.abs + t.rel * std::abs(m);
    if (lse >= m - tol && lse <= m + std::log(finite) + tol) return {};
    return kit::fail("log_sum_exp gave " + format_number(lse) + ", outside [max, max + log V] = [" + format_number(m) +
                     ", " + format_number(m + std::log(finite)) + "]");
}

}  // namespace

Descriptor describe_log_sum_exp() {
    Descriptor d;
    d.inputs = {Field::logits_vector};
    d.output = Output::scalar;
    d.all_masked_allowed = true;       // LSE of only -inf is -inf (log 0)
    d.infinite_logits_allowed = true;  // and with a +inf logit it is +inf
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) { return as_number(f.log_sum_exp(in.z)); };
    d.checks = {kit::values("values", LogitScale::unbounded), Check{"bounds", {1e-9, 1e-12}, bounds, {}, LogitScale::none, true, {}}, kit::stability(LogitScale::unbounded),
                kit::repeatable()};
    d.candidates = [](const Inputs& in, const Value&) {
        const MatrixXd z = in.z.transpose();
        return std::vector<Candidate>{
            {"no_max_subtraction",
             "computed log(sum(exp(z))) directly: exp overflows to inf for large logits, and for very negative "
             "ones the sum underflows (log(0) = -inf with std::exp, about -709 with Eigen's array exp). Use "
             "m + log(sum(exp(z - m))) with m = max(z).",
             [z] { return scalar(naive_lse_rows(z)[0]); },
             {}},
            {"forgot_max_term",
             "forgot to add the max back: log(sum(exp(z - m))) is LSE(z) - m; return m + log(sum(exp(z - m))).",
             [z] {
                 const double m = z.maxCoeff();
                 if (!std::isfinite(m)) return scalar(m);  // that code would special-case it too
                 return scalar(std::log((z.array() - m).unaryExpr(&exp_std).sum()));
             },
             {}},
            {"masked_as_zero", masked_as_zero_text,
             [z] { return has_masked(z) ? scalar(stable_lse_rows(masked_as_zero(z))[0]) : MatrixXd(); }, {}},
        };
    };
    return d;
}

}  // namespace celab::grader::registry

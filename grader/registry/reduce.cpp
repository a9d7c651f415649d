// reduce (exercises/loss.cpp): the Mean or Sum of the per-example losses; None throws std::invalid_argument.
#include "check_kit.hpp"
#include "formulas.hpp"

#include <cmath>

namespace celab::grader::registry {

using namespace formulas;

Descriptor describe_reduce() {
    Descriptor d;
    d.inputs = {Field::losses, Field::reduction};
    d.output = Output::scalar;
    d.call = [](const abi::SubmissionTable& f, const Inputs& in) { return as_number(f.reduce(in.losses, in.reduction)); };
    d.checks = {kit::values("values", LogitScale::none), kit::repeatable()};
    d.generated_reductions = {Reduction::Mean, Reduction::Sum};
    d.rejects = Descriptor::Rejection{
        [](const Inputs& in) { return in.reduction == Reduction::None; },
        "Reduction::None must throw std::invalid_argument",
        "none_not_rejected",
        "Reduction::None must throw std::invalid_argument: there is no single value to return.",
    };
    d.candidates = [](const Inputs& in, const Value&) {
        const Eigen::VectorXd l = in.losses;
        std::vector<Candidate> list;
        if (in.reduction == Reduction::Mean)
            list.push_back({"mean_sum_swapped", "returned the sum for Reduction::Mean: divide by the number of losses N.",
                            [l] { return scalar(l.sum()); }, {}});
        if (in.reduction == Reduction::Sum)
            list.push_back({"mean_sum_swapped", "returned the mean for Reduction::Sum: Sum must not divide by N.",
                            [l] { return scalar(l.mean()); }, {}});
        // std::accumulate(begin, end, 0): an int accumulator truncates every partial sum
        int truncated = 0;
        for (Eigen::Index n = 0; n < l.size(); ++n) truncated = static_cast<int>(truncated + l[n]);
        const double sum = truncated, count = static_cast<double>(l.size());
        const char* const integer_text =
            "computed in integers: std::accumulate(..., 0) keeps an int (write 0.0), or an integer division "
            "sum / N truncates; sum and divide in double.";
        if (in.reduction == Reduction::Sum) list.push_back({"integer_arithmetic", integer_text, [sum] { return scalar(sum); }, {}});
        if (in.reduction == Reduction::Mean) {
            list.push_back({"integer_arithmetic", integer_text, [sum, count] { return scalar(sum / count); }, {}});
            list.push_back({"integer_arithmetic", integer_text,
                            [sum, count] { return scalar(std::trunc(sum / count)); }, {}});
            list.push_back({"integer_arithmetic", integer_text,
                            [l, count] { return scalar(std::trunc(l.sum() / count)); }, {}});
        }
        return list;
    };
    return d;
}

}  // namespace celab::grader::registry

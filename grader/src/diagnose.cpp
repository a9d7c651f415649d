#include "diagnose.hpp"

#include "answers.hpp"
#include "checks.hpp"
#include "compare.hpp"
#include "descriptor.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace celab::grader {

namespace {

using Eigen::MatrixXd;

// Matching a candidate is looser than passing a check: the student's code rounds differently.
constexpr Tolerance match_tolerance{1e-9, 1e-6};
// Float arithmetic is off by about 6e-8 relative, a few times that after a few operations.
constexpr Tolerance precision_tolerance{1e-9, 1e-5};

// A match needs an entry that is not NaN: an output of only NaN says nothing about which formula made it.
bool matches(const MatrixXd& got, const MatrixXd& candidate) {
    return candidate.size() > 0 && !got.array().isNaN().all() && compare(got, candidate, match_tolerance).ok;
}

// The largest difference between entries that are both finite (equal non-finite entries count as 0).
double distance(const MatrixXd& a, const MatrixXd& b) {
    double d = 0.0;
    for (Eigen::Index i = 0; i < a.size(); ++i) {
        const double x = a.data()[i], y = b.data()[i];
        if (x == y) continue;
        d = std::isfinite(x) && std::isfinite(y) ? std::max(d, std::abs(x - y)) : std::numeric_limits<double>::infinity();
    }
    return d;
}

Inputs rounded_to_float(Inputs in) {
    auto round = [](Eigen::MatrixXd& m) {
        for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<double>(static_cast<float>(m.data()[i]));
    };
    Eigen::MatrixXd z = in.z, losses = in.losses;
    round(z);
    round(in.Z);
    round(in.P);
    round(losses);
    in.z = z;
    in.losses = losses;
    return in;
}

// Single precision leaves an error of float size (more than double rounding, under 1e-5 relative) of
// the order of what rounding the inputs to float does to the answer, and different at every entry; or
// it returns values that are all exactly floats. A common factor on every entry (a sum that dropped
// small terms), an error at one entry (a clamp) or a larger one (an approximate exp) is something else.
bool looks_like_single_precision(Exercise e, const Inputs& in, const MatrixXd& got, const MatrixXd& want) {
    if (!compare(got, want, precision_tolerance).ok) return false;
    bool all_floats = true;
    int finite = 0;
    for (Eigen::Index i = 0; i < got.size(); ++i) {
        const double x = got.data()[i];
        if (!std::isfinite(x)) continue;
        ++finite;
        all_floats = all_floats && static_cast<double>(static_cast<float>(x)) == x;
    }
    if (finite > 0 && all_floats) return true;
    // what rounding the inputs to float does to the right answer
    MatrixXd sensitivity;
    try {
        sensitivity = answers::of(*e, rounded_to_float(in)).data - want;
    } catch (const std::exception&) {
        return false;
    }
    std::vector<double> relative;
    double worst = 0.0, worst_input_effect = 0.0;
    for (Eigen::Index i = 0; i < got.size(); ++i) {
        const double w = want.data()[i], g = got.data()[i];
        if (!std::isfinite(w) || !std::isfinite(g)) continue;
        worst = std::max(worst, std::abs(g - w));
        worst_input_effect = std::max(worst_input_effect, std::abs(sensitivity.data()[i]));
        if (std::abs(w) > 1e-300 && g != w) relative.push_back((g - w) / std::abs(w));
    }
    // float arithmetic is a few roundings of 6e-8 on top of rounded inputs: within 10x of their effect
    const double float_rounding = 6e-8 * std::max(1.0, want.cwiseAbs().maxCoeff());
    if (worst > 10.0 * std::max(worst_input_effect, float_rounding)) return false;
    if (got.size() == 1) return true;
    // errors that differ from entry to entry, not one factor on all of them
    if (relative.size() < 3 || relative.size() * 4 < static_cast<std::size_t>(finite) * 3) return false;
    std::vector<double> sorted = relative;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    double spread = 0.0;
    for (double r : relative) spread = std::max(spread, std::abs(r - median));
    return spread > 0.1 * std::abs(median);
}

}  // namespace

bool matches_candidate(const MatrixXd& got, const MatrixXd& candidate) { return matches(got, candidate); }

std::optional<Diagnosis> diagnose(Exercise e, const Inputs& in, const Value& got, const Value& expected) {
    const MatrixXd& out = got.data;
    // Shape mistakes first: they say the most.
    if (out.rows() != expected.data.rows() || out.cols() != expected.data.cols()) {
        if (out.rows() == expected.data.cols() && out.cols() == expected.data.rows() && got.shape == Shape::matrix)
            return Diagnosis{"wrong_axis", "returned the transpose: the output is [N, V], one example per row."};
        if (e->output == Output::per_row && out.rows() != expected.data.rows())
            return Diagnosis{"wrong_axis",
                             "summed over the wrong axis: return one loss per example (N rows), so sum each row "
                             "over its classes (rowwise)."};
        return std::nullopt;
    }
    if (e->candidates) {
        for (const Candidate& c : e->candidates(in, expected)) {
            if (c.match) {
                if (auto text = c.match(out)) return Diagnosis{c.mistake, *text};
                continue;
            }
            MatrixXd candidate;
            try {
                candidate = c.output();
            } catch (const answers::NotFrozen&) {
                continue;  // a student release made without this formula's answer
            }
            if (!matches(out, candidate)) continue;
            // a candidate close to the right answer names the mistake only when the output is much closer to it
            if (matches(candidate, expected.data) && !(distance(out, candidate) * 10 < distance(out, expected.data)))
                continue;
            return Diagnosis{c.mistake, c.text};
        }
    }
    // Right to about seven digits and no more, the way float arithmetic is: single precision somewhere.
    if (looks_like_single_precision(e, in, out, expected.data))
        return Diagnosis{"single_precision",
                         "right to about 7 significant digits only: is a float (or an f-suffixed constant, or "
                         "std::expf) somewhere in the computation? Use double throughout."};
    return std::nullopt;
}

void ask_every_question(Exercise e, const Inputs& in, const Value& expected) {
    try {
        (void)answers::of(*e, rounded_to_float(in));
    } catch (const std::exception&) {
        // inputs the reference rejects once rounded: looks_like_single_precision() says no then too
    }
    if (!e->candidates) return;
    for (const Candidate& c : e->candidates(in, expected)) {
        if (!c.output) continue;
        try {
            (void)c.output();
        } catch (const std::exception&) {
        }
    }
}

Diagnosis stateful_diagnosis() {
    return {"stateful",
            "keeps state between calls: the same input gave a different result the second time. A static or "
            "global buffer that is never reset? Compute everything from the arguments."};
}

Diagnosis modified_input_diagnosis() {
    return {"modified_input",
            "wrote into an input: the arguments are const references (a const_cast, or a pointer from .data(), "
            "changes the caller's matrix). Work on a copy of your own."};
}

Diagnosis unstable_diagnosis() {
    return {"no_max_subtraction",
            "right for moderate logits but wrong once they are shifted by about 1000: forgot to subtract the max "
            "(exp overflows to inf, or underflows: to 0 with std::exp, to about 5.6e-309 with Eigen's array exp). "
            "Softmax is shift invariant, so subtract max(z) first."};
}

}  // namespace celab::grader

#include "diagnose.hpp"

#include "compare.hpp"
#include "descriptor.hpp"

#include <cmath>

namespace celab::grader {

namespace {

using Eigen::MatrixXd;

// Matching a candidate is looser than passing a check: the student's code rounds differently.
constexpr Tolerance match_tolerance{1e-9, 1e-6};
// Float arithmetic is off by about 6e-8 relative, a few times that after a few operations.
constexpr Tolerance precision_tolerance{1e-9, 1e-5};

bool matches(const MatrixXd& got, const MatrixXd& candidate) {
    return candidate.size() > 0 && compare(got, candidate, match_tolerance).ok;
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
            const MatrixXd candidate = c.output();
            if (matches(out, candidate) && !matches(candidate, expected.data)) return Diagnosis{c.mistake, c.text};
        }
    }
    // Right to about seven digits and no more: the mark of single precision somewhere.
    if (compare(out, expected.data, precision_tolerance).ok)
        return Diagnosis{"single_precision",
                         "right to about 7 significant digits only: is a float (or an f-suffixed constant, or "
                         "std::expf) somewhere in the computation? Use double throughout."};
    return std::nullopt;
}

Diagnosis stateful_diagnosis() {
    return {"stateful",
            "keeps state between calls: the same input gave a different result the second time, or new inputs of "
            "the same shape got an earlier call's answer. A static or global buffer that is never reset, or a "
            "cache keyed by the size or the address of the input? Compute everything from the arguments."};
}

Diagnosis unstable_diagnosis() {
    return {"no_max_subtraction",
            "right for moderate logits but wrong once they are shifted by about 1000: forgot to subtract the max "
            "(exp overflows or underflows). Softmax is shift invariant, so subtract max(z) first."};
}

}  // namespace celab::grader

// Generated test cases: random inputs drawn from a "generate" block of a case file.
//
// Reproducibility: every generated case has its own random stream, seeded from
// (seed, exercise, case name, k), so adding or removing a case elsewhere changes nothing. The
// stream is std::mt19937_64 (its output is fixed by the C++ standard) turned into uniform and
// normal numbers by the transforms below, which use only IEEE-exact operations (+ - * /, sqrt,
// frexp, ldexp) -- never std::*_distribution or libm's exp/log, whose results differ between
// standard libraries. So one seed gives bit-identical cases on every platform.
#pragma once

#include "model.hpp"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace celab::grader::cases {

// The parameters of a "generate" block, already validated by the loader (case_file.cpp).
// Ranges are inclusive [min, max]; a single value is stored as [v, v].
struct GenerateSpec {
    int count = 1;                                    // cases NAME#1 .. NAME#count
    std::pair<long long, long long> classes{2, 50};   // V, uniform integer
    std::pair<long long, long long> rows{1, 8};       // N (batch exercises; reduce: number of losses)
    std::pair<double, double> scale{0.1, 10.0};       // log-uniform; logits = scale * standard normal
    std::pair<double, double> offset{0.0, 0.0};       // uniform shift, one per row
    bool soft_targets = false;                        // random distributions instead of one-hot rows
    double label_smoothing = 0.0;                     // y = (1-a) onehot + a/V
    double mask = 0.0;                                // probability a logit is -inf (never the target)
    std::optional<Reduction> reduction;               // unset: cycle by k (see generate_one)
    double zero_probs = 0.0;                          // probability a prob is exactly 0 (from_probs)
    double eps = 1e-7;                                // from_probs clamp
    std::optional<long long> target;                  // a fixed class index (single-example exercises); unset: drawn
};

// Limits the loader enforces (and the docs quote).
inline constexpr int max_generate_count = 1000;
inline constexpr long long max_generated_entries = 10'000'000;  // N * V of one case
inline constexpr long long max_generated_entries_per_block = 50'000'000;  // count * N * V of one "generate"

// ---- portable random numbers ----------------------------------------------------------------
// log and exp from IEEE-exact operations only, accurate to a few ulp: the same bits everywhere.
double portable_log(double x);  // x > 0
double portable_exp(double x);

class Random {
public:
    explicit Random(std::uint64_t seed) : engine_(seed) {}
    double uniform();                                  // [0, 1), 53 random bits
    double uniform(double lo, double hi);              // [lo, hi)
    double log_uniform(double lo, double hi);          // lo * (hi/lo)^u, lo > 0
    long long integer(long long lo, long long hi);     // uniform in [lo, hi]
    bool chance(double p) { return uniform() < p; }
    double normal();                                   // standard normal (Marsaglia-Tsang ziggurat)

private:
    std::mt19937_64 engine_;
};

// The seed of generated case k (1-based) of case `name` of `exercise`.
std::uint64_t case_seed(unsigned long long seed, Exercise exercise, const std::string& name, int k);

// Case k (1-based) of a generated case: `base` gives the exercise, name and the grading fields
// (visibility, points, checks, tolerances, hint); the result is named "NAME#k" with fresh inputs.
// Reduction when spec.reduction is unset: grad_batch cycles mean, sum, none; reduce cycles mean, sum.
Case generate_one(const Case& base, const GenerateSpec& spec, unsigned long long seed, int k);
// All spec.count cases of `base`.
std::vector<Case> generate(const Case& base, const GenerateSpec& spec, unsigned long long seed);

}  // namespace celab::grader::cases

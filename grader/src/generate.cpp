#include "generate.hpp"

#include "descriptor.hpp"
#include "fnv1a.hpp"

#include <array>
#include <cmath>
#include <limits>

namespace celab::grader::cases {

namespace {

constexpr double ln2_hi = 6.93147180369123816490e-01;  // Cody-Waite split of ln 2 (fdlibm):
constexpr double ln2_lo = 1.90821492927058770002e-10;  // k * ln2_hi is exact for |k| < 2^11
constexpr double inv_ln2 = 1.44269504088896338700e+00;
constexpr double sqrt_half = 0.70710678118654752440;
constexpr double inf = std::numeric_limits<double>::infinity();

// 1/n and 1/(2n+1), folded at compile time (correctly rounded, so identical everywhere).
constexpr std::array<double, 19> reciprocals() {
    std::array<double, 19> r{};
    for (int n = 1; n < 19; ++n) r[n] = 1.0 / n;
    return r;
}
constexpr std::array<double, 13> odd_reciprocals() {
    std::array<double, 13> r{};
    for (int n = 0; n < 13; ++n) r[n] = 1.0 / (2 * n + 1);
    return r;
}
constexpr std::array<double, 19> inv = reciprocals();
constexpr std::array<double, 13> inv_odd = odd_reciprocals();

std::uint64_t splitmix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t hash_field(std::uint64_t h, const std::string& text) {
    const unsigned char terminator = 0xff;  // so that ("ab", "c") and ("a", "bc") differ
    return fnv1a::add(fnv1a::add(h, text.data(), text.size()), &terminator, 1);
}

// One row of random logits: z_i = offset + scale * normal, some masked to -inf.
struct LogitRow {
    Eigen::VectorXd z;
    std::vector<int> unmasked;  // indices of finite logits (filled only when masking)
    bool masked_any = false;
};

void draw_logits(Random& rng, long long classes, const GenerateSpec& spec, LogitRow& row) {
    const double scale = rng.log_uniform(spec.scale.first, spec.scale.second);
    const double shift = rng.uniform(spec.offset.first, spec.offset.second);
    row.z.resize(classes);
    double* z = row.z.data();
    for (long long i = 0; i < classes; ++i) z[i] = shift + scale * rng.normal();
    row.unmasked.clear();
    row.masked_any = false;
    if (spec.mask <= 0.0) return;
    std::vector<char> masked(static_cast<std::size_t>(classes), 0);
    for (char& m : masked) m = rng.chance(spec.mask) ? 1 : 0;
    bool any_finite = false;
    for (char m : masked) any_finite = any_finite || m == 0;
    if (!any_finite) masked[static_cast<std::size_t>(rng.integer(0, classes - 1))] = 0;  // never a whole row
    for (std::size_t i = 0; i < masked.size(); ++i) {
        if (masked[i] != 0) {
            z[i] = -inf;
            row.masked_any = true;
        } else {
            row.unmasked.push_back(static_cast<int>(i));
        }
    }
}

// A class to be the target: never masked; when `avoid_argmax` (and there is a choice), never the
// largest value either, so a submission cannot pass by treating the target as the max.
int draw_target(Random& rng, const double* values, long long size, const std::vector<int>& allowed, bool use_allowed,
                bool avoid_argmax) {
    const long long count = use_allowed ? static_cast<long long>(allowed.size()) : size;
    auto at = [&](long long j) { return use_allowed ? allowed[static_cast<std::size_t>(j)] : static_cast<int>(j); };
    long long best = 0;
    for (long long j = 1; j < count; ++j) {
        if (values[at(j)] > values[at(best)]) best = j;
    }
    if (!avoid_argmax || count < 2) return at(rng.integer(0, count - 1));
    long long j = rng.integer(0, count - 2);  // uniform over the count - 1 others
    if (j == best) j = count - 1;
    return at(j);
}

// A random probability distribution over the allowed classes (uniform on the simplex:
// y_i = -log u_i, normalised), 0 elsewhere.
void draw_distribution(Random& rng, Eigen::MatrixXd& Y, Eigen::Index n, const LogitRow* row) {
    const Eigen::Index classes = Y.cols();
    double sum = 0.0;
    for (Eigen::Index i = 0; i < classes; ++i) {
        const bool masked = row != nullptr && std::isinf(row->z[i]);
        const double y = masked ? 0.0 : -portable_log(1.0 - rng.uniform());  // 1 - u in (0, 1]
        Y(n, i) = y;
        sum += y;
    }
    if (sum <= 0.0) {  // every draw was exactly 0 (u = 0): vanishingly rare; fall back to one-hot
        const Eigen::Index t = row != nullptr && !row->unmasked.empty() ? row->unmasked.front() : 0;
        Y(n, t) = 1.0;
        return;
    }
    Y.row(n) /= sum;
}

// Row n of the targets: a distribution, or one-hot at `target` with label smoothing a:
// y = (1 - a) onehot + a / V.
void fill_target_row(Random& rng, const GenerateSpec& spec, Eigen::MatrixXd& Y, Eigen::Index n, int target,
                     const LogitRow* row) {
    if (spec.soft_targets) {
        draw_distribution(rng, Y, n, row);
        return;
    }
    const double a = spec.label_smoothing;
    const double classes = static_cast<double>(Y.cols());
    if (a > 0.0) Y.row(n).setConstant(a / classes);
    Y(n, target) += 1.0 - a;
}

Reduction cycled_reduction(Exercise e, int k) {
    const std::vector<Reduction>& cycle = e->generated_reductions;
    if (cycle.empty()) return Reduction::Mean;
    return cycle[static_cast<std::size_t>(k - 1) % cycle.size()];
}

}  // namespace

// ---- portable maths ---------------------------------------------------------------------------

double portable_log(double x) {
    if (std::isnan(x) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
    if (x == 0.0) return -inf;
    if (std::isinf(x)) return x;
    int e = 0;
    double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1), exact
    if (m < sqrt_half) {           // move m into [sqrt(1/2), sqrt(2)) so |s| <= 0.172
        m *= 2.0;
        --e;
    }
    // log m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m - 1) / (m + 1); s^2 <= 0.0295
    const double s = (m - 1.0) / (m + 1.0);
    const double s2 = s * s;
    double series = 0.0;
    for (int n = 12; n >= 0; --n) series = series * s2 + inv_odd[static_cast<std::size_t>(n)];
    // log x = e ln 2 + log m
    const double de = static_cast<double>(e);
    return de * ln2_hi + (de * ln2_lo + 2.0 * s * series);
}

double portable_exp(double x) {
    if (std::isnan(x)) return x;
    if (x > 709.782712893384) return inf;
    if (x < -745.2) return 0.0;
    // x = k ln 2 + r, |r| <= ln(2)/2; e^x = 2^k e^r
    const double k = std::floor(x * inv_ln2 + 0.5);
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    // e^r = 1 + r (1 + r/2 (1 + r/3 (...))): Taylor to r^18/18!, below 1e-19 for |r| <= 0.35
    double series = 1.0;
    for (int n = 18; n >= 1; --n) series = 1.0 + series * r * inv[static_cast<std::size_t>(n)];
    return std::ldexp(series, static_cast<int>(k));
}

// ---- Random -------------------------------------------------------------------------------------

double Random::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Random::uniform(double lo, double hi) { return lo == hi ? lo : lo + (hi - lo) * uniform(); }

double Random::log_uniform(double lo, double hi) {
    if (lo == hi) return lo;
    return lo * portable_exp(uniform() * portable_log(hi / lo));  // log-uniform: lo (hi/lo)^u
}

long long Random::integer(long long lo, long long hi) {
    const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1U;
    return lo + static_cast<long long>(engine_() % span);  // bias <= span / 2^64: negligible
}

namespace {

// Tables of the ziggurat method (Marsaglia and Tsang, "The Ziggurat Method for Generating Random
// Variables", J. Stat. Softw. 5(8), 2000): 128 layers of equal area under exp(-x^2/2).
// Built with portable_exp/log, so identical everywhere.
struct Ziggurat {
    static constexpr double r = 3.442619855899;       // start of the tail
    static constexpr double area = 9.91256303526217e-3;  // of each layer
    static constexpr double m = 2147483648.0;          // 2^31: draws are signed 32-bit integers
    std::array<double, 128> k{};                       // |hz| < k[i]: inside the layer's rectangle
    std::array<double, 128> w{};                       // hz * w[i] is the sample
    std::array<double, 128> f{};                       // exp(-x_i^2 / 2) at the layer edges

    Ziggurat() {
        double d = r;
        double t = r;
        const double q = area / portable_exp(-0.5 * d * d);
        k[0] = (d / q) * m;
        k[1] = 0.0;
        w[0] = q / m;
        w[127] = d / m;
        f[0] = 1.0;
        f[127] = portable_exp(-0.5 * d * d);
        for (int i = 126; i >= 1; --i) {
            const auto u = static_cast<std::size_t>(i);
            d = std::sqrt(-2.0 * portable_log(area / d + portable_exp(-0.5 * d * d)));
            k[u + 1] = (d / t) * m;
            t = d;
            f[u] = portable_exp(-0.5 * d * d);
            w[u] = d / m;
        }
    }
};

const Ziggurat& ziggurat() {
    static const Ziggurat table;
    return table;
}

}  // namespace

double Random::normal() {
    // Ziggurat: one 64-bit draw per sample almost always (its low 7 bits pick the layer, its high
    // 32 bits the signed position, so the two are independent); the rare rest falls back to the
    // exact wedge and tail tests.
    const Ziggurat& z = ziggurat();
    for (;;) {
        const std::uint64_t bits = engine_();
        const std::size_t layer = static_cast<std::size_t>(bits & 127U);
        const double hz = static_cast<double>(static_cast<std::int64_t>(bits >> 32) - 2147483648LL);  // [-2^31, 2^31)
        const double x = hz * z.w[layer];
        if (std::abs(hz) < z.k[layer]) return x;  // inside the rectangle: ~99% of draws
        if (layer == 0) {
            // the tail beyond r (Marsaglia 1964): x = -log(u1) / r until 2 y > x^2, y = -log(u2)
            double tx = 0.0;
            double ty = 0.0;
            do {
                tx = -portable_log(1.0 - uniform()) / Ziggurat::r;
                ty = -portable_log(1.0 - uniform());
            } while (ty + ty < tx * tx);
            return hz > 0 ? Ziggurat::r + tx : -Ziggurat::r - tx;
        }
        // the wedge between the rectangle and the curve: accept under exp(-x^2/2)
        if (z.f[layer] + uniform() * (z.f[layer - 1] - z.f[layer]) < portable_exp(-0.5 * x * x)) return x;
    }
}

std::uint64_t case_seed(unsigned long long seed, Exercise exercise, const std::string& case_name, int k) {
    std::uint64_t h = fnv1a::offset_basis;
    h = hash_field(h, name(exercise));
    h = hash_field(h, case_name);
    h = splitmix64(h ^ splitmix64(static_cast<std::uint64_t>(seed)));
    return splitmix64(h ^ static_cast<std::uint64_t>(k));
}

// ---- generation ---------------------------------------------------------------------------------

Case generate_one(const Case& base, const GenerateSpec& spec, unsigned long long seed, int k) {
    Case c = base;
    c.name = base.name + "#" + std::to_string(k);
    c.expected.reset();
    c.expect_invalid_argument = false;
    Random rng(case_seed(seed, base.exercise, base.name, k));
    const bool avoid_argmax = k % 2 == 1;  // odd cases never target the largest logit
    const long long classes = rng.integer(spec.classes.first, spec.classes.second);
    const long long rows = rng.integer(spec.rows.first, spec.rows.second);
    const Reduction reduction = spec.reduction ? *spec.reduction : cycled_reduction(base.exercise, k);
    Inputs& in = c.inputs;
    in = Inputs{};
    LogitRow row;

    const Exercise e = base.exercise;
    if (e->takes(Field::logits_vector)) {
        draw_logits(rng, classes, spec, row);
        in.target = draw_target(rng, row.z.data(), classes, row.unmasked, row.masked_any, avoid_argmax);
        if (spec.target) {
            in.target = static_cast<int>(*spec.target);  // the loader checked it is below every class count
            if (std::isinf(row.z[in.target])) row.z[in.target] = spec.offset.first;  // never a masked target
        }
        in.z = std::move(row.z);
    } else if (e->takes(Field::logits_matrix)) {
        const bool targets = e->takes(Field::targets);
        in.Z.resize(rows, classes);
        if (targets) in.Y = Eigen::MatrixXd::Zero(rows, classes);
        for (Eigen::Index n = 0; n < rows; ++n) {
            draw_logits(rng, classes, spec, row);
            in.Z.row(n) = row.z.transpose();
            if (!targets) continue;
            const int target = draw_target(rng, row.z.data(), classes, row.unmasked, row.masked_any, avoid_argmax);
            fill_target_row(rng, spec, in.Y, n, target, &row);
        }
    } else if (e->takes(Field::probs)) {
        in.P.resize(rows, classes);
        in.Y = Eigen::MatrixXd::Zero(rows, classes);
        in.eps = spec.eps;
        std::vector<double> p(static_cast<std::size_t>(classes));
        const std::vector<int> none;
        for (Eigen::Index n = 0; n < rows; ++n) {
            // p = softmax(scale * normal), then some entries set to exactly 0 and the row renormalised
            const double scale = rng.log_uniform(spec.scale.first, spec.scale.second);
            double max = -inf;
            for (double& x : p) {
                x = scale * rng.normal();
                max = std::max(max, x);
            }
            for (double& x : p) x = portable_exp(x - max);
            if (spec.zero_probs > 0.0) {
                bool any = false;
                for (double& x : p) {
                    if (rng.chance(spec.zero_probs)) x = 0.0;
                    any = any || x > 0.0;
                }
                if (!any) p[static_cast<std::size_t>(rng.integer(0, classes - 1))] = 1.0;
            }
            double sum = 0.0;
            for (double x : p) sum += x;
            for (Eigen::Index i = 0; i < classes; ++i) in.P(n, i) = p[static_cast<std::size_t>(i)] / sum;
            const int target = draw_target(rng, p.data(), classes, none, false, avoid_argmax);
            fill_target_row(rng, spec, in.Y, n, target, nullptr);
        }
    } else if (e->takes(Field::losses)) {
        // losses are non-negative, like cross-entropies: scale * |normal|
        const double scale = rng.log_uniform(spec.scale.first, spec.scale.second);
        in.losses.resize(rows);
        for (Eigen::Index n = 0; n < rows; ++n) in.losses[n] = scale * std::abs(rng.normal());
    }
    if (e->takes(Field::reduction)) in.reduction = reduction;
    c.expect_invalid_argument = e->rejects && e->rejects->applies(in);
    return c;
}

std::vector<Case> generate(const Case& base, const GenerateSpec& spec, unsigned long long seed) {
    std::vector<Case> out;
    out.reserve(static_cast<std::size_t>(spec.count));
    for (int k = 1; k <= spec.count; ++k) out.push_back(generate_one(base, spec, seed, k));
    return out;
}

}  // namespace celab::grader::cases

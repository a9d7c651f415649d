// Shared test helpers: named tolerances, matrix comparisons that say where and by how much,
// a printable random-input sample, and seeded input generators.
//
// Use from a Boost.Test file (define BOOST_TEST_MODULE and include <boost/test/unit_test.hpp> first):
//
//   constexpr celab::test::Tolerance kRounding{1e-12, 1e-12};   // |a - e| <= abs + rel * |e|
//   BOOST_TEST(celab::test::near(expected, actual, kRounding));  // scalars, vectors or matrices
//
//   BOOST_DATA_TEST_CASE(sums_to_one, boost::unit_test::data::make(celab::test::random_samples(40, 7)), s) {
//       const Eigen::MatrixXd z = s.logits();   // s prints as "#3 seed=... 17x250 scale=1e+03 offset=-42"
//   }
//
// Everything here is deterministic: the generators use their own bit-exact uniform and normal
// draws on top of std::mt19937_64, so a seed names the same input on every platform.
#pragma once

#include <Eigen/Core>
#include <boost/test/tools/assertion_result.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace celab::test {

// ---- tolerances -------------------------------------------------------------------------

// A value passes when |actual - expected| <= abs + rel * |expected|. The absolute term covers
// entries near zero (a relative tolerance alone rejects 1e-17 against 0), the relative term
// covers large ones. Equal infinities pass; NaN never passes.
struct Tolerance {
    double abs;
    double rel;

    double allowed(double expected) const { return abs + rel * std::abs(expected); }
    bool accepts(double expected, double actual) const {
        if (std::isnan(expected) || std::isnan(actual)) return false;
        if (std::isinf(expected) || std::isinf(actual)) return expected == actual;
        return std::abs(actual - expected) <= allowed(expected);
    }
};

inline std::ostream& operator<<(std::ostream& os, const Tolerance& t) {
    return os << "{abs=" << t.abs << ", rel=" << t.rel << "}";
}

// ---- comparisons ------------------------------------------------------------------------

// Full-precision text of one double (17 significant digits round-trip exactly).
inline std::string str(double x) {
    std::ostringstream os;
    os << std::setprecision(17) << x;
    return os.str();
}

// Compact text of a small vector or matrix, elided past `max_entries`: "[[1, 2], [3, 4]]".
inline std::string str(const Eigen::MatrixXd& m, Eigen::Index max_entries = 12) {
    std::ostringstream os;
    os << std::setprecision(10) << m.rows() << "x" << m.cols() << " [";
    Eigen::Index shown = 0;
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        os << (r ? ", [" : "[");
        for (Eigen::Index c = 0; c < m.cols(); ++c) {
            if (shown++ == max_entries) {
                os << "...]]";
                return os.str();
            }
            os << (c ? ", " : "") << m(r, c);
        }
        os << "]";
    }
    os << "]";
    return os.str();
}

// Scalar comparison; on failure the message gives expected, actual, error and tolerance.
inline boost::test_tools::predicate_result near(double expected, double actual, Tolerance tol) {
    if (tol.accepts(expected, actual)) return true;
    boost::test_tools::predicate_result r(false);
    r.message() << "expected " << str(expected) << ", actual " << str(actual) << ", error "
                << str(std::abs(actual - expected)) << " > allowed " << tol.allowed(expected) << " "
                << tol;
    return r;
}

// Matrix (or vector: a one-column matrix) comparison, entry by entry. On failure the message
// gives the shape mismatch, or else the worst entry (largest error relative to what is allowed)
// with its index, expected and actual values and error, and how many entries fail.
inline boost::test_tools::predicate_result near(const Eigen::MatrixXd& expected, const Eigen::MatrixXd& actual,
                                                Tolerance tol) {
    if (expected.rows() != actual.rows() || expected.cols() != actual.cols()) {
        boost::test_tools::predicate_result r(false);
        r.message() << "shape mismatch: expected " << expected.rows() << "x" << expected.cols() << ", actual "
                    << actual.rows() << "x" << actual.cols();
        return r;
    }
    Eigen::Index failures = 0, worst_r = 0, worst_c = 0;
    double worst_ratio = -1.0;
    for (Eigen::Index c = 0; c < expected.cols(); ++c) {
        for (Eigen::Index r = 0; r < expected.rows(); ++r) {
            const double e = expected(r, c), a = actual(r, c);
            if (tol.accepts(e, a)) continue;
            ++failures;
            // NaN or a mismatched infinity ranks worst of all
            const double err = std::abs(a - e);
            const double ratio = std::isfinite(err) ? err / tol.allowed(e) : std::numeric_limits<double>::infinity();
            if (ratio > worst_ratio) worst_ratio = ratio, worst_r = r, worst_c = c;
        }
    }
    if (failures == 0) return true;
    boost::test_tools::predicate_result res(false);
    std::ostream& os = res.message().stream();
    os << failures << " of " << expected.size() << " entries differ; worst at ";
    if (expected.cols() == 1) os << "[" << worst_r << "]";
    else os << "(" << worst_r << ", " << worst_c << ")";
    const double e = expected(worst_r, worst_c), a = actual(worst_r, worst_c);
    os << ": expected " << str(e) << ", actual " << str(a) << ", error " << str(std::abs(a - e)) << " > allowed "
       << tol.allowed(e) << " " << tol;
    return res;
}

// Every entry satisfies lo <= x <= hi (NaN fails); on failure names the first offender.
inline boost::test_tools::predicate_result within(const Eigen::MatrixXd& m, double lo, double hi) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
        for (Eigen::Index r = 0; r < m.rows(); ++r) {
            if (m(r, c) >= lo && m(r, c) <= hi) continue;
            boost::test_tools::predicate_result res(false);
            res.message() << "entry (" << r << ", " << c << ") is " << str(m(r, c)) << ", outside [" << lo << ", " << hi
                          << "]";
            return res;
        }
    }
    return true;
}

// ---- seeded generators ------------------------------------------------------------------

// A random stream with its own uniform and normal draws (bit-exact on every platform, unlike
// std::uniform_real_distribution / std::normal_distribution).
class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}

    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    // an integer in [lo, hi]
    Eigen::Index index(Eigen::Index lo, Eigen::Index hi) {
        return lo + static_cast<Eigen::Index>(engine_() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    // standard normal, Box-Muller
    double normal() {
        const double u = 1.0 - uniform();  // (0, 1]
        return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * uniform());
    }
    // log-uniform in [lo, hi], lo > 0: as many draws near 1e-3 as near 1e4
    double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }

    Eigen::MatrixXd normal(Eigen::Index rows, Eigen::Index cols) {
        Eigen::MatrixXd m(rows, cols);
        for (Eigen::Index c = 0; c < cols; ++c)
            for (Eigen::Index r = 0; r < rows; ++r) m(r, c) = normal();
        return m;
    }

private:
    std::mt19937_64 engine_;
};

// [N,V] logits: scale * standard normal + offset.
inline Eigen::MatrixXd random_logits(Rng& rng, Eigen::Index rows, Eigen::Index cols, double scale,
                                     double offset) {
    return (rng.normal(rows, cols).array() * scale + offset).matrix();
}

// N class indices in [0, V).
inline std::vector<int> random_targets(Rng& rng, Eigen::Index rows, Eigen::Index classes) {
    std::vector<int> t(static_cast<std::size_t>(rows));
    for (int& x : t) x = static_cast<int>(rng.index(0, classes - 1));
    return t;
}

// [N,V] one-hot rows: Y(n, t[n]) = 1.
inline Eigen::MatrixXd one_hot(const std::vector<int>& targets, Eigen::Index classes) {
    Eigen::MatrixXd y = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(targets.size()), classes);
    for (std::size_t n = 0; n < targets.size(); ++n) y(static_cast<Eigen::Index>(n), targets[n]) = 1.0;
    return y;
}

// Label smoothing: (1 - alpha) * one_hot + alpha / V, each row still sums to 1.
inline Eigen::MatrixXd smoothed(const std::vector<int>& targets, Eigen::Index classes, double alpha) {
    return ((1.0 - alpha) * one_hot(targets, classes).array() + alpha / static_cast<double>(classes)).matrix();
}

// ---- printable random sample ------------------------------------------------------------

// One random input of a property test: the seed and the parameters that drew it. Printed by
// Boost.Test when a data-driven case fails, so the failure names its input and can be replayed.
struct RandomSample {
    int id;
    std::uint64_t seed;
    Eigen::Index rows;   // N, batch size
    Eigen::Index cols;   // V, classes
    double scale;        // logits = scale * normal + offset
    double offset;

    Eigen::MatrixXd logits() const {
        Rng rng(seed);
        return random_logits(rng, rows, cols, scale, offset);
    }
    std::vector<int> targets() const {
        Rng rng(seed ^ 0x9e3779b97f4a7c15ULL);
        return random_targets(rng, rows, cols);
    }
    // the first row of logits() as a vector, for the single-example functions
    Eigen::VectorXd vector() const { return logits().row(0).transpose(); }
};

inline std::ostream& operator<<(std::ostream& os, const RandomSample& s) {
    return os << "#" << s.id << " seed=" << s.seed << " " << s.rows << "x" << s.cols << " scale=" << s.scale
              << " offset=" << s.offset;
}

// `count` samples from one master seed: N in [1, max_rows], V in [1, max_cols] (log-uniform, so
// small and large sizes both occur; the first samples pin the corners V=1, N=1, V=max_cols),
// scale log-uniform in [1e-3, 1e4], offset 0 for a third of them, else uniform in [-1e4, 1e4].
inline std::vector<RandomSample> random_samples(int count, std::uint64_t master_seed, Eigen::Index max_rows = 50,
                                                Eigen::Index max_cols = 2000) {
    Rng rng(master_seed);
    std::vector<RandomSample> out;
    for (int i = 0; i < count; ++i) {
        RandomSample s{};
        s.id = i;
        s.seed = master_seed * 1000003ULL + static_cast<std::uint64_t>(i);
        s.rows = static_cast<Eigen::Index>(std::floor(rng.log_uniform(1.0, static_cast<double>(max_rows) + 1.0)));
        s.cols = static_cast<Eigen::Index>(std::floor(rng.log_uniform(1.0, static_cast<double>(max_cols) + 1.0)));
        s.rows = std::min(s.rows, max_rows);
        s.cols = std::min(s.cols, max_cols);
        if (i == 0) s.cols = 1;
        if (i == 1) s.rows = 1;
        if (i == 2) s.cols = max_cols;
        s.scale = rng.log_uniform(1e-3, 1e4);
        s.offset = (i % 3 == 0) ? 0.0 : rng.uniform(-1e4, 1e4);
        out.push_back(s);
    }
    return out;
}

}  // namespace celab::test

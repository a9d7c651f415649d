// Alternative (correct, written differently) of exercises/softmax.cpp: the max and the sum of large inputs are
// split across std::thread workers, and softmax_rows runs one thread per row. The grader (and its sandbox) must
// accept it. Used by the grader's self-test: see tests/mutants/catalogue.json.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>
#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace celab {

namespace {
template <typename F>
std::vector<double> parallel(Eigen::Index n, F f) {  // f(begin, end) -> double, on 4 threads
    const int k = n > 4096 ? 4 : 1;
    std::vector<double> part(k);
    std::vector<std::thread> pool;
    for (int t = 0; t < k; ++t)
        pool.emplace_back([&, t] { part[t] = f(n * t / k, n * (t + 1) / k); });
    for (auto& th : pool) th.join();
    return part;
}
double max_of(const double* z, Eigen::Index n) {
    auto p = parallel(n, [&](Eigen::Index b, Eigen::Index e) {
        double m = -std::numeric_limits<double>::infinity();
        for (Eigen::Index i = b; i < e; ++i) m = std::max(m, z[i]);
        return m; });
    return *std::max_element(p.begin(), p.end());
}
double sum_exp(const double* z, Eigen::Index n, double m) {
    auto p = parallel(n, [&](Eigen::Index b, Eigen::Index e) {
        double s = 0; for (Eigen::Index i = b; i < e; ++i) s += std::exp(z[i] - m); return s; });
    double s = 0; for (double x : p) s += x; return s;
}
}  // namespace
Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    const double m = max_of(logits.data(), logits.size());
    const double s = sum_exp(logits.data(), logits.size(), m);
    Eigen::VectorXd p(logits.size());
    for (Eigen::Index i = 0; i < p.size(); ++i) p[i] = std::exp(logits[i] - m) / s;
    return p;
}
Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "softmax_rows");
    Eigen::MatrixXd p(logits.rows(), logits.cols());
    // rows split into at most 4 contiguous blocks, one thread each
    const Eigen::Index rows = logits.rows();
    const Eigen::Index k = rows < 4 ? rows : 4;
    std::vector<std::thread> pool;
    for (Eigen::Index t = 0; t < k; ++t) {
        pool.emplace_back([&, t] {
            for (Eigen::Index n = rows * t / k; n < rows * (t + 1) / k; ++n) {
                const double m = logits.row(n).maxCoeff();
                double s = 0.0;
                for (Eigen::Index i = 0; i < logits.cols(); ++i) s += std::exp(logits(n, i) - m);
                for (Eigen::Index i = 0; i < logits.cols(); ++i) p(n, i) = std::exp(logits(n, i) - m) / s;
            }
        });
    }
    for (auto& th : pool) th.join();
    return p;
}
Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& logits) {
    validate::logits_rows(logits, "log_softmax_rows");
    Eigen::MatrixXd out(logits.rows(), logits.cols());
    // rows split into at most 4 contiguous blocks, one thread each
    const Eigen::Index rows = logits.rows();
    const Eigen::Index k = rows < 4 ? rows : 4;
    std::vector<std::thread> pool;
    for (Eigen::Index t = 0; t < k; ++t) {
        pool.emplace_back([&, t] {
            for (Eigen::Index n = rows * t / k; n < rows * (t + 1) / k; ++n) {
                const double m = logits.row(n).maxCoeff();
                double s = 0.0;
                for (Eigen::Index i = 0; i < logits.cols(); ++i) s += std::exp(logits(n, i) - m);
                const double log_s = std::log(s);
                for (Eigen::Index i = 0; i < logits.cols(); ++i) out(n, i) = (logits(n, i) - m) - log_s;
            }
        });
    }
    for (auto& th : pool) th.join();
    return out;
}
double log_sum_exp(const Eigen::VectorXd& logits) {
    validate::nonempty(logits, "log_sum_exp", "logits");
    if (logits.hasNaN()) validate::fail("log_sum_exp", "logits contain NaN");
    const double m = max_of(logits.data(), logits.size());
    if (!std::isfinite(m)) return m;
    return m + std::log(sum_exp(logits.data(), logits.size(), m));
}
}  // namespace celab

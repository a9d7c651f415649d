// Tests of the case files: the shipped visible cases, decoding, generated cases and the rejection
// of every malformed file in tests/malformed/ (each NAME.json with the message fragment in NAME.expect).
// Runs with the repository root as working directory.
#define BOOST_TEST_MODULE case_file
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "case_file.hpp"
#include "checks.hpp"
#include "descriptor.hpp"
#include "generate.hpp"

#include <celab/exercises.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <unistd.h>

namespace fs = std::filesystem;
namespace data = boost::unit_test::data;
namespace tt = boost::test_tools;
using namespace celab::grader;
using celab::Reduction;

namespace {

constexpr unsigned long long seed = 20240601ULL;
const double minus_inf = -std::numeric_limits<double>::infinity();

// Named tolerances: |actual - expected| <= abs + rel * |expected|.
struct Tol {
    double abs;
    double rel;
};
constexpr Tol reference_vs_file{1e-12, 1e-12};  // hand-computed (50-digit) expected values vs the reference
constexpr Tol distribution_sum{1e-9, 0.0};       // a row of targets or probabilities sums to 1
constexpr Tol portable_vs_libm{0.0, 4e-16};      // portable_log/exp vs libm, a couple of ulp

// Compares two matrices: shape first, then the worst entry (where, expected, actual, by how much).
tt::predicate_result close(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& expected, Tol tol) {
    if (actual.rows() != expected.rows() || actual.cols() != expected.cols()) {
        tt::predicate_result r(false);
        r.message() << "shape " << actual.rows() << "x" << actual.cols() << " != expected " << expected.rows() << "x"
                    << expected.cols();
        return r;
    }
    double worst = 0.0;
    Eigen::Index wr = 0;
    Eigen::Index wc = 0;
    for (Eigen::Index r = 0; r < actual.rows(); ++r) {
        for (Eigen::Index c = 0; c < actual.cols(); ++c) {
            const double a = actual(r, c);
            const double e = expected(r, c);
            const double excess = (a == e) ? 0.0 : std::abs(a - e) - (tol.abs + tol.rel * std::abs(e));
            if (std::isnan(excess) || excess > worst) {
                worst = std::isnan(excess) ? std::numeric_limits<double>::infinity() : excess;
                wr = r;
                wc = c;
            }
        }
    }
    if (worst <= 0.0) return true;
    tt::predicate_result r(false);
    r.message() << "at (" << wr << ", " << wc << "): expected " << expected(wr, wc) << ", actual " << actual(wr, wc)
                << ", off by " << std::abs(actual(wr, wc) - expected(wr, wc)) << " (allowed " << tol.abs << " + "
                << tol.rel << " * |expected|)";
    return r;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A fresh, empty folder under the system temp dir, removed at scope exit.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& tag) {
        path = fs::temp_directory_path() / ("celab_cases_" + tag + "_" + std::to_string(::getpid()));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

std::vector<Case> load(const std::string& text) { return cases::load_text(text, "inline.json", seed); }

const Case& find_case(const std::vector<Case>& all, const std::string& case_name) {
    const auto it = std::find_if(all.begin(), all.end(), [&](const Case& c) { return c.name == case_name; });
    if (it == all.end()) throw std::runtime_error("no case named " + case_name);
    return *it;
}

Eigen::Index classes_of(const Case& c) {
    if (c.exercise == exercise_named("reduce")) return 1;
    if (c.exercise == exercise_named("cross_entropy_from_probs")) return c.inputs.P.cols();
    if (c.inputs.Z.size() > 0) return c.inputs.Z.cols();
    return c.inputs.z.size();
}

Eigen::Index rows_of(const Case& c) {
    if (c.exercise == exercise_named("reduce")) return c.inputs.losses.size();
    if (c.exercise == exercise_named("cross_entropy_from_probs")) return c.inputs.P.rows();
    if (c.inputs.Z.size() > 0) return c.inputs.Z.rows();
    return 1;
}

// Runs the reference on a case; returns its output as a matrix (scalar 1x1, vector Vx1).
Eigen::MatrixXd run_reference(const Case& c) { return c.exercise->call(reference(), c.inputs).data; }

bool has_target(Exercise e) { return e->takes(Field::target) || e->takes(Field::targets); }

bool same_inputs(const Inputs& a, const Inputs& b) {
    auto eq = [](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
        if (x.rows() != y.rows() || x.cols() != y.cols()) return false;
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            const double u = x.data()[i];
            const double v = y.data()[i];
            if (!(u == v || (std::isnan(u) && std::isnan(v)))) return false;
        }
        return true;
    };
    return eq(a.z, b.z) && a.target == b.target && eq(a.Z, b.Z) && eq(a.P, b.P) && eq(a.Y, b.Y) && a.eps == b.eps &&
           a.reduction == b.reduction && eq(a.losses, b.losses);
}

}  // namespace

// ---- the shipped visible cases --------------------------------------------------------------------

struct ShippedFile {
    Exercise exercise;
};
std::ostream& operator<<(std::ostream& os, const ShippedFile& f) { return os << "grader/cases/" << name(f.exercise) << ".json"; }

std::vector<ShippedFile> shipped_files() {
    std::vector<ShippedFile> out;
    for (Exercise e : all_exercises()) out.push_back({e});
    return out;
}

fs::path shipped_path(Exercise e) { return fs::path("grader/cases") / (std::string(name(e)) + ".json"); }

BOOST_DATA_TEST_CASE(shipped_file_loads_with_a_modest_number_of_visible_cases, data::make(shipped_files()), file) {
    const std::vector<Case> all = cases::load_file(shipped_path(file.exercise), seed);
    BOOST_TEST(all.size() >= 10U);
    BOOST_TEST(all.size() <= 35U);
    for (const Case& c : all) {
        BOOST_TEST_CONTEXT("case " << c.name) {
            BOOST_TEST(name(c.exercise) == name(file.exercise));
            BOOST_TEST((c.visibility == Visibility::visible));
            BOOST_TEST(c.file == shipped_path(file.exercise).string());
        }
    }
}

// Every shipped case is valid input for the reference, and every hand-computed "expected" matches it.
BOOST_DATA_TEST_CASE(shipped_cases_agree_with_the_reference, data::make(shipped_files()), file) {
    int with_expected = 0;
    for (const Case& c : cases::load_file(shipped_path(file.exercise), seed)) {
        BOOST_TEST_CONTEXT("case " << c.name) {
            if (c.expect_invalid_argument) {
                BOOST_CHECK_THROW(run_reference(c), std::invalid_argument);
                continue;
            }
            const Eigen::MatrixXd actual = run_reference(c);
            // finite, except -inf where it is the answer: the LSE of only masked logits (log 0), or the
            // log-probability of a masked logit
            const bool all_masked = c.inputs.z.size() > 0 && (c.inputs.z.array() == minus_inf).all();
            const bool plus_inf = c.inputs.z.size() > 0 && (c.inputs.z.array() == -minus_inf).any();  // LSE = +inf
            for (Eigen::Index i = 0; i < actual.rows(); ++i) {
                for (Eigen::Index j = 0; j < actual.cols(); ++j) {
                    if (std::isfinite(actual(i, j))) continue;
                    const bool masked_entry = c.inputs.Z.rows() == actual.rows() && c.inputs.Z.cols() == actual.cols() &&
                                              c.inputs.Z(i, j) == minus_inf;
                    BOOST_TEST(((actual(i, j) == minus_inf && (all_masked || masked_entry)) ||
                                (actual(i, j) == -minus_inf && plus_inf)),
                               "entry (" << i << ", " << j << ") is " << actual(i, j));
                }
            }
            if (c.expected) {
                ++with_expected;
                BOOST_TEST(close(actual, c.expected->data, reference_vs_file));
            }
        }
    }
    BOOST_TEST(with_expected >= 1);  // each file pins some values independently of the reference
}

// The brief's list of what the visible cases must contain.
BOOST_AUTO_TEST_CASE(shipped_cases_cover_the_required_situations) {
    std::map<Exercise, std::vector<Case>> by;
    for (const Case& c : cases::load_dirs({"grader/cases"}, seed)) by[c.exercise].push_back(c);
    BOOST_TEST(by.size() == all_exercises().size());

    auto any = [&](Exercise e, auto predicate) { return std::any_of(by[e].begin(), by[e].end(), predicate); };
    auto has_minus_inf = [](const Eigen::MatrixXd& m) { return (m.array() == -std::numeric_limits<double>::infinity()).any(); };

    // the big ones
    BOOST_TEST(any(exercise_named("softmax"), [](const Case& c) { return c.inputs.z.size() >= 100000; }));
    BOOST_TEST(any(exercise_named("cross_entropy_grad"), [](const Case& c) { return c.inputs.z.size() >= 100000; }));
    BOOST_TEST(any(exercise_named("cross_entropy_grad_batch"), [](const Case& c) { return c.inputs.Z.size() >= 1000000; }));
    // the seed examples
    BOOST_TEST(any(exercise_named("cross_entropy_grad"), [](const Case& c) {
        return c.inputs.z.size() == 3 && c.inputs.z.isZero() && c.inputs.target == 1;
    }));
    BOOST_TEST(any(exercise_named("cross_entropy_from_logits"), [](const Case& c) {
        return c.inputs.Z.rows() == 3 && c.inputs.Z.cols() == 4 && c.inputs.Z(0, 0) == 2.0 && c.inputs.Y(1, 1) == 1.0;
    }));
    for (Exercise e : {exercise_named("softmax"), exercise_named("log_sum_exp"), exercise_named("cross_entropy"), exercise_named("cross_entropy_grad")}) {
        BOOST_TEST_CONTEXT(name(e)) {
            BOOST_TEST(any(e, [](const Case& c) { return c.inputs.z.size() == 1; }));                      // V = 1
            BOOST_TEST(any(e, [&](const Case& c) { return has_minus_inf(c.inputs.z); }));                  // masked
            BOOST_TEST(any(e, [](const Case& c) { return c.inputs.z.size() == 3 && c.inputs.z[0] == 1000; }));
            BOOST_TEST(any(e, [](const Case& c) { return c.inputs.z.size() == 3 && c.inputs.z[0] == -1000 && c.inputs.z[1] == 0; }));
            BOOST_TEST(any(e, [](const Case& c) { return c.inputs.z.size() == 3 && c.inputs.z.maxCoeff() == -1000; }));
            BOOST_TEST(any(e, [](const Case& c) { return c.inputs.z.size() == 2 && c.inputs.z[1] == -1000; }));
            BOOST_TEST(any(e, [](const Case& c) { return c.inputs.z.size() == 2 && c.inputs.z[1] == -40; }));
        }
    }
    for (Exercise e : {exercise_named("cross_entropy"), exercise_named("cross_entropy_grad")}) {
        BOOST_TEST(any(e, [](const Case& c) {  // V > 8 with the target not the argmax, written out
            Eigen::Index argmax = 0;
            c.inputs.z.maxCoeff(&argmax);
            return c.name.find('#') == std::string::npos && c.inputs.z.size() > 8 && argmax != c.inputs.target;
        }));
    }
    for (Exercise e : {exercise_named("softmax_rows"), exercise_named("cross_entropy_from_logits"), exercise_named("cross_entropy_grad_batch")}) {
        BOOST_TEST_CONTEXT(name(e)) {
            // non-square, N > 1, rows far apart (a batch max or the wrong axis fails these)
            BOOST_TEST(any(e, [](const Case& c) {
                const Eigen::MatrixXd& Z = c.inputs.Z;
                if (Z.rows() < 2 || Z.rows() == Z.cols() || !Z.allFinite()) return false;
                const Eigen::VectorXd m = Z.rowwise().maxCoeff();
                return m.maxCoeff() - m.minCoeff() > 1000;
            }));
            BOOST_TEST(any(e, [&](const Case& c) { return has_minus_inf(c.inputs.Z); }));
        }
    }
    for (Exercise e : {exercise_named("cross_entropy_from_logits"), exercise_named("cross_entropy_grad_batch"),
                       exercise_named("cross_entropy_from_probs")}) {
        BOOST_TEST_CONTEXT(name(e)) {
            BOOST_TEST(any(e, [](const Case& c) {  // soft targets or label smoothing
                return ((c.inputs.Y.array() > 0.0) && (c.inputs.Y.array() < 1.0)).any();
            }));
        }
    }
    // from_probs: a zero probability at a target (the clamp)
    BOOST_TEST(any(exercise_named("cross_entropy_from_probs"), [](const Case& c) {
        return ((c.inputs.P.array() == 0.0) && (c.inputs.Y.array() == 1.0)).any();
    }));
    // reductions: all three for grad_batch, all three for reduce with N > 1
    for (Reduction r : {Reduction::Mean, Reduction::Sum, Reduction::None}) {
        BOOST_TEST(any(exercise_named("cross_entropy_grad_batch"), [&](const Case& c) {
            return c.inputs.reduction == r && c.inputs.Z.rows() > 1;
        }));
        BOOST_TEST(any(exercise_named("reduce"), [&](const Case& c) {
            return c.inputs.reduction == r && c.inputs.losses.size() > 1 && c.expect_invalid_argument == (r == Reduction::None);
        }));
    }
    // generated cases everywhere
    for (Exercise e : all_exercises()) {
        BOOST_TEST_CONTEXT(name(e)) {
            BOOST_TEST(any(e, [](const Case& c) { return c.name.find('#') != std::string::npos; }));
        }
    }
}

// ---- decoding ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(the_example_of_the_brief_loads) {
    const std::vector<Case> all = load(R"({
      "exercise": "cross_entropy_grad",
      "defaults": {"visibility": "visible", "points": 1, "tolerance": {"analytic": {"abs": 1e-9, "rel": 1e-7}}},
      "cases": [
        {"name": "uniform", "logits": [0, 0, 0], "target": 1,
         "expected": [0.3333333333333333, -0.6666666666666667, 0.3333333333333333],
         "checks": ["shape", "analytic"], "points": 2, "visibility": "hidden", "hint": "h",
         "tolerance": {"analytic": {"abs": 1e-6, "rel": 0}}},
        {"name": "random", "generate": {"count": 5, "classes": [2, 300], "scale": [0.01, 1000]}, "points": 1}
      ]
    })");
    BOOST_TEST_REQUIRE(all.size() == 6U);
    const Case& u = all[0];
    BOOST_TEST(u.name == "uniform");
    BOOST_TEST(u.file == "inline.json");
    BOOST_TEST((u.visibility == Visibility::hidden));
    BOOST_TEST(u.points == 2.0);
    BOOST_TEST(u.hint == "h");
    BOOST_TEST((u.checks == std::vector<std::string>{"shape", "analytic"}));
    BOOST_TEST_REQUIRE(u.tolerances.size() == 1U);  // the case's own tolerance replaced the default one
    BOOST_TEST(u.tolerances[0].first == "analytic");
    BOOST_TEST(u.tolerances[0].second.abs == 1e-6);
    BOOST_TEST(u.tolerances[0].second.rel == 0.0);
    BOOST_TEST(u.inputs.target == 1);
    BOOST_TEST_REQUIRE(u.expected.has_value());
    BOOST_TEST((u.expected->shape == Shape::vector));
    BOOST_TEST(u.expected->data(1, 0) == -0.6666666666666667);
    for (int k = 1; k <= 5; ++k) {
        const Case& g = all[static_cast<std::size_t>(k)];
        BOOST_TEST(g.name == "random#" + std::to_string(k));
        BOOST_TEST((g.visibility == Visibility::visible));  // from the defaults
        BOOST_TEST(g.checks.empty());                        // every check that applies
        BOOST_TEST_REQUIRE(g.tolerances.size() == 1U);
        BOOST_TEST(g.tolerances[0].second.abs == 1e-9);
        BOOST_TEST(g.tolerances[0].second.rel == 1e-7);
        BOOST_TEST(!g.expected.has_value());
        BOOST_TEST(g.inputs.z.size() >= 2);
        BOOST_TEST(g.inputs.z.size() <= 300);
    }
}

BOOST_AUTO_TEST_CASE(class_indices_become_one_hot_rows_and_label_smoothing_spreads_a_over_V) {
    const std::vector<Case> all = load(R"({"exercise": "cross_entropy_grad_batch", "cases": [
      {"name": "hard", "logits": [[1, 2, 3, 4], [0, 0, 0, 0]], "targets": [2, 0], "reduction": "sum"},
      {"name": "smooth", "logits": [[1, 2, 3, 4], [0, 0, 0, 0]], "targets": [2, 0], "label_smoothing": 0.2,
       "reduction": "none"},
      {"name": "soft", "logits": [[1, 2], [3, 4]], "targets": [[0.25, 0.75], [1, 0]], "reduction": "mean"}]})");
    BOOST_TEST_REQUIRE(all.size() == 3U);
    Eigen::MatrixXd hard(2, 4);
    hard << 0, 0, 1, 0, 1, 0, 0, 0;
    BOOST_TEST(close(all[0].inputs.Y, hard, {0, 0}));
    BOOST_TEST((all[0].inputs.reduction == Reduction::Sum));
    // y = (1 - a) onehot + a / V with a = 0.2, V = 4: 0.85 at the target, 0.05 elsewhere
    Eigen::MatrixXd smooth(2, 4);
    smooth << 0.05, 0.05, 0.85, 0.05, 0.85, 0.05, 0.05, 0.05;
    BOOST_TEST(close(all[1].inputs.Y, smooth, {1e-15, 0}));
    BOOST_TEST((all[1].inputs.reduction == Reduction::None));
    Eigen::MatrixXd soft(2, 2);
    soft << 0.25, 0.75, 1, 0;
    BOOST_TEST(close(all[2].inputs.Y, soft, {0, 0}));
    BOOST_TEST((all[2].inputs.reduction == Reduction::Mean));
}

BOOST_AUTO_TEST_CASE(minus_inf_strings_are_masked_logits) {
    const std::vector<Case> all = load(R"({"exercise": "softmax_rows", "cases": [
      {"name": "m", "logits": [[0, "-inf", 1], ["-inf", 2, -1e300]]}]})");
    const Eigen::MatrixXd& Z = all.at(0).inputs.Z;
    BOOST_TEST(Z.rows() == 2);
    BOOST_TEST(Z.cols() == 3);
    BOOST_TEST(Z(0, 1) == minus_inf);
    BOOST_TEST(Z(1, 0) == minus_inf);
    BOOST_TEST(Z(0, 2) == 1.0);
    BOOST_TEST(Z(1, 2) == -1e300);
}

BOOST_AUTO_TEST_CASE(each_exercise_reads_its_own_inputs) {
    const std::vector<Case> probs = load(R"({"exercise": "cross_entropy_from_probs", "cases": [
      {"name": "default_eps", "probs": [[0.5, 0.5]], "targets": [1], "expected": [0.6931471805599453]},
      {"name": "own_eps", "probs": [[0, 1]], "targets": [0], "eps": 1e-12}]})");
    BOOST_TEST(probs[0].inputs.eps == 1e-7);
    BOOST_TEST(probs[1].inputs.eps == 1e-12);
    BOOST_TEST(probs[0].inputs.P(0, 1) == 0.5);
    BOOST_TEST(probs[0].inputs.Y(0, 1) == 1.0);
    BOOST_TEST((probs[0].expected->shape == Shape::vector));

    const std::vector<Case> reduce = load(R"({"exercise": "reduce", "cases": [
      {"name": "mean", "losses": [1, 2], "reduction": "mean", "expected": 1.5},
      {"name": "none", "losses": [1, 2], "reduction": "none"}]})");
    BOOST_TEST(!reduce[0].expect_invalid_argument);
    BOOST_TEST((reduce[0].expected->shape == Shape::scalar));
    BOOST_TEST(reduce[0].expected->data(0, 0) == 1.5);
    BOOST_TEST(reduce[1].expect_invalid_argument);  // reduce with None must throw
    BOOST_TEST((reduce[1].inputs.reduction == Reduction::None));

    const std::vector<Case> rows = load(R"({"exercise": "softmax_rows", "cases": [
      {"name": "r", "logits": [[1, 2, 3], [4, 5, 6]], "expected": [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]}]})");
    BOOST_TEST((rows[0].expected->shape == Shape::matrix));
    BOOST_TEST(rows[0].expected->data(1, 2) == 0.4);
    BOOST_TEST(rows[0].inputs.Z(1, 0) == 4.0);
}

BOOST_AUTO_TEST_CASE(comments_are_allowed_in_case_files) {
    const std::vector<Case> all = load("// hidden cases for week 3\n{\"exercise\": \"softmax\", /* one case */ "
                                       "\"cases\": [{\"name\": \"a\", \"logits\": [1, 2]}]}");
    BOOST_TEST(all.size() == 1U);
}

// ---- generated cases ----------------------------------------------------------------------------

// One generate block per exercise, using every parameter that exercise takes.
struct GeneratedSample {
    Exercise exercise;
    std::string generate;  // the JSON of the block
};
std::ostream& operator<<(std::ostream& os, const GeneratedSample& s) { return os << name(s.exercise) << " " << s.generate; }

std::vector<GeneratedSample> generated_samples() {
    return {
        {exercise_named("softmax"), R"({"count": 40, "classes": [1, 30], "scale": [0.01, 1000], "offset": [-5000, 5000], "mask": 0.4})"},
        {exercise_named("log_sum_exp"), R"({"count": 40, "classes": [1, 30], "mask": 0.5})"},
        {exercise_named("cross_entropy"), R"({"count": 40, "classes": [2, 30], "mask": 0.4})"},
        {exercise_named("cross_entropy_grad"), R"({"count": 40, "classes": [2, 30], "scale": 3, "mask": 0.4})"},
        {exercise_named("softmax_rows"), R"({"count": 30, "rows": [1, 9], "classes": [1, 12], "mask": 0.4})"},
        {exercise_named("cross_entropy_from_logits"), R"({"count": 30, "rows": [1, 9], "classes": [2, 12], "mask": 0.4})"},
        {exercise_named("cross_entropy_from_logits"), R"({"count": 30, "rows": [1, 9], "classes": [2, 12], "soft_targets": true, "mask": 0.3})"},
        {exercise_named("cross_entropy_grad_batch"), R"({"count": 30, "rows": [1, 9], "classes": [2, 12], "label_smoothing": 0.1})"},
        {exercise_named("cross_entropy_grad_batch"), R"({"count": 30, "rows": [2, 9], "classes": [2, 12], "mask": 0.4})"},
        {exercise_named("cross_entropy_from_probs"), R"({"count": 30, "rows": [1, 9], "classes": [2, 12], "zero_probs": 0.3, "eps": 1e-9})"},
        {exercise_named("cross_entropy_from_probs"), R"({"count": 30, "rows": [1, 9], "classes": [2, 12], "soft_targets": true})"},
        {exercise_named("reduce"), R"({"count": 30, "rows": [2, 50], "scale": [0.5, 2]})"},
    };
}

std::vector<Case> generate_sample(const GeneratedSample& s, unsigned long long with_seed) {
    return cases::load_text(R"({"exercise": ")" + std::string(name(s.exercise)) +
                                R"(", "cases": [{"name": "g", "generate": )" + s.generate + "}]}",
                            "generated.json", with_seed);
}

BOOST_DATA_TEST_CASE(generated_cases_satisfy_their_constraints, data::make(generated_samples()), sample) {
    const std::vector<Case> all = generate_sample(sample, seed);
    const nlohmann::json block = nlohmann::json::parse(sample.generate);
    const auto range = [&](const char* key, long long lo, long long hi) {
        if (!block.contains(key)) return std::make_pair(lo, hi);
        const nlohmann::json& v = block[key];
        return v.is_array() ? std::make_pair(v[0].get<long long>(), v[1].get<long long>())
                            : std::make_pair(v.get<long long>(), v.get<long long>());
    };
    const auto classes = range("classes", 2, 50);
    const auto rows = range("rows", 1, 8);
    const bool soft = block.value("soft_targets", false);
    const double smoothing = block.value("label_smoothing", 0.0);
    BOOST_TEST(all.size() == block["count"].get<std::size_t>());
    int target_not_argmax = 0;
    int masked_entries = 0;
    int zero_probs = 0;
    std::set<Reduction> reductions;
    for (std::size_t k = 0; k < all.size(); ++k) {
        const Case& c = all[k];
        const Inputs& in = c.inputs;
        BOOST_TEST_CONTEXT("case " << c.name) {
            BOOST_TEST(c.name == "g#" + std::to_string(k + 1));
            BOOST_TEST(!c.expected.has_value());
            if (c.exercise != exercise_named("reduce")) {
                BOOST_TEST(classes_of(c) >= classes.first);
                BOOST_TEST(classes_of(c) <= classes.second);
            }
            if (c.exercise == exercise_named("softmax_rows") || c.exercise == exercise_named("cross_entropy_from_logits") ||
                c.exercise == exercise_named("cross_entropy_grad_batch") || c.exercise == exercise_named("cross_entropy_from_probs") ||
                c.exercise == exercise_named("reduce")) {
                BOOST_TEST(rows_of(c) >= rows.first);
                BOOST_TEST(rows_of(c) <= rows.second);
            }
            // logits: finite or -inf, never a whole row masked
            const Eigen::MatrixXd Z = in.Z.size() > 0 ? in.Z : Eigen::MatrixXd(in.z.transpose());
            for (Eigen::Index n = 0; n < Z.rows() && Z.size() > 0; ++n) {
                BOOST_TEST(Z.row(n).array().isFinite().any());
                for (Eigen::Index i = 0; i < Z.cols(); ++i) {
                    BOOST_TEST((std::isfinite(Z(n, i)) || Z(n, i) == minus_inf));
                    masked_entries += Z(n, i) == minus_inf ? 1 : 0;
                }
            }
            // single target: in range, never masked
            if (c.exercise == exercise_named("cross_entropy") || c.exercise == exercise_named("cross_entropy_grad")) {
                BOOST_TEST_REQUIRE(in.target >= 0);
                BOOST_TEST_REQUIRE(in.target < in.z.size());
                BOOST_TEST(std::isfinite(in.z[in.target]));
                Eigen::Index argmax = 0;
                in.z.maxCoeff(&argmax);
                target_not_argmax += argmax != in.target ? 1 : 0;
            }
            // target rows: distributions, no weight on a masked logit, one-hot unless soft or smoothed
            if (in.Y.size() > 0) {
                const Eigen::MatrixXd& X = c.exercise == exercise_named("cross_entropy_from_probs") ? in.P : in.Z;
                BOOST_TEST(in.Y.rows() == X.rows());
                BOOST_TEST(in.Y.cols() == X.cols());
                BOOST_TEST(in.Y.minCoeff() >= 0.0);
                BOOST_TEST(in.Y.maxCoeff() <= 1.0);
                for (Eigen::Index n = 0; n < in.Y.rows(); ++n) {
                    BOOST_TEST(std::abs(in.Y.row(n).sum() - 1.0) <= distribution_sum.abs);
                    Eigen::Index target = 0;
                    in.Y.row(n).maxCoeff(&target);
                    Eigen::Index argmax = 0;
                    X.row(n).maxCoeff(&argmax);
                    target_not_argmax += argmax != target ? 1 : 0;
                    const Eigen::Index nonzero = (in.Y.row(n).array() > 0.0).count();
                    if (!soft && smoothing == 0.0) BOOST_TEST(nonzero == 1);
                    if (smoothing > 0.0) BOOST_TEST(in.Y.row(n).minCoeff() == smoothing / static_cast<double>(in.Y.cols()));
                    for (Eigen::Index i = 0; i < in.Y.cols(); ++i) {
                        if (X(n, i) == minus_inf) BOOST_TEST(in.Y(n, i) == 0.0);
                    }
                }
            }
            if (c.exercise == exercise_named("cross_entropy_from_probs")) {
                BOOST_TEST(in.P.minCoeff() >= 0.0);
                BOOST_TEST(in.P.maxCoeff() <= 1.0);
                for (Eigen::Index n = 0; n < in.P.rows(); ++n) {
                    BOOST_TEST(std::abs(in.P.row(n).sum() - 1.0) <= distribution_sum.abs);
                }
                zero_probs += static_cast<int>((in.P.array() == 0.0).count());
                BOOST_TEST(in.eps == block.value("eps", 1e-7));
            }
            if (c.exercise == exercise_named("reduce")) {
                BOOST_TEST(in.losses.minCoeff() >= 0.0);
                BOOST_TEST(c.expect_invalid_argument == (in.reduction == Reduction::None));
            }
            reductions.insert(in.reduction);
            // the reference accepts every generated input
            if (!c.expect_invalid_argument) BOOST_CHECK_NO_THROW(run_reference(c));
        }
    }
    if (has_target(sample.exercise)) BOOST_TEST(target_not_argmax > 0);  // targets are not always the argmax
    if (block.value("mask", 0.0) > 0.0) BOOST_TEST(masked_entries > 0);
    if (block.value("zero_probs", 0.0) > 0.0) BOOST_TEST(zero_probs > 0);
    if (sample.exercise == exercise_named("cross_entropy_grad_batch")) BOOST_TEST(reductions.size() == 3U);  // mean, sum, none
    if (sample.exercise == exercise_named("reduce")) BOOST_TEST(reductions.size() == 2U);                    // mean, sum
}

BOOST_DATA_TEST_CASE(the_same_seed_reproduces_generated_cases_and_another_changes_them, data::make(generated_samples()),
                     sample) {
    const std::vector<Case> a = generate_sample(sample, seed);
    const std::vector<Case> b = generate_sample(sample, seed);
    const std::vector<Case> c = generate_sample(sample, seed + 1);
    BOOST_TEST_REQUIRE(a.size() == b.size());
    BOOST_TEST_REQUIRE(a.size() == c.size());
    int changed = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        BOOST_TEST_CONTEXT("case " << a[k].name) { BOOST_TEST(same_inputs(a[k].inputs, b[k].inputs)); }
        changed += same_inputs(a[k].inputs, c[k].inputs) ? 0 : 1;
    }
    BOOST_TEST(changed == static_cast<int>(a.size()));
}

BOOST_AUTO_TEST_CASE(adding_a_case_elsewhere_does_not_change_a_generated_case) {
    const std::string block = R"({"name": "r", "generate": {"count": 3, "classes": [2, 40]}})";
    const std::vector<Case> alone = load(R"({"exercise": "softmax", "cases": [)" + block + "]}");
    const std::vector<Case> more = load(R"({"exercise": "softmax", "cases": [{"name": "first", "generate": {"count": 2}}, )" +
                                        block + R"(, {"name": "last", "logits": [1]}]})");
    for (int k = 1; k <= 3; ++k) {
        const std::string n = "r#" + std::to_string(k);
        BOOST_TEST_CONTEXT(n) { BOOST_TEST(same_inputs(find_case(alone, n).inputs, find_case(more, n).inputs)); }
    }
    // and the same block under another name is a different case
    const std::vector<Case> renamed = load(R"({"exercise": "softmax", "cases": [{"name": "s", "generate": {"count": 1, "classes": [2, 40]}}]})");
    BOOST_TEST(!same_inputs(renamed[0].inputs, alone[0].inputs));
}

// Pinned values: a change to the generator changes every instructor's hidden cases, so it must be
// deliberate. These are the same on every platform (no libm, no std:: distributions).
BOOST_AUTO_TEST_CASE(generated_values_are_pinned) {
    BOOST_TEST(cases::case_seed(1, exercise_named("softmax"), "random", 1) == 13504638234069065982ULL);
    cases::Random rng(12345);
    BOOST_TEST(rng.uniform() == 0x1.6e367c6f88882p-2);
    BOOST_TEST(rng.normal() == -0x1.197e058698b65p-1);
    Case base;
    base.exercise = exercise_named("cross_entropy_grad");
    base.name = "pinned";
    cases::GenerateSpec spec;
    spec.classes = {5, 5};
    const Case c = cases::generate_one(base, spec, 7, 1);
    BOOST_TEST(c.inputs.z[0] == -0x1.89645f0af9295p-2);
    BOOST_TEST(c.inputs.target == 0);
}

BOOST_AUTO_TEST_CASE(portable_log_and_exp_match_libm) {
    for (double x : {1e-300, 1e-10, 0.1, 0.5, 0.7071, 1.0, 1.5, 2.0, 3.14159, 1e10, 1e300}) {
        BOOST_TEST_CONTEXT("log " << x) {
            BOOST_TEST(std::abs(cases::portable_log(x) - std::log(x)) <= 1e-300 + portable_vs_libm.rel * std::abs(std::log(x)));
        }
    }
    for (double x : {-745.0, -700.0, -20.0, -1.0, -0.3, 0.0, 0.3, 1.0, 50.0, 700.0}) {
        BOOST_TEST_CONTEXT("exp " << x) {
            BOOST_TEST(std::abs(cases::portable_exp(x) - std::exp(x)) <= portable_vs_libm.rel * std::exp(x) + 1e-320);
        }
    }
    BOOST_TEST(cases::portable_exp(-800) == 0.0);
    BOOST_TEST(cases::portable_log(0.0) == minus_inf);
}

// Moments of many normals: mean 0, variance 1, kurtosis 3, P(|x| > 3) = 0.0027 (each within ~5 sigma).
BOOST_AUTO_TEST_CASE(normals_are_standard_normal) {
    cases::Random rng(99);
    const int n = 1000000;
    double s1 = 0, s2 = 0, s4 = 0;
    int beyond3 = 0;
    for (int i = 0; i < n; ++i) {
        const double x = rng.normal();
        s1 += x;
        s2 += x * x;
        s4 += x * x * x * x;
        beyond3 += std::abs(x) > 3.0 ? 1 : 0;
    }
    BOOST_TEST(std::abs(s1 / n) < 5.0 / std::sqrt(n));
    BOOST_TEST(std::abs(s2 / n - 1.0) < 5.0 * std::sqrt(2.0 / n));
    BOOST_TEST(std::abs(s4 / n - 3.0) < 5.0 * std::sqrt(96.0 / n));
    BOOST_TEST(std::abs(beyond3 / double(n) - 0.0026998) < 5.0 * std::sqrt(0.0027 / n));
}

BOOST_AUTO_TEST_CASE(a_million_logits_generate_with_their_constraints) {
    // How fast is measured by scripts/benchmark, never asserted here.
    Case base;
    base.exercise = exercise_named("cross_entropy_grad");
    base.name = "big";
    cases::GenerateSpec spec;
    spec.classes = {1000000, 1000000};
    spec.offset = {-5000, 5000};
    const Case c = cases::generate_one(base, spec, seed, 2);
    BOOST_TEST(c.inputs.z.size() == 1000000);
    BOOST_TEST(c.inputs.z.allFinite());
    BOOST_TEST((c.inputs.target >= 0 && c.inputs.target < 1000000));
}

// ---- malformed files ------------------------------------------------------------------------------

struct MalformedFile {
    fs::path file;
    std::string expect;
};
std::ostream& operator<<(std::ostream& os, const MalformedFile& m) { return os << m.file.filename().string(); }

std::vector<MalformedFile> malformed_files() {
    std::vector<MalformedFile> out;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator("tests/malformed", ec)) {
        if (e.path().extension() != ".json") continue;
        fs::path expect = e.path();
        expect.replace_extension(".expect");
        std::string text = slurp(expect);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        out.push_back({e.path(), text});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.file < b.file; });
    return out;
}

BOOST_AUTO_TEST_CASE(the_malformed_folder_covers_every_rejection) {
    const std::vector<MalformedFile> files = malformed_files();
    BOOST_TEST(files.size() >= 90U);
    for (const MalformedFile& m : files) {
        BOOST_TEST_CONTEXT(m.file) { BOOST_TEST(!m.expect.empty()); }  // every .json has its .expect
    }
}

BOOST_DATA_TEST_CASE(malformed_file_is_rejected_with_a_precise_message, data::make(malformed_files()), m) {
    try {
        cases::load_file(m.file, seed);
        BOOST_ERROR("loaded without error; expected a LoadError containing: " << m.expect);
    } catch (const cases::LoadError& e) {
        const std::string message = e.what();
        BOOST_TEST_CONTEXT("message: " << message) {
            BOOST_TEST(message.rfind(m.file.string() + ": ", 0) == 0U);  // starts with the file name
            BOOST_TEST(message.find(m.expect) != std::string::npos);
        }
    }
}

// ---- folders ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(load_dirs_reads_every_json_file_sorted_and_skips_other_files) {
    TempDir dir("sorted");
    dir.write("b.json", R"({"exercise": "softmax", "cases": [{"name": "b", "logits": [1]}]})");
    dir.write("a.json", R"({"exercise": "reduce", "cases": [{"name": "a", "losses": [1], "reduction": "sum"}]})");
    dir.write("notes.txt", "not a case file");
    const std::vector<Case> all = cases::load_dirs({dir.path}, seed);
    BOOST_TEST_REQUIRE(all.size() == 2U);
    BOOST_TEST(all[0].name == "a");
    BOOST_TEST(all[1].name == "b");
    BOOST_TEST(all[0].file == (dir.path / "a.json").string());
}

BOOST_AUTO_TEST_CASE(load_dirs_rejects_a_missing_or_empty_folder) {
    BOOST_CHECK_EXCEPTION(cases::load_dirs({"tests/no_such_folder"}, seed), cases::LoadError, [](const cases::LoadError& e) {
        return std::string(e.what()).find("tests/no_such_folder: no such folder") != std::string::npos;
    });
    TempDir dir("empty");
    BOOST_CHECK_EXCEPTION(cases::load_dirs({dir.path}, seed), cases::LoadError, [](const cases::LoadError& e) {
        return std::string(e.what()).find("holds no *.json case files") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(load_dirs_rejects_the_same_case_in_two_files_naming_both) {
    TempDir visible("visible");
    TempDir hidden("hidden");
    visible.write("softmax.json", R"({"exercise": "softmax", "cases": [{"name": "uniform", "logits": [0, 0]}]})");
    hidden.write("more.json", R"({"exercise": "softmax", "defaults": {"visibility": "hidden"},
                                 "cases": [{"name": "uniform", "logits": [1, 1]}]})");
    // the same name under another exercise is fine
    hidden.write("other.json", R"({"exercise": "log_sum_exp", "cases": [{"name": "uniform", "logits": [0, 0]}]})");
    BOOST_TEST(cases::load_dirs({hidden.path}, seed).size() == 2U);
    try {
        cases::load_dirs({visible.path, hidden.path}, seed);
        BOOST_ERROR("a duplicate (exercise, case name) across files was accepted");
    } catch (const cases::LoadError& e) {
        const std::string message = e.what();
        BOOST_TEST_CONTEXT("message: " << message) {
            BOOST_TEST(message.find((visible.path / "softmax.json").string()) != std::string::npos);
            BOOST_TEST(message.find((hidden.path / "more.json").string()) != std::string::npos);
            BOOST_TEST(message.find("case \"uniform\"") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_json_entry_that_is_not_a_file_is_named) {
    TempDir dir("not_a_file");
    dir.write("a.json", R"({"exercise": "softmax", "cases": [{"name": "a", "logits": [1]}]})");
    fs::create_directories(dir.path / "folder.json");
    try {
        cases::load_dirs({dir.path}, seed);
        BOOST_ERROR("a folder named folder.json was silently skipped");
    } catch (const cases::LoadError& e) {
        BOOST_TEST(std::string(e.what()).find("folder.json") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(soft_target_rows_are_renormalised_to_sum_exactly_to_one) {
    // Rounded thirds sum to 1.0000001: accepted (within 1e-6), then scaled so the reference's
    // gradient rows sum to 0 and the zero_sum check cannot fail the reference.
    const std::vector<Case> c = load(R"({"exercise": "cross_entropy_grad_batch", "cases": [{"name": "thirds",
        "logits": [[1, 2, 3]], "targets": [[0.3333334, 0.3333333, 0.3333334]], "reduction": "sum"}]})");
    BOOST_TEST_REQUIRE(c.size() == 1u);
    BOOST_TEST(std::abs(c[0].inputs.Y.sum() - 1.0) < 1e-15);
    BOOST_TEST(c[0].inputs.Y(0, 1) < c[0].inputs.Y(0, 0));
}

// Every class of input the API accepts has fixed cases in the shipped files, so that no catch depends on
// the seed (issue 8): a masked class in the first position, rows whose every logit is below -1e4 (a
// running max started at a constant), many terms far below the max (a sum that drops small terms), class
// indices beyond 65,535 (narrow integer types), V = 1 and N = 1, probability rows that do not sum to 1,
// +inf where a function accepts it, and bad input that must be rejected.
BOOST_DATA_TEST_CASE(every_class_of_input_has_fixed_cases, data::make(shipped_files()), file) {
    const Exercise e = file.exercise;
    const std::vector<Case> all = cases::load_file(shipped_path(e), seed);
    auto any = [&](auto pred) { return std::any_of(all.begin(), all.end(), pred); };
    auto logits = [](const Case& c) { return c.inputs.Z.size() > 0 ? c.inputs.Z : Eigen::MatrixXd(c.inputs.z.transpose()); };
    const bool takes_logits = e->takes(Field::logits_vector) || e->takes(Field::logits_matrix);
    if (takes_logits) {
        BOOST_TEST(any([&](const Case& c) {
            const Eigen::MatrixXd z = logits(c);
            return !c.expect_invalid_argument && z.size() > 0 && z(0, 0) == minus_inf;
        }), "no case masks the first class");
        BOOST_TEST(any([&](const Case& c) {
            const Eigen::MatrixXd z = logits(c);
            return !c.expect_invalid_argument && z.size() > 0 && (z.array() < -1e4).all();
        }), "no case has every logit below -1e4");
        BOOST_TEST(any([&](const Case& c) {
            const Eigen::MatrixXd z = logits(c);
            if (c.name.find('#') != std::string::npos || z.cols() < 1000) return false;
            const double m = z.row(0).maxCoeff();
            return (z.row(0).array() <= m - 16).count() >= z.cols() - 1;
        }), "no case has a thousand terms far below the max");
        BOOST_TEST(any([&](const Case& c) { return !c.expect_invalid_argument && classes_of(c) == 1; }), "no case with V = 1");
    }
    if (e->takes(Field::logits_matrix) || e->takes(Field::probs))
        BOOST_TEST(any([&](const Case& c) { return !c.expect_invalid_argument && rows_of(c) == 1; }), "no case with N = 1");
    if (e->takes(Field::target))
        BOOST_TEST(any([&](const Case& c) { return c.inputs.target > 65535; }), "no class index beyond 65,535");
    if (e->takes(Field::probs))
        BOOST_TEST(any([&](const Case& c) {
            return !c.expect_invalid_argument && c.name.find('#') == std::string::npos &&
                   ((c.inputs.P.rowwise().sum().array() - 1.0).abs() > 0.1).any();
        }), "no probability row that does not sum to 1");
    if (e->infinite_logits_allowed)
        BOOST_TEST(any([&](const Case& c) { return (c.inputs.z.array() == -minus_inf).any() && !c.expect_invalid_argument; }),
                   "no case with a +inf logit, which this function accepts");
    BOOST_TEST(any([&](const Case& c) { return c.expect_invalid_argument && c.name.find('#') == std::string::npos; }),
               "no case of bad input that must be rejected");
}

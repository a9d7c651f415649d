// The default "mastery" scoring (model.hpp, Scoring; course_file.hpp, apply_points): the central mistake
// of each exercise costs at least half of its points, the reference gets them all, "per_check" gives
// the raw weights of the reports before it, and every report adds the mastery share up the same way.
#define BOOST_TEST_MODULE scoring
#include <boost/test/unit_test.hpp>

#include "support/grade_cli.hpp"

#include "case_file.hpp"
#include "cli.hpp"
#include "course_file.hpp"
#include "grade.hpp"
#include "reports.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace celab::grader;
namespace fs = std::filesystem;
namespace tt = boost::test_tools;

namespace {

const fs::path module_dir = CELAB_MODULE_DIR;
constexpr unsigned long long seed = course::fallback_seed;

const std::vector<Case>& shipped_cases() {
    static const std::vector<Case> cases = cases::load_dirs({fs::path(CELAB_SOURCE_DIR) / "grader/cases"}, seed);
    return cases;
}

std::vector<Case> cases_of(Exercise e) {
    std::vector<Case> chosen;
    for (const Case& c : shipped_cases())
        if (c.exercise == e) chosen.push_back(c);
    return chosen;
}

GradeSettings settings(Scoring scoring = Scoring::mastery) {
    GradeSettings s;
    s.limits.memory_bytes = std::size_t(1) << 30;
    s.seed = seed;
    s.scoring = scoring;
    return s;
}

fs::path mutant(const std::string& name) { return module_dir / ("celab_mutant_" + name + ".so"); }
const fs::path solutions = module_dir / "celab_module_solutions.so";

// The central mistake of each exercise (tests/mutants/catalogue.json): no max subtraction, the wrong
// axis or the batch's max, the missing 1/N, the flipped sign, the missing clamp, mean and sum swapped.
struct Central {
    const char* mutant;
    const char* exercise;
    const char* mistake;  // the catalogue's
};
const std::vector<Central> central_mistakes{
    {"softmax_no_max", "softmax", "no_max_subtraction"},
    {"softmax_no_max_eigen_exp", "softmax", "no_max_subtraction"},
    {"softmax_rows_wrong_axis", "softmax_rows", "wrong_axis"},
    {"softmax_rows_batch_max", "softmax_rows", "batch_max"},
    {"log_softmax_rows_no_max", "log_softmax_rows", "no_max_subtraction"},
    {"log_softmax_rows_wrong_axis", "log_softmax_rows", "wrong_axis"},
    {"log_softmax_rows_batch_max", "log_softmax_rows", "batch_max"},
    {"softmax_lse_naive", "log_sum_exp", "no_max_subtraction"},
    {"softmax_lse_missing_max", "log_sum_exp", "forgot_max_term"},
    {"loss_ce_log_softmax", "cross_entropy", "log_of_underflowed_softmax"},
    {"loss_ce_flipped_sign", "cross_entropy", "flipped_sign"},
    {"loss_probs_no_clamp", "cross_entropy_from_probs", "missing_clamp"},
    {"loss_probs_wrong_axis", "cross_entropy_from_probs", "wrong_axis"},
    {"loss_logits_log_softmax", "cross_entropy_from_logits", "log_of_underflowed_softmax"},
    {"loss_logits_batch_max", "cross_entropy_from_logits", "batch_max"},
    {"loss_reduce_mean_is_sum", "reduce", "mean_sum_swapped"},
    {"gradient_no_max", "cross_entropy_grad", "no_max_subtraction"},
    {"gradient_flipped_sign", "cross_entropy_grad", "flipped_sign"},
    {"gradient_batch_missing_mean_scale", "cross_entropy_grad_batch", "missing_mean_scale"},
    {"gradient_batch_flipped_sign", "cross_entropy_grad_batch", "flipped_sign"},
    {"gradient_batch_transposed", "cross_entropy_grad_batch", "wrong_axis"},
};

double sum(const Report& r, double CheckResult::*field) {
    double total = 0.0;
    for (const CheckResult& row : r.checks) total += row.*field;
    return total;
}

// The numbers of every report before "scoring": each row worth its case's points, earned when it passes.
void expect_raw_weights(const Report& r, const std::vector<Case>& cases) {
    std::map<std::string, double> points;
    for (const Case& c : cases) points[c.name] = c.points;
    double passed = 0.0, all = 0.0;
    for (const CheckResult& row : r.checks) {
        BOOST_TEST_CONTEXT(name(row.exercise) << "/" << row.check << "[" << row.case_name << "]") {
            BOOST_TEST(row.max_points == points.at(row.case_name));
            BOOST_TEST(row.points == (row.status == Status::pass ? row.max_points : 0.0));
            BOOST_TEST(row.mastery_max_points == 0.0);
        }
        all += points.at(row.case_name);
        if (row.status == Status::pass) passed += points.at(row.case_name);
    }
    BOOST_TEST(r.score() == passed);
    BOOST_TEST(r.max_score() == all);
}

using Run = celab::test::GradeRun;

Run grade_cli(std::vector<std::string> args) { return celab::test::grade_cli(std::move(args)); }

fs::path scratch_file(const std::string& name, const std::string& text) {
    const fs::path dir = fs::temp_directory_path() / ("celab-scoring-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / name) << text;
    return dir / name;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(the_central_mistakes_are_catalogue_entries_of_their_exercise) {
    std::ifstream in(CELAB_CATALOGUE_JSON);
    const nlohmann::json catalogue = nlohmann::json::parse(in);
    std::set<std::string> covered;
    for (const Central& c : central_mistakes) {
        BOOST_TEST_CONTEXT(c.mutant) {
            bool found = false;
            for (const nlohmann::json& m : catalogue.at("mutants")) {
                if (m.at("name") != c.mutant) continue;
                found = true;
                BOOST_TEST(m.at("exercise").get<std::string>() == c.exercise);
                BOOST_TEST(m.at("mistake").dump() == nlohmann::json(c.mistake).dump());
            }
            BOOST_TEST(found);
        }
        covered.insert(c.exercise);
    }
    for (Exercise e : all_exercises()) BOOST_TEST(covered.count(name(e)) == 1u, name(e) << " has no central mistake listed");
}

BOOST_AUTO_TEST_CASE(each_central_mistake_costs_at_least_half_of_its_exercise) {
    for (const Central& c : central_mistakes) {
        BOOST_TEST_CONTEXT(c.mutant << " (" << c.exercise << ")") {
            const Exercise e = exercise_named(c.exercise);
            const std::vector<Case> cases = cases_of(e);
            const Report r = grade(cases, mutant(c.mutant), settings());
            BOOST_TEST(!r.all_passed());
            BOOST_TEST(r.max_score() == course::default_points, tt::tolerance(1e-9));
            BOOST_TEST(r.score() <= course::default_points / 2);
            BOOST_TEST(sum(r, &CheckResult::mastery_points) == 0.0);
            BOOST_TEST(sum(r, &CheckResult::mastery_max_points) == course::default_points / 2, tt::tolerance(1e-9));
            // The same rows under per_check: the old numbers (apply_points is idempotent, so scoring the
            // report again is scoring the grading again).
            Report raw = r;
            course::apply_points(raw, {}, Scoring::per_check);
            expect_raw_weights(raw, cases);
            BOOST_TEST_MESSAGE(c.mutant << ": per_check " << raw.score() << "/" << raw.max_score() << " ("
                                        << 100.0 * (1.0 - raw.score() / raw.max_score()) << " % lost), mastery "
                                        << r.score() << "/" << r.max_score() << " ("
                                        << 100.0 * (1.0 - r.score() / r.max_score()) << " % lost)");
            // The course's points for the exercise: still at most half.
            GradeSettings four = settings();
            four.points = {{e, 4.0}};
            const Report scaled = grade(cases, mutant(c.mutant), four);
            BOOST_TEST(scaled.max_score() == 4.0, tt::tolerance(1e-9));
            BOOST_TEST(scaled.score() <= 2.0);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_reference_gets_every_point_of_every_exercise) {
    const Report r = grade(shipped_cases(), solutions, settings());
    BOOST_TEST(r.all_passed());
    BOOST_TEST(r.score() == r.max_score());
    BOOST_TEST(r.max_score() == course::default_points * static_cast<double>(all_exercises().size()), tt::tolerance(1e-9));
    for (Exercise e : all_exercises()) {
        double points = 0.0, mastery = 0.0;
        for (const CheckResult& row : r.checks) {
            if (row.exercise != e) continue;
            points += row.points;
            mastery += row.mastery_points;
        }
        BOOST_TEST(points == course::default_points, name(e) << ": " << points << tt::tolerance(1e-9));
        BOOST_TEST(mastery == course::default_points / 2, name(e) << ": " << mastery << tt::tolerance(1e-9));
    }
}

BOOST_AUTO_TEST_CASE(per_check_reproduces_the_raw_weights) {
    const Report reference = grade(shipped_cases(), solutions, settings(Scoring::per_check));
    expect_raw_weights(reference, shipped_cases());
    BOOST_TEST(reference.max_score() == static_cast<double>(reference.checks.size()));  // one point per row
    const Exercise e = exercise_named("cross_entropy_grad_batch");
    const Report wrong = grade(cases_of(e), mutant("gradient_batch_missing_mean_scale"), settings(Scoring::per_check));
    expect_raw_weights(wrong, cases_of(e));
    BOOST_TEST(wrong.score() > wrong.max_score() / 2);  // what "per_check" lets a missing 1/N keep
}

BOOST_AUTO_TEST_CASE(the_course_file_chooses_the_scoring_of_every_report) {
    const fs::path per_check = scratch_file("per_check.json", R"({"seed": 20261130, "scoring": "per_check"})");
    const fs::path mastery = scratch_file("mastery.json", R"({"seed": 20261130, "points": {"softmax": 6}})");
    const std::string wrong = mutant("softmax_no_max").string();

    const Run raw = grade_cli({"--library", wrong, "--exercise", "softmax", "--format", "json", "--course", per_check.string()});
    BOOST_TEST(raw.status == 1, raw.err);
    const nlohmann::json rj = nlohmann::json::parse(raw.out);
    BOOST_TEST(rj.at("max_score").get<double>() == static_cast<double>(rj.at("checks").size()));

    const Run scored = grade_cli({"--library", wrong, "--exercise", "softmax", "--format", "json", "--course", mastery.string()});
    const nlohmann::json mj = nlohmann::json::parse(scored.out);
    BOOST_TEST(mj.at("max_score").get<double>() == 6.0, tt::tolerance(1e-9));
    BOOST_TEST(mj.at("score").get<double>() <= 3.0);
    double mastery_max = 0.0, points = 0.0;
    for (const nlohmann::json& row : mj.at("checks")) {
        mastery_max += row.at("mastery_max_points").get<double>();
        points += row.at("points").get<double>();
        BOOST_TEST(row.at("mastery_points").get<double>() == 0.0);
    }
    BOOST_TEST(mastery_max == 3.0, tt::tolerance(1e-9));
    BOOST_TEST(points == mj.at("score").get<double>(), tt::tolerance(1e-9));

    // The text report shows the mastery share; per_check has none to show.
    const Run text = grade_cli({"--library", wrong, "--exercise", "softmax", "--course", mastery.string()});
    BOOST_TEST(contains(text.out, "  ✗ mastery  0.0/3.0  earned only when every check of every case passes\n"), text.out);
    BOOST_TEST(contains(text.out, "/6.0\n"), text.out);
    const Run raw_text = grade_cli({"--library", wrong, "--exercise", "softmax", "--course", per_check.string()});
    BOOST_TEST(!contains(raw_text.out, "mastery"), raw_text.out);
    const Run full = grade_cli({"--library", solutions.string(), "--exercise", "softmax", "--course", mastery.string()});
    BOOST_TEST(full.status == 0);
    BOOST_TEST(contains(full.out, " checks pass, mastery 3.0/3.0\n"), full.out);
    BOOST_TEST(contains(full.out, "Score: 6.0/6.0\n"), full.out);

    const fs::path bad = scratch_file("bad.json", R"({"seed": 1, "scoring": "strict"})");
    const Run refused = grade_cli({"--library", solutions.string(), "--course", bad.string()});
    BOOST_TEST(refused.status == 2);
    BOOST_TEST(contains(refused.err, bad.string() + ": field \"scoring\": must be \"mastery\""), refused.err);
}

BOOST_AUTO_TEST_CASE(gradescope_gives_the_mastery_share_a_test_of_its_own) {
    const Exercise e = exercise_named("cross_entropy_grad");
    for (const fs::path& module : {mutant("gradient_flipped_sign"), solutions}) {
        BOOST_TEST_CONTEXT(module.filename()) {
            const Report r = grade(cases_of(e), module, settings());
            const nlohmann::json doc = nlohmann::json::parse(reports::render(r, "gradescope", {}));
            double score = 0.0, max_score = 0.0;
            int mastery_tests = 0;
            for (const nlohmann::json& t : doc.at("tests")) {
                score += t.at("score").get<double>();
                max_score += t.at("max_score").get<double>();
                // A test's score is full exactly when it passes, the mastery test too.
                BOOST_TEST((t.at("status") == "passed") ==
                           (std::abs(t.at("score").get<double>() - t.at("max_score").get<double>()) < 1e-9));
                if (t.at("name") == "cross_entropy_grad / mastery") {
                    ++mastery_tests;
                    BOOST_TEST(t.at("max_score").get<double>() == course::default_points / 2, tt::tolerance(1e-9));
                    const std::string output = t.at("output");
                    if (r.all_passed()) BOOST_TEST(contains(output, "Every check of every case passes."), output);
                    else BOOST_TEST((contains(output, "Failing: ") && contains(output, " (case, check) results, in analytic")), output);
                }
            }
            BOOST_TEST(mastery_tests == 1);
            BOOST_TEST(doc.at("score").get<double>() == r.score(), tt::tolerance(1e-9));
            BOOST_TEST(score == r.score(), tt::tolerance(1e-9));
            BOOST_TEST(max_score == r.max_score(), tt::tolerance(1e-9));
        }
    }
}

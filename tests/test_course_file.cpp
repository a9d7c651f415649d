// The course file (course.json): what it sets (seed, exercises, points, scoring), every malformed variant
// rejected with one message naming the file, the field and the fix, and the grader's use of it: the
// same code gets the same score without --seed.
#define BOOST_TEST_MODULE course_file
#include <boost/test/unit_test.hpp>

#include "support/grade_cli.hpp"

#include "cli.hpp"
#include "course_file.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

using namespace celab::grader;
namespace fs = std::filesystem;

namespace {

const fs::path file = "week1/course.json";

course::Course parse(const std::string& text) { return course::parse(text, file); }

using Run = celab::test::GradeRun;

Run grade(std::vector<std::string> args) { return celab::test::grade_cli(std::move(args)); }

const std::string solutions_module = std::string(CELAB_MODULE_DIR) + "/celab_module_solutions.so";

fs::path scratch_file(const std::string& name, const std::string& text) {
    const fs::path dir = fs::temp_directory_path() / ("celab-course-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / name) << text;
    return dir / name;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_full_course_file_sets_seed_exercises_and_points) {
    const course::Course c = parse(R"({"course": "ML 101", "seed": 42, "exercises": ["reduce", "softmax"],
                                       "points": {"softmax": 10, "reduce": 2.5}})");
    BOOST_TEST(c.name == "ML 101");
    BOOST_TEST(c.seed == 42u);
    BOOST_REQUIRE_EQUAL(c.exercises.size(), 2u);
    BOOST_TEST(name(c.exercises[0]) == std::string("softmax"));  // in the registry's order, not the file's
    BOOST_TEST(name(c.exercises[1]) == std::string("reduce"));
    BOOST_TEST(c.points.at(exercise_named("softmax")) == 10.0);
    BOOST_TEST(c.points.at(exercise_named("reduce")) == 2.5);
}

BOOST_AUTO_TEST_CASE(only_the_seed_is_required) {
    const course::Course c = parse(R"({"seed": 0})");
    BOOST_TEST(c.seed == 0u);
    BOOST_TEST(c.exercises == all_exercises(), boost::test_tools::per_element());
    BOOST_TEST(c.points.empty());
}

BOOST_AUTO_TEST_CASE(the_shipped_course_file_is_valid_and_grades_every_exercise) {
    const course::Course c = course::load(fs::path(CELAB_SOURCE_DIR) / "course.json");
    BOOST_TEST(c.exercises == all_exercises(), boost::test_tools::per_element());
    BOOST_TEST(c.seed == course::fallback_seed);
}

struct Malformed {
    const char* text;
    const char* field;    // named in the message ("" = the file as a whole)
    const char* problem;  // part of the message that says what is wrong or how to fix it
};

BOOST_AUTO_TEST_CASE(every_malformed_course_file_gets_one_message_naming_file_field_and_fix) {
    const std::vector<Malformed> samples{
        {R"({"seed": 1,})", "", "not valid JSON"},
        {R"([1, 2])", "", "must be a JSON object"},
        {R"({"seed": 1, "exercices": ["softmax"]})", "exercices", "unknown field"},
        {R"({"course": "x"})", "seed", "missing"},
        {R"({"seed": -1})", "seed", "whole number"},
        {R"({"seed": 1.5})", "seed", "whole number"},
        {R"({"seed": "7"})", "seed", "whole number"},
        {R"({"seed": 18446744073709551615})", "seed", "whole number"},
        {R"({"seed": 1, "course": 7})", "course", "must be a string"},
        {R"({"seed": 1, "exercises": []})", "exercises", "non-empty list"},
        {R"({"seed": 1, "exercises": "softmax"})", "exercises", "non-empty list"},
        {R"({"seed": 1, "exercises": ["softmaks"]})", "exercises[0]", "unknown exercise \"softmaks\""},
        {R"({"seed": 1, "exercises": ["softmax", 3]})", "exercises[1]", "must be a string"},
        {R"({"seed": 1, "exercises": ["softmax", "softmax"]})", "exercises[1]", "listed twice"},
        {R"({"seed": 1, "points": [10]})", "points", "must be an object"},
        {R"({"seed": 1, "points": {"softmaks": 10}})", "points.softmaks", "unknown exercise"},
        {R"({"seed": 1, "exercises": ["reduce"], "points": {"softmax": 10}})", "points.softmax", "not in \"exercises\""},
        {R"({"seed": 1, "points": {"softmax": 0}})", "points.softmax", "above 0"},
        {R"({"seed": 1, "points": {"softmax": -3}})", "points.softmax", "above 0"},
        {R"({"seed": 1, "points": {"softmax": "10"}})", "points.softmax", "above 0"},
        {R"({"seed": 1, "points": {"softmax": 1e300}})", "points.softmax", "at most"},
        {R"({"seed": 1, "scoring": "all_or_nothing"})", "scoring", "must be \"mastery\""},
        {R"({"seed": 1, "scoring": "Mastery"})", "scoring", "or \"per_check\""},
        {R"({"seed": 1, "scoring": 1})", "scoring", "got 1"},
        {R"({"seed": 1, "scoring": null})", "scoring", "got null"},
        {R"({"seed": 1, "scoring": ["mastery"]})", "scoring", "must be \"mastery\""},
        {R"({"seed": 1, "scorin": "mastery"})", "scorin", "the fields are course, seed, exercises, points and scoring"},
    };
    for (const Malformed& m : samples) {
        BOOST_TEST_CONTEXT(m.text) {
            try {
                (void)parse(m.text);
                BOOST_ERROR("accepted");
            } catch (const course::CourseError& e) {
                const std::string what = e.what();
                BOOST_TEST(what.rfind(file.string() + ":", 0) == 0u, what);
                if (*m.field) BOOST_TEST(what.find(std::string("field \"") + m.field + "\"") != std::string::npos, what);
                BOOST_TEST(what.find(m.problem) != std::string::npos, what);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_missing_or_huge_course_file_is_named) {
    BOOST_CHECK_EXCEPTION(course::load("/nonexistent/course.json"), course::CourseError, [](const course::CourseError& e) {
        return std::string(e.what()).find("/nonexistent/course.json: cannot be read") != std::string::npos;
    });
    const fs::path huge = scratch_file("huge.json", std::string(std::size_t(2) << 20, ' '));
    BOOST_CHECK_EXCEPTION(course::load(huge), course::CourseError, [](const course::CourseError& e) {
        return std::string(e.what()).find("larger than 1 MiB") != std::string::npos;
    });
}

namespace {

// softmax: a passing row of weight 1 and a failing one of weight 3; reduce: one passing row of weight 2.
Report three_rows() {
    const Exercise softmax = exercise_named("softmax"), reduce = exercise_named("reduce");
    Report r;
    for (auto [e, status, max] : {std::tuple{softmax, Status::pass, 1.0}, {softmax, Status::fail, 3.0}, {reduce, Status::pass, 2.0}}) {
        CheckResult row;
        row.exercise = e;
        row.status = status;
        row.points = status == Status::pass ? max : 0.0;
        row.max_points = max;
        r.checks.push_back(row);
    }
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(per_check_points_scale_an_exercise_and_keep_its_checks_weights) {
    Report r = three_rows();
    course::apply_points(r, {{exercise_named("softmax"), 10.0}}, Scoring::per_check);
    BOOST_TEST(r.checks[0].max_points == 2.5);  // 1 of 4 weights
    BOOST_TEST(r.checks[0].points == 2.5);
    BOOST_TEST(r.checks[1].max_points == 7.5);
    BOOST_TEST(r.checks[1].points == 0.0);
    BOOST_TEST(r.checks[2].max_points == 2.0);  // no points given: the raw weight
    BOOST_TEST(r.checks[2].points == 2.0);
    BOOST_TEST(r.max_score() == 12.0);
    for (const CheckResult& row : r.checks) BOOST_TEST(row.mastery_max_points == 0.0);
    // Without points, per_check is the raw weights: the numbers of every report before "scoring".
    Report raw = three_rows();
    course::apply_points(raw, {}, Scoring::per_check);
    BOOST_TEST(raw.score() == 3.0);
    BOOST_TEST(raw.max_score() == 6.0);
}

BOOST_AUTO_TEST_CASE(mastery_keeps_half_of_each_exercise_for_when_all_its_checks_pass) {
    Report r = three_rows();
    course::apply_points(r, {{exercise_named("softmax"), 8.0}});  // the default scoring
    // softmax: 8 points, one row fails, so no mastery share: half of the passing row's 2 points.
    BOOST_TEST(r.checks[0].max_points == 2.0);
    BOOST_TEST(r.checks[0].points == 1.0);
    BOOST_TEST(r.checks[0].mastery_max_points == 1.0);
    BOOST_TEST(r.checks[0].mastery_points == 0.0);
    BOOST_TEST(r.checks[1].max_points == 6.0);
    BOOST_TEST(r.checks[1].points == 0.0);
    BOOST_TEST(r.checks[1].mastery_max_points == 3.0);
    // reduce: no points given, so default_points; every row passes, so all of them.
    BOOST_TEST(r.checks[2].max_points == course::default_points);
    BOOST_TEST(r.checks[2].points == course::default_points);
    BOOST_TEST(r.checks[2].mastery_points == course::default_points / 2);
    BOOST_TEST(r.max_score() == 8.0 + course::default_points);
    BOOST_TEST(r.score() == 1.0 + course::default_points);
    // Idempotent: scoring the scored report again (./course grade scores visible and hidden rows
    // graded apart, then the whole) changes nothing, and the raw weights are kept.
    const Report once = r;
    course::apply_points(r, {{exercise_named("softmax"), 8.0}});
    for (std::size_t i = 0; i < r.checks.size(); ++i) {
        BOOST_TEST(r.checks[i].points == once.checks[i].points);
        BOOST_TEST(r.checks[i].max_points == once.checks[i].max_points);
        BOOST_TEST(r.checks[i].weight == three_rows().checks[i].max_points);
    }
    // ... and per_check on it gives back the raw numbers.
    course::apply_points(r, {}, Scoring::per_check);
    BOOST_TEST(r.score() == 3.0);
    BOOST_TEST(r.max_score() == 6.0);
}

BOOST_AUTO_TEST_CASE(scoring_is_mastery_unless_the_course_says_per_check) {
    BOOST_TEST((parse(R"({"seed": 1})").scoring == Scoring::mastery));
    BOOST_TEST((course::built_in().scoring == Scoring::mastery));
    BOOST_TEST((parse(R"({"seed": 1, "scoring": "mastery"})").scoring == Scoring::mastery));
    BOOST_TEST((parse(R"({"seed": 1, "scoring": "per_check"})").scoring == Scoring::per_check));
}

// ---- the grader with a course file ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(without_seed_the_same_code_gets_the_same_report) {
    // The course's seed, not a random one: two runs give the same report, generated cases included.
    const Run one = grade({"--library", solutions_module, "--format", "json", "--exercise", "softmax"});
    const Run two = grade({"--library", solutions_module, "--format", "json", "--exercise", "softmax"});
    BOOST_REQUIRE(one.status == 0);
    const nlohmann::json a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(two.out);
    BOOST_TEST(a.at("seed").get<unsigned long long>() == course::fallback_seed);  // the shipped course.json's
    BOOST_TEST(a.dump() == b.dump());
    const Run fresh = grade({"--library", solutions_module, "--format", "json", "--exercise", "reduce", "--fresh-seed"});
    BOOST_TEST(nlohmann::json::parse(fresh.out).at("seed").get<unsigned long long>() != course::fallback_seed);
}

BOOST_AUTO_TEST_CASE(the_course_file_chooses_exercises_seed_and_points) {
    const fs::path c = scratch_file("week1.json", R"({"seed": 7, "exercises": ["softmax", "reduce"],
                                                       "points": {"softmax": 10, "reduce": 5}})");
    const Run r = grade({"--library", solutions_module, "--format", "json", "--course", c.string()});
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err << celab::test::rows_not_passed(r.out));
    const nlohmann::json j = nlohmann::json::parse(r.out);
    BOOST_TEST(j.at("seed").get<unsigned long long>() == 7u);
    BOOST_TEST(j.at("max_score").get<double>() == 15.0, boost::test_tools::tolerance(1e-9));
    std::set<std::string> exercises;
    for (const auto& row : j.at("checks")) exercises.insert(row.at("exercise").get<std::string>());
    BOOST_TEST((exercises == std::set<std::string>{"softmax", "reduce"}));
    // --exercise still picks any exercise; --seed still wins.
    const Run other = grade({"--library", solutions_module, "--format", "json", "--course", c.string(), "--exercise",
                             "log_sum_exp", "--seed", "3"});
    const nlohmann::json o = nlohmann::json::parse(other.out);
    BOOST_TEST(o.at("seed").get<unsigned long long>() == 3u);
    BOOST_TEST(o.at("checks").at(0).at("exercise").get<std::string>() == "log_sum_exp");
}

BOOST_AUTO_TEST_CASE(a_bad_course_file_or_seed_options_exit_2_with_the_reason) {
    const fs::path c = scratch_file("bad.json", R"({"seed": 1, "exercises": ["softmaks"]})");
    const Run bad = grade({"--library", solutions_module, "--course", c.string()});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(bad.err.find(c.string() + ": field \"exercises[0]\"") != std::string::npos, bad.err);
    BOOST_TEST(bad.out.empty());
    const Run both = grade({"--library", solutions_module, "--seed", "3", "--fresh-seed"});
    BOOST_TEST(both.status == 2);
    BOOST_TEST(both.err.find("not both") != std::string::npos, both.err);
}

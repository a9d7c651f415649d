// The command line as users meet it: exit statuses, --help, bad options, bad case files, the
// report formats on stdout and --output, and grading folders with --submission.
#define BOOST_TEST_MODULE cli
#include <boost/test/unit_test.hpp>

#include "support/grade_cli.hpp"

#include "cli.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

using Run = celab::test::GradeRun;

Run grade(std::vector<std::string> args) { return celab::test::grade_cli(std::move(args)); }

const std::string solutions_module = std::string(CELAB_MODULE_DIR) + "/celab_module_solutions.so";
const std::string stubs_module = std::string(CELAB_MODULE_DIR) + "/celab_module_stubs.so";

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("celab-cli-" + std::to_string(::getpid())) / name;
    fs::create_directories(dir);
    return dir;
}

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_the_options_and_exits_0) {
    const Run r = grade({"--help"});
    BOOST_TEST(r.status == 0);
    for (const char* option : {"--exercise", "--cases", "--submission", "--format", "--output", "--seed", "--timeout",
                               "--list", "--hint", "--validate"})
        BOOST_TEST(r.out.find(option) != std::string::npos, option);
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2_with_a_message) {
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"--bogus"},
                                               {"--format", "xml"},
                                               {"--exercise", "softmaks"},
                                               {"--timeout", "-1"},
                                               {"--seed", "abc"},
                                               {"--hint", "nope"},
                                               {"--submission", "/nonexistent/celab"},
                                               {"--cases", "/nonexistent/celab"}}) {
        const Run r = grade(args);
        BOOST_TEST_CONTEXT(args[0] << " " << (args.size() > 1 ? args[1] : "")) {
            BOOST_TEST(r.status == 2);
            BOOST_TEST(r.err.find("grade:") != std::string::npos);
            BOOST_TEST(r.out.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_malformed_case_file_exits_2_naming_the_file) {
    const fs::path dir = scratch("malformed");
    std::ofstream(dir / "broken.json") << R"({"exercise": "softmax", "cases": [{"name": "x", "logits": [1, 2,]}]})";
    const Run r = grade({"--cases", dir.string(), "--library", solutions_module});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(r.err.find("broken.json") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(the_reference_exits_0_and_the_stubs_exit_1_in_json) {
    const Run pass = grade({"--library", solutions_module, "--format", "json", "--seed", "3"});
    BOOST_TEST(pass.status == 0, pass.err);
    const nlohmann::json report = nlohmann::json::parse(pass.out);  // stdout holds the report and nothing else
    BOOST_TEST(report.at("score").get<double>() == report.at("max_score").get<double>(),
               celab::test::rows_not_passed(pass.out));
    BOOST_TEST(report.at("checks").size() > 100u);

    const Run fail = grade({"--library", stubs_module, "--format", "json", "--seed", "3"});
    BOOST_TEST(fail.status == 1);
    const nlohmann::json stubs = nlohmann::json::parse(fail.out);
    BOOST_TEST(stubs.at("score").get<double>() == 0.0);
    for (const auto& row : stubs.at("checks")) BOOST_TEST(row.at("status").get<std::string>() == "not_implemented");
}

BOOST_AUTO_TEST_CASE(exercise_filter_and_list) {
    const Run r = grade({"--library", solutions_module, "--format", "json", "--exercise", "reduce"});
    BOOST_TEST(r.status == 0);
    const nlohmann::json report = nlohmann::json::parse(r.out);
    BOOST_TEST(!report.at("checks").empty());
    for (const auto& row : report.at("checks")) BOOST_TEST(row.at("exercise").get<std::string>() == "reduce");
    const Run list = grade({"--list"});
    BOOST_TEST(list.status == 0);
    BOOST_TEST(list.out.find("cross_entropy_grad_batch") != std::string::npos);
    BOOST_TEST(list.out.find("finite_difference") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hint_prints_the_exercise_section) {
    const Run r = grade({"--hint", "cross_entropy_grad"});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out.find("## cross_entropy_grad") != std::string::npos, r.out.substr(0, 200));
    BOOST_TEST(r.out.find("## cross_entropy_grad_batch") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(output_file_is_written_and_stdout_stays_empty) {
    const fs::path file = scratch("output") / "results.json";
    const Run r = grade({"--library", solutions_module, "--format", "gradescope", "--output", file.string()});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(r.out.empty());
    std::ifstream in(file);
    const nlohmann::json j = nlohmann::json::parse(in);
    BOOST_TEST(j.at("tests").size() > 10u);
    BOOST_TEST(j.at("tests").size() < 100u, "one test per exercise and check, not per case");
}

BOOST_AUTO_TEST_CASE(same_seed_same_report) {
    const Run a = grade({"--library", solutions_module, "--format", "json", "--seed", "42", "--exercise", "softmax"});
    const Run b = grade({"--library", solutions_module, "--format", "json", "--seed", "42", "--exercise", "softmax"});
    BOOST_TEST(a.out == b.out);
    BOOST_TEST(nlohmann::json::parse(a.out).at("seed").get<unsigned long long>() == 42u);
}

BOOST_AUTO_TEST_CASE(validate_accepts_the_shipped_cases_and_rejects_a_wrong_expected_value) {
    const Run ok = grade({"--validate", "--seed", "5"});
    BOOST_TEST(ok.status == 0, ok.err);
    const fs::path dir = scratch("validate");
    std::ofstream(dir / "wrong.json")
        << R"({"exercise": "log_sum_exp", "cases": [{"name": "wrong_expected", "logits": [0, 0], "expected": 0.5}]})";
    const Run bad = grade({"--validate", "--no-shipped-cases", "--cases", dir.string()});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(bad.err.find("wrong.json") != std::string::npos, bad.err);
    BOOST_TEST(bad.err.find("wrong_expected") != std::string::npos, bad.err);
}

BOOST_AUTO_TEST_CASE(a_submission_folder_with_a_compile_error_still_grades_the_other_files) {
    const fs::path dir = scratch("compile-error");
    const fs::path root = CELAB_SOURCE_DIR;
    for (const char* f : {"softmax.cpp", "loss.cpp", "gradient.cpp"})
        fs::copy_file(root / "solutions" / f, dir / f, fs::copy_options::overwrite_existing);
    std::ofstream(dir / "loss.cpp", std::ios::app) << "\nthis does not compile;\n";
    const Run r = grade({"--submission", dir.string(), "--format", "json", "--seed", "1"});
    BOOST_TEST(r.status == 1);
    const nlohmann::json j = nlohmann::json::parse(r.out);
    int loss_errors = 0, softmax_passes = 0, reduce_rows = 0;
    for (const auto& row : j.at("checks")) {
        const std::string e = row.at("exercise"), status = row.at("status");
        if (e == "cross_entropy" && status == "error") ++loss_errors;
        if (e == "softmax" && status == "pass") ++softmax_passes;
        // reduce's "None must throw" cases too are a build error, never a wrong answer with a diagnosis
        if (e != "reduce") continue;
        ++reduce_rows;
        BOOST_TEST(status == "error", row.dump());
        BOOST_TEST(row.value("mistake", "") == "", row.dump());
    }
    BOOST_TEST(reduce_rows > 0);
    BOOST_TEST(loss_errors > 0);
    BOOST_TEST(softmax_passes > 0);
    BOOST_TEST(j.at("build_errors").dump().find("does not compile") != std::string::npos);
}

namespace {
// A copy of solutions/ in a scratch folder, with `edit` applied to one file's text.
fs::path solutions_copy(const std::string& name, const std::string& file,
                        const std::function<std::string(std::string)>& edit) {
    const fs::path dir = scratch(name);
    const fs::path root = CELAB_SOURCE_DIR;
    for (const char* f : {"softmax.cpp", "loss.cpp", "gradient.cpp"})
        fs::copy_file(root / "solutions" / f, dir / f, fs::copy_options::overwrite_existing);
    std::ifstream in(dir / file);
    std::stringstream text;
    text << in.rdbuf();
    in.close();
    std::ofstream(dir / file, std::ios::trunc) << edit(text.str());
    return dir;
}

std::map<std::string, std::map<std::string, int>> statuses(const nlohmann::json& report) {
    std::map<std::string, std::map<std::string, int>> count;  // exercise -> status -> rows
    for (const auto& row : report.at("checks")) ++count[row.at("exercise")][row.at("status")];
    return count;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_missing_function_costs_only_its_own_checks) {
    const fs::path dir = solutions_copy("missing-function", "softmax.cpp", [](std::string text) {
        const auto begin = text.find("double log_sum_exp(");
        return text.substr(0, begin) + text.substr(text.find("}  // namespace celab"));
    });
    const Run r = grade({"--submission", dir.string(), "--format", "json", "--seed", "1"});
    BOOST_TEST(r.status == 1);
    const nlohmann::json j = nlohmann::json::parse(r.out);
    auto count = statuses(j);
    BOOST_TEST(count["softmax"]["pass"] > 0);
    BOOST_TEST(count["softmax"].size() == 1u, "softmax is still graded in full");
    BOOST_TEST(count["cross_entropy_grad"].size() == 1u);
    BOOST_TEST(count["log_sum_exp"]["error"] > 0);
    BOOST_TEST(r.out.find("celab::log_sum_exp is not defined") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_link_error_is_charged_to_one_file_and_the_others_are_graded) {
    auto add_helper = [](std::string text) {
        return text.replace(text.find("namespace celab {"), 17, "namespace celab {\ndouble twice(double x) { return 2 * x; }");
    };
    const fs::path dir = solutions_copy("link-error", "loss.cpp", add_helper);
    {
        std::ifstream in(dir / "gradient.cpp");
        std::stringstream text;
        text << in.rdbuf();
        in.close();
        std::ofstream(dir / "gradient.cpp", std::ios::trunc) << add_helper(text.str());
    }
    const Run r = grade({"--submission", dir.string(), "--format", "json", "--seed", "1"});
    BOOST_TEST(r.status == 1);
    const nlohmann::json j = nlohmann::json::parse(r.out);
    auto count = statuses(j);
    BOOST_TEST(count["softmax"].size() == 1u);
    BOOST_TEST(count["softmax"]["pass"] > 0);
    BOOST_TEST(j.at("build_errors").dump().find("multiple definition") != std::string::npos);
    const int loss_ok = count["cross_entropy"]["pass"], gradient_ok = count["cross_entropy_grad"]["pass"];
    BOOST_TEST(((loss_ok > 0) != (gradient_ok > 0)), "exactly one of the two clashing files is charged");
}

BOOST_AUTO_TEST_CASE(a_file_that_exhausts_the_compiler_is_a_compile_error) {
    const fs::path dir = solutions_copy("compiler-bomb", "loss.cpp", [](std::string) {
        return std::string("#include \"/dev/zero\"\n");  // endless input: the compiler's memory limit stops it
    });
    const Run r = grade({"--submission", dir.string(), "--format", "json", "--seed", "1", "--exercise", "reduce",
                         "--exercise", "softmax"});
    BOOST_TEST(r.status == 1);
    const nlohmann::json j = nlohmann::json::parse(r.out);
    auto count = statuses(j);
    BOOST_TEST(count["reduce"]["error"] > 0);
    BOOST_TEST(count["softmax"]["pass"] > 0);
    BOOST_TEST(j.at("build_errors").contains("reduce"));
}

BOOST_AUTO_TEST_CASE(json_rows_carry_the_diagnosed_mistake) {
    const Run r = grade({"--library", std::string(CELAB_MODULE_DIR) + "/celab_mutant_softmax_no_max.so", "--format", "json",
                         "--seed", "1", "--exercise", "softmax"});
    BOOST_TEST(r.status == 1);
    const nlohmann::json report = nlohmann::json::parse(r.out);
    int diagnosed = 0;
    for (const auto& row : report.at("checks"))
        if (row.at("mistake") == "no_max_subtraction") ++diagnosed;
    BOOST_TEST(diagnosed > 0);
}

BOOST_AUTO_TEST_CASE(instructor_and_validate_show_hidden_cases_and_students_never_see_them) {
    // A hidden case with a wrong expected value: the instructor validating it must see why.
    const fs::path dir = scratch("hidden");
    std::ofstream(dir / "softmax_hidden.json")
        << R"({"exercise": "softmax", "defaults": {"visibility": "hidden"},
               "cases": [{"name": "secret_case", "logits": [1, 2, 3], "expected": [0.2, 0.3, 0.5]}]})";
    const Run validate = grade({"--cases", dir.string(), "--validate"});
    BOOST_TEST(validate.status == 2);
    BOOST_TEST(validate.err.find("secret_case") != std::string::npos, validate.err);
    BOOST_TEST(validate.err.find("expected 0.5") != std::string::npos, validate.err);

    const std::vector<std::string> base{"--library", solutions_module, "--cases", dir.string(), "--exercise", "softmax"};
    const auto with = [&](std::vector<std::string> more) {
        std::vector<std::string> args = base;
        args.insert(args.end(), more.begin(), more.end());
        return grade(args);
    };
    const Run student = with({"--format", "text"});
    BOOST_TEST(student.out.find("expected 0.5") == std::string::npos, student.out);
    BOOST_TEST(student.out.find("hidden case: wrong result") != std::string::npos, student.out);
    const Run instructor = with({"--format", "text", "--instructor"});
    BOOST_TEST(instructor.out.find("expected 0.5") != std::string::npos, instructor.out);
    BOOST_TEST(instructor.out.find("Instructor's view") != std::string::npos);

    const nlohmann::json shown = nlohmann::json::parse(with({"--format", "json", "--instructor"}).out);
    const nlohmann::json withheld = nlohmann::json::parse(with({"--format", "json"}).out);
    for (const auto& [report, visible] : {std::pair{&shown, true}, std::pair{&withheld, false}})
        for (const auto& row : report->at("checks"))
            if (row.at("case") == "secret_case" && row.at("check") == "values")
                BOOST_TEST((row.at("message").get<std::string>().find("expected 0.5") != std::string::npos) == visible);
    // Gradescope's results.json is what students read: hidden even in the instructor's view.
    const Run gradescope = with({"--format", "gradescope", "--instructor"});
    BOOST_TEST(gradescope.out.find("expected 0.5") == std::string::npos, gradescope.out);
}

// The gcc report format: positions at the exercises' definitions (checked against the files),
// the line format editors parse (with the problem matcher shipped in .vscode/tasks.json), and hidden
// rows that never show their message.
#define BOOST_TEST_MODULE gcc_report
#include <boost/test/unit_test.hpp>

#include "descriptor.hpp"
#include "reports.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace celab::grader;

namespace {

const fs::path source_dir = CELAB_SOURCE_DIR;

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("celab-gcc-" + std::to_string(::getpid())) / name;
    fs::create_directories(dir);
    return dir;
}

struct RemoveScratch {
    ~RemoveScratch() {
        std::error_code ignored;
        fs::remove_all(fs::temp_directory_path() / ("celab-gcc-" + std::to_string(::getpid())), ignored);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(RemoveScratch);

std::vector<std::string> read_lines(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Independently of the report: in the shipped files every definition starts a line at column 1 with
// its return type ("Eigen::VectorXd softmax(const ..."), and nothing else does.
int definition_line(const fs::path& file, const std::string& name) {
    const std::vector<std::string> lines = read_lines(file);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        if (l.empty() || l[0] == ' ' || l[0] == '/' || l[0] == '#') continue;
        if (l.find(" " + name + "(") != std::string::npos) return static_cast<int>(i) + 1;
    }
    return 0;
}

CheckResult row(Exercise e, const std::string& check, Status status, const std::string& message,
                Visibility visibility = Visibility::visible) {
    CheckResult r;
    r.exercise = e;
    r.check = check;
    r.case_name = "c1";
    r.status = status;
    r.visibility = visibility;
    r.max_points = 1.0;
    r.points = status == Status::pass ? 1.0 : 0.0;
    r.message = message;
    return r;
}

}  // namespace

BOOST_AUTO_TEST_CASE(positions_match_the_definitions_in_the_shipped_files) {
    for (Exercise e : all_exercises()) {
        for (const char* folder : {"exercises", "solutions"}) {
            const fs::path file = source_dir / folder / (std::string(source_file(e)) + ".cpp");
            const int expected = definition_line(file, name(e));
            BOOST_TEST_REQUIRE(expected > 0, "no definition of " << name(e) << " in " << file);
            const auto [line, column] = reports::detail::definition_position(file, name(e));
            BOOST_TEST(line == expected, name(e) << " in " << file);
            const std::string text = read_lines(file).at(static_cast<std::size_t>(line - 1));
            BOOST_TEST(text.compare(static_cast<std::size_t>(column - 1), std::string(name(e)).size() + 1,
                                    std::string(name(e)) + "(") == 0,
                       "column " << column << " of \"" << text << "\"");
        }
    }
}

BOOST_AUTO_TEST_CASE(comments_calls_declarations_and_longer_names_are_not_definitions) {
    const fs::path dir = scratch("tricky");
    std::ofstream(dir / "softmax.cpp") << "// softmax(z) is computed below\n"                        // 1
                                          "/* softmax(\n"                                            // 2
                                          "   softmax( */\n"                                         // 3
                                          "Eigen::VectorXd softmax(const Eigen::VectorXd&);\n"       // 4 declaration
                                          "Eigen::MatrixXd log_softmax_rows(const Eigen::MatrixXd& z) {\n"  // 5
                                          "    return softmax_rows(z);\n"                            // 6 a call
                                          "}\n"                                                      // 7
                                          "double helper(const Eigen::VectorXd& z) { return softmax(z).sum(); }\n"  // 8
                                          "Eigen::VectorXd\n"                                        // 9
                                          "  softmax (const Eigen::VectorXd& z) {\n"                 // 10
                                          "    return z;\n"
                                          "}\n"
                                          "Eigen::MatrixXd celab::softmax_rows(const Eigen::MatrixXd& z) { return z; }\n";  // 13
    using reports::detail::definition_position;
    BOOST_TEST((definition_position(dir / "softmax.cpp", "softmax") == std::pair<int, int>{10, 3}));
    BOOST_TEST((definition_position(dir / "softmax.cpp", "log_softmax_rows") == std::pair<int, int>{5, 17}));
    BOOST_TEST((definition_position(dir / "softmax.cpp", "softmax_rows") == std::pair<int, int>{13, 24}));
    BOOST_TEST((definition_position(dir / "softmax.cpp", "log_sum_exp") == std::pair<int, int>{1, 1}));
    BOOST_TEST((definition_position(dir / "missing.cpp", "softmax") == std::pair<int, int>{1, 1}));
}

BOOST_AUTO_TEST_CASE(failing_checks_become_error_lines_at_the_definition_and_hidden_rows_keep_their_secrets) {
    const fs::path dir = scratch("report");
    for (const char* file : {"softmax", "loss", "gradient"})
        fs::copy_file(source_dir / "exercises" / (std::string(file) + ".cpp"), dir / (std::string(file) + ".cpp"),
                      fs::copy_options::overwrite_existing);
    const Exercise softmax = exercise_named("softmax");
    const Exercise grad = exercise_named("cross_entropy_grad");
    const Exercise lse = exercise_named("log_sum_exp");
    Report report;
    report.submission = dir.string();
    report.seed = 42;
    report.checks.push_back(row(softmax, "values", Status::pass, ""));
    report.checks.push_back(row(softmax, "sums_to_one", Status::fail, "case \"c1\" (logits [1, 2]): the entries sum to 3, not 1"));
    report.checks.back().diagnosis = "forgot to divide by the sum.";
    report.checks.push_back(row(grad, "analytic", Status::fail, "SECRET expected 0.25", Visibility::hidden));
    report.checks.push_back(row(lse, "values", Status::not_implemented, "not implemented"));
    std::ostringstream out;
    reports::write_gcc(out, report);
    const std::string text = out.str();
    BOOST_TEST_MESSAGE(text);

    const int softmax_line = definition_line(dir / "softmax.cpp", "softmax");
    const int grad_line = definition_line(dir / "gradient.cpp", "cross_entropy_grad");
    const int lse_line = definition_line(dir / "softmax.cpp", "log_sum_exp");
    const std::string file = (dir / "softmax.cpp").generic_string();
    const std::string softmax_at = file + ":" + std::to_string(softmax_line) + ":17: ";
    BOOST_TEST(text.find(softmax_at + "error: softmax: sums_to_one: case \"c1\" (logits [1, 2]): the entries sum to 3, not 1\n") !=
               std::string::npos);
    BOOST_TEST(text.find(softmax_at + "note: softmax: Likely mistake: forgot to divide by the sum.\n") != std::string::npos);
    BOOST_TEST(text.find("softmax: values") == std::string::npos);  // passing checks are not listed
    BOOST_TEST(text.find((dir / "gradient.cpp").generic_string() + ":" + std::to_string(grad_line) +
                         ":17: error: cross_entropy_grad: analytic: hidden case: wrong result") != std::string::npos);
    BOOST_TEST(text.find("SECRET") == std::string::npos);
    BOOST_TEST(text.find(file + ":" + std::to_string(lse_line) + ":8: warning: log_sum_exp: not implemented yet") !=
               std::string::npos);
    BOOST_TEST(text.find("celab: 0/3 exercises complete, score 1.0/4.0, seed 42") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_file_that_does_not_compile_gets_its_compiler_output_and_one_line_per_exercise) {
    const fs::path dir = scratch("broken");
    std::ofstream(dir / "loss.cpp") << "#include <celab/exercises.hpp>\n\ndouble reduce(const Eigen::VectorXd& l, Reduction r) {\n";
    const Exercise reduce = exercise_named("reduce");
    Report report;
    report.submission = dir.string();
    report.checks.push_back(row(reduce, "values", Status::error, "celab::reduce is unavailable: loss.cpp did not compile"));
    report.checks.push_back(row(reduce, "repeatable", Status::error, "celab::reduce is unavailable: loss.cpp did not compile"));
    const std::string compiler = (dir / "loss.cpp").string() + ":3:52: error: expected '}' at end of input\n";
    report.build_errors.emplace_back(reduce, compiler);
    std::ostringstream out;
    reports::write_gcc(out, report);
    const std::string text = out.str();
    BOOST_TEST(text.find(compiler) == 0u, text);  // the compiler's own lines come first, unchanged
    BOOST_TEST(text.find((dir / "loss.cpp").generic_string() + ":3:8: error: reduce: does not compile (compiler output above)\n") !=
               std::string::npos, text);
    BOOST_TEST(text.find("unavailable") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(the_vscode_problem_matcher_reads_every_error_line) {
    std::ifstream in(source_dir / ".vscode" / "tasks.json");
    BOOST_TEST_REQUIRE(static_cast<bool>(in), ".vscode/tasks.json is missing");
    const nlohmann::json tasks = nlohmann::json::parse(in);
    const nlohmann::json* matcher = nullptr;
    for (const auto& task : tasks.at("tasks"))
        if (task.at("command").get<std::string>().find("--format gcc") != std::string::npos) matcher = &task.at("problemMatcher");
    BOOST_TEST_REQUIRE(matcher != nullptr, "no task runs ./grade --format gcc");
    const auto& pattern = matcher->at("pattern");
    const std::regex re(pattern.at("regexp").get<std::string>());  // ECMAScript, as VS Code's
    const std::string line =
        "exercises/softmax.cpp:15:17: error: softmax: values: case \"uniform\" (logits [0, 0, 0]): worst entry at index 0: "
        "expected 0.33, got 1 (allowed error 1e-09 + 1e-09*|expected|)";
    std::smatch m;
    BOOST_TEST_REQUIRE(std::regex_match(line, m, re));
    BOOST_TEST(m[pattern.at("file").get<int>()].str() == "exercises/softmax.cpp");
    BOOST_TEST(m[pattern.at("line").get<int>()].str() == "15");
    BOOST_TEST(m[pattern.at("column").get<int>()].str() == "17");
    BOOST_TEST(m[pattern.at("severity").get<int>()].str() == "error");
    BOOST_TEST(m[pattern.at("message").get<int>()].str().rfind("softmax: values: case \"uniform\"", 0) == 0);
    const std::string summary = "celab: 3/10 exercises complete, score 1.0/4.0, seed 42";
    BOOST_TEST(!std::regex_match(summary, m, re));
}

// What a student reads about their code itself: compile errors (the first error with its line and code,
// Eigen's noise folded, a note for the classic Eigen mistakes, the full log's path), the warnings of
// their own file, and an index out of range reported as its own verdict. Each classic mistake is a tiny
// submission compiled by the submission builder; the out-of-range ones are graded end to end.
#define BOOST_TEST_MODULE compiler_output
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "builder.hpp"
#include "cli.hpp"
#include "compiler_output.hpp"
#include "support/files.hpp"
#include "support/scratch.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace bdata = boost::unit_test::data;
namespace builder = celab::grader::builder;
namespace co = celab::grader::compiler_output;

using celab::test::read_file;

namespace {

const fs::path& scratch() {
    static const celab::test::ScratchFolder folder(CELAB_TEST_SCRATCH_DIR, "run-");
    return folder.path();
}

builder::Config test_config() {
    builder::Config config = builder::default_config();
    config.cache_dir = scratch() / "cache";
    return config;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A submission folder holding only softmax.cpp (loss.cpp and gradient.cpp are missing: the fallback
// stands in for them) with `body` inside namespace celab.
fs::path softmax_submission(const std::string& name, const std::string& body, const std::string& includes = "") {
    const fs::path dir = scratch() / name;
    fs::create_directories(dir);
    std::ofstream(dir / "softmax.cpp") << "#include <celab/exercises.hpp>\n" << includes << "#include <vector>\nnamespace celab {\n"
                                       << body << "}  // namespace celab\n";
    return dir;
}

const builder::FileBuild& softmax_file(const builder::Result& r) {
    BOOST_TEST_REQUIRE(r.files.size() == 3u);
    return r.files[0];
}

// ---- the classic Eigen mistakes ---------------------------------------------------------------
struct Mistake {
    std::string name;
    std::string body;      // the function; its offending line is line 4 of the file
    std::string note;      // part of the note the summary must give
    std::string error;     // part of the error line
};
std::ostream& operator<<(std::ostream& out, const Mistake& m) { return out << m.name; }

const Mistake mistakes[] = {
    {"exp_of_a_matrix",
     "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
     "    Eigen::VectorXd e = logits.exp();\n    return e / e.sum();\n}\n",
     "Array or Matrix?", "softmax.cpp:5:"},
    {"matrix_minus_scalar",
     "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
     "    Eigen::VectorXd e = (logits - logits.maxCoeff()).array().exp();\n    return e / e.sum();\n}\n",
     "Array or Matrix?", "softmax.cpp:5:"},
    {"matrix_plus_array",
     "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
     "    Eigen::VectorXd e = logits + logits.array().exp();\n    return e;\n}\n",
     "Array or Matrix?", "softmax.cpp:5:"},
    {"rowwise_divide_without_array",
     "Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& Z) {\n"
     "    Eigen::MatrixXd E = Z;\n    return E.colwise() / E.rowwise().sum();\n}\n",
     "rowwise()/colwise() on a matrix broadcast only + and -", "softmax.cpp:6:"},
    {"column_where_a_row_is_wanted",
     "Eigen::MatrixXd softmax_rows(const Eigen::MatrixXd& Z) {\n"
     "    Eigen::MatrixXd E = (Z.rowwise() - Z.rowwise().maxCoeff()).array().exp();\n    return E;\n}\n",
     "VectorXd or RowVectorXd?", "softmax.cpp:5:"},
};

}  // namespace

BOOST_DATA_TEST_CASE(a_classic_eigen_mistake_gets_its_line_its_code_and_a_note, bdata::make(mistakes), sample) {
    const Mistake& m = sample;
    const fs::path dir = softmax_submission(m.name, m.body);
    const builder::Result r = builder::build(dir, test_config());
    const builder::FileBuild& f = softmax_file(r);
    BOOST_TEST_REQUIRE(!f.ok);
    BOOST_TEST_MESSAGE(m.name << ":\n" << f.summary);
    // The first error, at the student's line (not inside Eigen's headers), with the code of that line.
    BOOST_TEST(f.summary.rfind(m.error, 0) == 0, f.summary);
    const std::string line = m.body.substr(m.body.find('\n') + 1);
    const std::string code = line.substr(0, line.find('\n'));
    const std::size_t number = m.error == "softmax.cpp:6:" ? 6 : 5;
    BOOST_TEST(contains(f.summary, std::to_string(number) + " | " + (number == 5 ? code : "    return E.colwise() / E.rowwise().sum();")),
               f.summary);
    BOOST_TEST(contains(f.summary, "Note: " + m.note), f.summary);
    // The noise is folded: no spelled-out Eigen types, no include chain, short lines.
    BOOST_TEST(!contains(f.summary, "Eigen::Matrix<double"), f.summary);
    BOOST_TEST(!contains(f.summary, "In file included from"), f.summary);
    std::istringstream lines(f.summary);
    for (std::string l; std::getline(lines, l);) BOOST_TEST(l.size() <= 420u, l);
    // The full log is in the cache, and the summary says where.
    BOOST_TEST_REQUIRE(!f.log.empty());
    BOOST_TEST(fs::exists(f.log));
    BOOST_TEST(contains(f.summary, "the full compiler log: " + f.log.string()), f.summary);
    BOOST_TEST(read_file(f.log).size() > f.summary.size());
    BOOST_TEST(contains(read_file(f.log), "error"));
}

BOOST_AUTO_TEST_CASE(an_ordinary_error_names_its_line_and_counts_the_others) {
    const fs::path dir = softmax_submission("ordinary",
                                            "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
                                            "    double m = logits.maxCoeff() + undeclared_xyz;\n"
                                            "    return (logits.array() - m).exp() / undeclared_abc;\n}\n");
    const builder::Result r = builder::build(dir, test_config());
    const builder::FileBuild& f = softmax_file(r);
    BOOST_TEST_REQUIRE(!f.ok);
    BOOST_TEST(f.summary.rfind("softmax.cpp:5:", 0) == 0, f.summary);
    BOOST_TEST(contains(f.summary, "undeclared_xyz"), f.summary);
    BOOST_TEST(!contains(f.summary, "undeclared_abc"), "only the first error: " << f.summary);
    BOOST_TEST(contains(f.summary, "    5 |     double m = logits.maxCoeff() + undeclared_xyz;\n"), f.summary);
    BOOST_TEST(contains(f.summary, "(1 more error in this file; the full compiler log: "), f.summary);
    BOOST_TEST(!contains(f.summary, "Note:"), "no classic mistake here: " << f.summary);
}

// ---- warnings -----------------------------------------------------------------------------------
BOOST_AUTO_TEST_CASE(warnings_of_the_students_file_are_summarised_by_line) {
    const fs::path dir = softmax_submission("warnings",
                                            "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
                                            "    double unused = 0;\n"
                                            "    std::vector<double> v(3);\n"
                                            "    for (int i = 0; i < v.size(); ++i) v[i] = 1;\n"
                                            "    int first[] = {logits(0)};\n"
                                            "    (void)first;\n"
                                            "    Eigen::VectorXd e = (logits.array() - logits.maxCoeff()).exp();\n"
                                            "    return e / e.sum();\n}\n");
    const builder::Result r = builder::build(dir, test_config());
    const builder::FileBuild& f = softmax_file(r);
    BOOST_TEST_REQUIRE(f.ok, f.diagnostics);
    BOOST_TEST_MESSAGE("warnings:\n" << f.warnings);
    BOOST_TEST(f.warnings.rfind("softmax.cpp:5:", 0) == 0, "sorted by line: " << f.warnings);
    BOOST_TEST(contains(f.warnings, "[-Wunused-variable]"));
    BOOST_TEST(contains(f.warnings, "softmax.cpp:7:"));
    BOOST_TEST(contains(f.warnings, "[-Wsign-compare]"));
    BOOST_TEST(contains(f.warnings, "softmax.cpp:8:"));
    BOOST_TEST(contains(f.warnings, "[-Wnarrowing]"));
    BOOST_TEST(contains(f.warnings, "    7 |     for (int i = 0; i < v.size(); ++i) v[i] = 1;"));
    BOOST_TEST(!contains(f.warnings, "eigen3"), "Eigen's own warnings are not the student's");
    // The same warnings from the cache on a rebuild.
    const builder::Result again = builder::build(dir, test_config());
    BOOST_TEST(softmax_file(again).cached);
    BOOST_TEST(softmax_file(again).warnings == f.warnings);
}

BOOST_AUTO_TEST_CASE(the_reference_solutions_compile_without_warnings) {
    const builder::Result r = builder::build("solutions", test_config());
    for (const builder::FileBuild& f : r.files) {
        BOOST_TEST(f.ok, f.file);
        BOOST_TEST(f.warnings.empty(), f.file << ":\n" << f.warnings);
    }
}

BOOST_AUTO_TEST_CASE(at_most_five_warnings_are_shown) {
    std::string log;
    for (int line = 1; line <= 8; ++line)
        log += "/s/softmax.cpp:" + std::to_string(line) + ":5: warning: unused variable 'x" + std::to_string(line) +
               "' [-Wunused-variable]\n";
    log += "/usr/include/eigen3/Eigen/src/Core/X.h:3:1: warning: something in Eigen\n";
    const std::string text = co::summarise_warnings(log, "/s/softmax.cpp", "", "/cache/softmax.o.log");
    BOOST_TEST(contains(text, "softmax.cpp:5:5: warning: unused variable 'x5'"));
    BOOST_TEST(!contains(text, "'x6'"));
    BOOST_TEST(contains(text, "(3 more warnings; the full compiler log: /cache/softmax.o.log)"), text);
    BOOST_TEST(!contains(text, "Eigen"));
}

BOOST_AUTO_TEST_CASE(fold_names_eigen_types_and_hides_deep_template_arguments) {
    BOOST_TEST(co::fold("no match for 'operator+' (operand types are 'const Eigen::VectorXd' {aka 'const "
                        "Eigen::Matrix<double, -1, 1>'} and 'Eigen::Array<double, -1, -1>')") ==
               "no match for 'operator+' (operand types are 'const VectorXd' and 'ArrayXXd')");
    BOOST_TEST(co::fold("'Eigen::Replicate<Eigen::PartialReduxExpr<Eigen::Matrix<double, -1, -1>, "
                        "Eigen::internal::member_sum<double, double>, 1>, 1, -1>'") ==
               "'Replicate<PartialReduxExpr<…>, 1, -1>'");
    BOOST_TEST(co::fold("no match for 'operator<<' (x)") == "no match for 'operator<<' (x)");
    BOOST_TEST(co::fold(std::string(500, 'x')).size() < 210u);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_compiler_output_is_kept) {
    const std::string link = "/usr/bin/ld: loss.o: in function `celab::twice(double)':\nmultiple definition of "
                             "`celab::twice(double)'\ncollect2: error: ld returned 1 exit status\n";
    const std::string text = co::summarise_errors(link, "/s/loss.cpp", "", "");
    BOOST_TEST(contains(text, "multiple definition"));
}

// ---- out-of-range access --------------------------------------------------------------------------
namespace {
struct Access {
    std::string name;
    std::string body;
    std::string says;  // part of every row's message
};
std::ostream& operator<<(std::ostream& out, const Access& a) { return out << a.name; }

const Access accesses[] = {
    {"eigen_minus_one",
     "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
     "    Eigen::VectorXd e = (logits.array() - logits(-1)).exp();\n    return e / e.sum();\n}\n",
     "(Eigen checks index >= 0 && index < size())"},
    {"eigen_past_the_end",
     "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
     "    double m = logits(0);\n    for (Eigen::Index i = 0; i <= logits.size(); ++i) m = std::max(m, logits(i));\n"
     "    Eigen::VectorXd e = (logits.array() - m).exp();\n    return e / e.sum();\n}\n",
     "(Eigen checks index >= 0 && index < size())"},
    {"vector_past_the_end",
     "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
     "    std::vector<double> v(logits.data(), logits.data() + logits.size());\n"
     "    double m = v[0];\n    for (std::size_t i = 0; i <= v.size(); ++i) m = std::max(m, v[i]);\n"
     "    Eigen::VectorXd e = (logits.array() - m).exp();\n    return e / e.sum();\n}\n",
     "std::vector::operator[]"},
};

// Grades `dir` (its softmax exercise) through the command line; returns the JSON report.
// With `cases`, only the cases of that folder.
nlohmann::json grade_softmax(const fs::path& dir, const char* timeout = "5", int expected_status = 1,
                             const fs::path& cases = {}) {
    const std::string folder = dir.string(), case_dir = cases.string();
    std::vector<const char*> argv = {"grade", "--submission", folder.c_str(), "--exercise", "softmax", "--format",
                                     "json", "--seed", "3", "--timeout", timeout};
    if (!cases.empty()) argv.insert(argv.end(), {"--no-shipped-cases", "--cases", case_dir.c_str()});
    std::ostringstream out, err;
    const int status = celab::grader::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
    BOOST_TEST(status == expected_status, err.str());
    return nlohmann::json::parse(out.str());
}
}  // namespace

BOOST_DATA_TEST_CASE(an_index_out_of_range_is_its_own_verdict_naming_the_function, bdata::make(accesses), sample) {
    const Access& a = sample;
    const nlohmann::json report = grade_softmax(softmax_submission(a.name, a.body));
    const nlohmann::json& rows = report.at("checks");
    BOOST_TEST_REQUIRE(!rows.empty());
    int visible = 0;
    for (const nlohmann::json& row : rows) {
        BOOST_TEST(row.at("status").get<std::string>() == "out_of_range", row.dump());
        if (row.at("visibility") != "visible") continue;
        ++visible;
        const std::string message = row.at("message");
        BOOST_TEST(contains(message, "out-of-range access in softmax: "), message);
        BOOST_TEST(contains(message, a.says), message);
    }
    BOOST_TEST(visible > 0);
}

BOOST_AUTO_TEST_CASE(operands_of_different_sizes_are_an_error_that_says_so) {
    const nlohmann::json report = grade_softmax(softmax_submission(
        "row_plus_column", "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
                           "    Eigen::RowVectorXd r = logits.transpose();\n"
                           "    Eigen::VectorXd sum = logits + r;\n    return sum;\n}\n"));
    for (const nlohmann::json& row : report.at("checks")) {
        // A vector of length 1 is both a row and a column: that case passes shape at least.
        if (row.at("status") == "pass" || row.at("status") == "fail" || row.at("visibility") != "visible") continue;
        BOOST_TEST(row.at("status").get<std::string>() == "error", row.dump());
        BOOST_TEST(contains(row.at("message"), "Eigen's check failed in softmax: operands of different sizes"),
                   row.dump());
    }
}

// ---- what the text says about time and output ---------------------------------------------------
BOOST_AUTO_TEST_CASE(a_timeout_names_the_size_of_the_case_and_a_likely_cause) {
    // Quadratic in V: hopeless on V = 100,000 (the only case).
    const fs::path cases = scratch() / "big-case";
    fs::create_directories(cases);
    std::ofstream(cases / "big.json") << R"({"exercise": "softmax", "cases": [{"name": "big", "generate": )"
                                      << R"({"count": 1, "classes": 100000, "scale": [1, 20], "offset": [-100, 100]}}]})";
    const nlohmann::json report = grade_softmax(
        softmax_submission("quadratic", "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
                                        "    Eigen::VectorXd p(logits.size());\n"
                                        "    for (Eigen::Index i = 0; i < logits.size(); ++i) {\n"
                                        "        double sum = 0;\n"
                                        "        for (Eigen::Index j = 0; j < logits.size(); ++j)\n"
                                        "            sum += std::exp(logits(j) - logits(i));\n"
                                        "        p(i) = 1 / sum;\n    }\n    return p;\n}\n"),
        "2", 1, cases);
    int timeouts = 0;
    for (const nlohmann::json& row : report.at("checks")) {
        BOOST_TEST(row.at("status") == "timeout", row.dump());
        ++timeouts;
        const std::string message = row.at("message");
        BOOST_TEST(contains(message, "in a case of V = 100,000"), message);
        BOOST_TEST(contains(message, "O(V²)"), message);
    }
    BOOST_TEST(timeouts > 0);
}

BOOST_AUTO_TEST_CASE(what_the_code_prints_is_attributed_to_the_case_that_printed_it) {
    const nlohmann::json report = grade_softmax(softmax_submission(
        "chatty", "Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {\n"
                  "    celab::validate::logits(logits, \"softmax\");  // the bad-input cases print nothing\n"
                  "    std::printf(\"V=%d first=%g\\n\", static_cast<int>(logits.size()), logits(0));\n"
                  "    Eigen::VectorXd e = (logits.array() - logits.maxCoeff()).exp();\n    return e / e.sum();\n}\n",
        "#include <cstdio>\n#include <celab/validate.hpp>\n"),
        "5", 0);
    const std::string output = report.at("student_output").at("softmax");
    BOOST_TEST_MESSAGE(output.substr(0, 600));
    // Each case's heading, then what that case's calls printed (the main call first: its own logits).
    BOOST_TEST(contains(output, "case \"uniform\":\nV=3 first=0\n"), output.substr(0, 400));
    BOOST_TEST(contains(output, "case \"seed_example\":\nV=4 first=1\n"), output.substr(0, 400));
    BOOST_TEST(output.find('\x1e') == std::string::npos, "the grader's markers are removed");
    BOOST_TEST(output.find('\x1f') == std::string::npos);
}

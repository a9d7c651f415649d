// The report writers: every format says the same thing about the same Report, hidden cases leak
// nothing, any bytes of student output survive, and files are replaced atomically.
#define BOOST_TEST_MODULE reports
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "support/files.hpp"

#include "reports.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace bdata = boost::unit_test::data;
namespace pt = boost::property_tree;
using namespace celab::grader;
using namespace celab::grader::reports;

using celab::test::read_file;

namespace {

// What a hidden row must never show, in any format (the grader should already have stripped it;
// the writers must not rely on that).
const std::string hidden_message = "SECRET-INPUT z = [3.14159, 2.71828]";
const std::string hidden_diagnosis = "SECRET-DIAGNOSIS";

// Student output with characters XML and JSON must escape, ANSI escapes and control characters,
// and bytes that are not UTF-8.
const std::string nasty_output =
    "x < y && \"quoted\" 'single'\n\x1b[31mred\x1b[0m bell\x07 nul\x01 del\x7f\r\nbad \xff\xfe utf8 \xc3\xa9 cut \xe2\x82";

CheckResult row(Exercise exercise, std::string check, std::string case_name, Status status, double points,
                double max_points, std::string message = "", std::string diagnosis = "",
                Visibility visibility = Visibility::visible) {
    CheckResult r;
    r.exercise = exercise;
    r.check = std::move(check);
    r.case_name = std::move(case_name);
    r.status = status;
    r.points = points;
    r.max_points = max_points;
    r.message = std::move(message);
    r.diagnosis = std::move(diagnosis);
    r.visibility = visibility;
    return r;
}

// softmax: complete (4 rows, 4/4 points).
// cross_entropy: values: "tiny" wrong, "secret" (hidden) wrong, "ok" passes; stability: "tiny"
//   crashes, "ok" skipped (2/10 points).
// cross_entropy_grad: not implemented (0/2 points).
// Score 6/16; one exercise of three complete.
Report sample_report() {
    Report r;
    r.seed = 1234;
    r.submission = "exercises";
    for (const char* check : {"shape", "values"}) {
        for (const char* c : {"uniform", "peaked"}) r.checks.push_back(row(exercise_named("softmax"), check, c, Status::pass, 1, 1));
    }
    r.checks.push_back(row(exercise_named("cross_entropy"), "values", "tiny", Status::fail, 0, 2,
                           "case tiny: worst index (1): expected 0.25, actual 0.3", "forgot to subtract the maximum"));
    r.checks.push_back(row(exercise_named("cross_entropy"), "values", "secret", Status::fail, 0, 2, hidden_message,
                           hidden_diagnosis, Visibility::hidden));
    r.checks.push_back(row(exercise_named("cross_entropy"), "values", "ok", Status::pass, 2, 2));
    r.checks.push_back(row(exercise_named("cross_entropy"), "stability", "tiny", Status::crash, 0, 2,
                           "crashed with SIGSEGV (segmentation fault)"));
    r.checks.push_back(row(exercise_named("cross_entropy"), "stability", "ok", Status::skipped, 0, 2, "needs values to pass"));
    for (const char* c : {"uniform", "peaked"}) {
        r.checks.push_back(row(exercise_named("cross_entropy_grad"), "shape", c, Status::not_implemented, 0, 1));
    }
    r.student_output.emplace_back(exercise_named("softmax"), "hello from softmax\n");
    r.student_output.emplace_back(exercise_named("cross_entropy"), nasty_output);
    return r;
}

// log_sum_exp does not compile: every row is an error.
Report build_error_report() {
    Report r;
    r.seed = 7;
    r.submission = "exercises";
    r.checks.push_back(row(exercise_named("log_sum_exp"), "values", "uniform", Status::error, 0, 1, "not built"));
    r.build_errors.emplace_back(exercise_named("log_sum_exp"), "softmax.cpp:12:5: error: expected ';' before 'return'");
    return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- samples ----------------------------------------------------------------------------------
struct FormatSample {
    std::string format;
    TextOptions options;
};
std::ostream& operator<<(std::ostream& out, const FormatSample& s) {
    return out << s.format << (s.options.verbose ? " verbose" : "") << (s.options.colour ? " colour" : "");
}
const FormatSample all_formats[] = {
    {"text", {false, false}}, {"text", {false, true}}, {"text", {true, true}},
    {"json", {}},             {"junit", {}},           {"gradescope", {}},
};

struct SuiteSample {
    std::string exercise;
    int tests, failures, errors, skipped;
};
std::ostream& operator<<(std::ostream& out, const SuiteSample& s) {
    return out << s.exercise << " tests=" << s.tests << " failures=" << s.failures << " errors=" << s.errors
               << " skipped=" << s.skipped;
}
const SuiteSample suites[] = {
    {"softmax", 4, 0, 0, 0},
    {"cross_entropy", 5, 2, 1, 1},
    {"cross_entropy_grad", 2, 0, 2, 0},
};

// One test per exercise and check; the hidden cases of a check form a test of their own (after_published).
struct GradescopeSample {
    std::string name;
    double score, max_score;
    std::string status, visibility;
};
std::ostream& operator<<(std::ostream& out, const GradescopeSample& s) {
    return out << s.name << ": " << s.score << "/" << s.max_score << " " << s.status << " " << s.visibility;
}
const GradescopeSample gradescope_tests[] = {
    {"softmax / shape", 2, 2, "passed", "visible"},
    {"softmax / values", 2, 2, "passed", "visible"},
    {"cross_entropy / values", 2, 4, "failed", "visible"},
    {"cross_entropy / values (hidden cases)", 0, 2, "failed", "after_published"},
    {"cross_entropy / stability", 0, 4, "failed", "visible"},
    {"cross_entropy_grad / shape", 0, 2, "failed", "visible"},
};

pt::ptree parse_xml(const std::string& xml) {
    std::istringstream in(xml);
    pt::ptree tree;
    pt::read_xml(in, tree);
    return tree;
}

std::optional<pt::ptree> find_suite(const pt::ptree& doc, const std::string& name) {
    for (const auto& [key, child] : doc.get_child("testsuites")) {
        if (key == "testsuite" && child.get<std::string>("<xmlattr>.name") == name) return child;
    }
    return std::nullopt;
}

}  // namespace

// ---- all formats ------------------------------------------------------------------------------
BOOST_DATA_TEST_CASE(hidden_rows_leak_nothing, bdata::make(all_formats), sample) {
    const std::string out = render(sample_report(), sample.format, sample.options);
    BOOST_TEST(!out.empty());
    BOOST_TEST(!contains(out, hidden_message), "the hidden case's message appears in " << sample);
    BOOST_TEST(!contains(out, "SECRET"), "part of the hidden case's message or diagnosis appears in " << sample);
    BOOST_TEST(contains(out, "case tiny: worst index (1)"), "a visible case's message is missing from " << sample);
}

BOOST_AUTO_TEST_CASE(render_rejects_unknown_formats) {
    try {
        render(sample_report(), "xml", {});
        BOOST_FAIL("render accepted format 'xml'");
    } catch (const std::invalid_argument& e) {
        BOOST_TEST(contains(e.what(), "'xml'"));
        BOOST_TEST(contains(e.what(), "text, json, junit, gradescope"));
    }
}

BOOST_AUTO_TEST_CASE(printable_escapes_controls_and_invalid_utf8_only) {
    BOOST_TEST(detail::printable("plain é ✓\ttab\nline") == "plain é ✓\ttab\nline");
    BOOST_TEST(detail::printable("a\x1b[0mb") == "a\\x1b[0mb");
    BOOST_TEST(detail::printable("crlf\r\nlone\r") == "crlf\nlone\\x0d");
    BOOST_TEST(detail::printable("bad\xff") == "bad\\xff");
    BOOST_TEST(detail::printable("cut \xe2\x82") == "cut \\xe2\\x82");
    BOOST_TEST(detail::printable("overlong \xc0\xaf") == "overlong \\xc0\\xaf");
    BOOST_TEST(detail::printable("c1 \xc2\x9b") == "c1 \\xc2\\x9b");
}

BOOST_AUTO_TEST_CASE(points_keep_their_precision) {
    BOOST_TEST(detail::format_points(41.0) == "41.0");
    BOOST_TEST(detail::format_points(0.25) == "0.25");
    BOOST_TEST(detail::format_points(120.5) == "120.5");
}

// ---- json -----------------------------------------------------------------------------------
BOOST_AUTO_TEST_CASE(json_parses_back_with_every_row) {
    const std::string out = render(sample_report(), "json", {});
    const nlohmann::json doc = nlohmann::json::parse(out);  // throws if invalid, e.g. raw invalid UTF-8
    BOOST_TEST(doc.at("score").get<double>() == 6.0);
    BOOST_TEST(doc.at("max_score").get<double>() == 16.0);
    BOOST_TEST(doc.at("seed").get<unsigned long long>() == 1234u);
    BOOST_TEST(doc.at("submission").get<std::string>() == "exercises");
    const nlohmann::json& checks = doc.at("checks");
    BOOST_TEST_REQUIRE(checks.size() == 11u);
    int passed = 0;
    for (const nlohmann::json& c : checks) {
        for (const char* field : {"exercise", "check", "case", "visibility", "status", "points", "max_points",
                                  "message", "diagnosis"}) {
            BOOST_TEST(c.contains(field), "row " << c.dump() << " has no field " << field);
        }
        if (c.at("status") == "pass") ++passed;
    }
    BOOST_TEST(passed == 5);

    const nlohmann::json& tiny = checks.at(4);
    BOOST_TEST(tiny.at("exercise").get<std::string>() == "cross_entropy");
    BOOST_TEST(tiny.at("case").get<std::string>() == "tiny");
    BOOST_TEST(tiny.at("status").get<std::string>() == "fail");
    BOOST_TEST(tiny.at("max_points").get<double>() == 2.0);
    BOOST_TEST(tiny.at("diagnosis").get<std::string>() == "forgot to subtract the maximum");

    const nlohmann::json& secret = checks.at(5);
    BOOST_TEST(secret.at("visibility").get<std::string>() == "hidden");
    BOOST_TEST(secret.at("status").get<std::string>() == "fail");
    BOOST_TEST(secret.at("max_points").get<double>() == 2.0);
    BOOST_TEST(secret.at("message").get<std::string>() == "");
    BOOST_TEST(secret.at("diagnosis").get<std::string>() == "");

    const std::string output = doc.at("student_output").at("cross_entropy").get<std::string>();
    BOOST_TEST(contains(output, "x < y && \"quoted\""));
    BOOST_TEST(contains(output, "\x1b[31mred"), "JSON keeps control characters (escaped by the encoder)");
    BOOST_TEST(contains(output, "bad \xef\xbf\xbd"), "invalid UTF-8 becomes U+FFFD");
    BOOST_TEST(doc.at("build_errors").empty());
}

BOOST_AUTO_TEST_CASE(json_lists_build_errors) {
    const nlohmann::json doc = nlohmann::json::parse(render(build_error_report(), "json", {}));
    BOOST_TEST(contains(doc.at("build_errors").at("log_sum_exp").get<std::string>(), "expected ';'"));
}

// ---- junit ----------------------------------------------------------------------------------
BOOST_DATA_TEST_CASE(junit_counts_per_suite, bdata::make(suites), sample) {
    const SuiteSample& expected = sample;  // a concrete type: no dependent names below
    const pt::ptree doc = parse_xml(render(sample_report(), "junit", {}));
    const std::optional<pt::ptree> suite = find_suite(doc, expected.exercise);
    BOOST_TEST_REQUIRE(suite.has_value(), "no <testsuite name=\"" << expected.exercise << "\">");
    BOOST_TEST(suite->get<int>("<xmlattr>.tests") == expected.tests);
    BOOST_TEST(suite->get<int>("<xmlattr>.failures") == expected.failures);
    BOOST_TEST(suite->get<int>("<xmlattr>.errors") == expected.errors);
    BOOST_TEST(suite->get<int>("<xmlattr>.skipped") == expected.skipped);
    // The elements agree with the attributes.
    int tests = 0, failures = 0, errors = 0, skipped = 0;
    for (const pt::ptree::value_type& child : *suite) {
        if (child.first != "testcase") continue;
        const pt::ptree& testcase = child.second;
        ++tests;
        BOOST_TEST(testcase.get<std::string>("<xmlattr>.classname") == "celab." + expected.exercise);
        failures += static_cast<int>(testcase.count("failure"));
        errors += static_cast<int>(testcase.count("error"));
        skipped += static_cast<int>(testcase.count("skipped"));
    }
    BOOST_TEST(tests == expected.tests);
    BOOST_TEST(failures == expected.failures);
    BOOST_TEST(errors == expected.errors);
    BOOST_TEST(skipped == expected.skipped);
}

BOOST_AUTO_TEST_CASE(junit_totals_names_and_student_output) {
    const std::string xml = render(sample_report(), "junit", {});
    BOOST_TEST(xml.find('\x1b') == std::string::npos, "XML 1.0 cannot hold control characters");
    const pt::ptree doc = parse_xml(xml);
    BOOST_TEST(doc.get<int>("testsuites.<xmlattr>.tests") == 11);
    BOOST_TEST(doc.get<int>("testsuites.<xmlattr>.failures") == 2);
    BOOST_TEST(doc.get<int>("testsuites.<xmlattr>.errors") == 3);
    BOOST_TEST(doc.get<int>("testsuites.<xmlattr>.skipped") == 1);
    BOOST_TEST(doc.get_child("testsuites").count("testsuite") == 3u);

    const std::optional<pt::ptree> suite = find_suite(doc, "cross_entropy");
    BOOST_TEST_REQUIRE(suite.has_value());
    const pt::ptree& tiny = suite->get_child("testcase");  // the first one
    BOOST_TEST(tiny.get<std::string>("<xmlattr>.name") == "values[tiny]");
    BOOST_TEST(contains(tiny.get<std::string>("failure.<xmlattr>.message"), "expected 0.25, actual 0.3"));
    BOOST_TEST(contains(tiny.get<std::string>("failure"), "Likely mistake: forgot to subtract the maximum"));
    const std::string out = suite->get<std::string>("system-out");
    BOOST_TEST(out == detail::printable(nasty_output), "student output does not survive the XML round trip");
    BOOST_TEST(contains(out, "x < y && \"quoted\" 'single'"));
}

BOOST_AUTO_TEST_CASE(junit_shows_build_errors) {
    const pt::ptree doc = parse_xml(render(build_error_report(), "junit", {}));
    const std::optional<pt::ptree> suite = find_suite(doc, "log_sum_exp");
    BOOST_TEST_REQUIRE(suite.has_value());
    BOOST_TEST(contains(suite->get<std::string>("system-err"), "expected ';' before 'return'"));
    BOOST_TEST(suite->get<int>("<xmlattr>.errors") == 1);
}

// ---- gradescope -----------------------------------------------------------------------------
namespace {

// Renders `report` as results.json with CELAB_GRADESCOPE_HIDDEN set to `mode` ("" unset).
nlohmann::json gradescope(const Report& report, const std::string& mode = "") {
    if (mode.empty()) ::unsetenv("CELAB_GRADESCOPE_HIDDEN");
    else ::setenv("CELAB_GRADESCOPE_HIDDEN", mode.c_str(), 1);
    const std::string text = render(report, "gradescope", {});
    ::unsetenv("CELAB_GRADESCOPE_HIDDEN");
    return nlohmann::json::parse(text);
}

const nlohmann::json& test_named(const nlohmann::json& doc, const std::string& name) {
    static const nlohmann::json none;
    for (const nlohmann::json& t : doc.at("tests"))
        if (t.at("name") == name) return t;
    BOOST_TEST(false, "no test named \"" << name << "\"");
    return none;
}

// The fields and types of Gradescope's specification ("Output format"), and the score adding up.
void check_against_specification(const nlohmann::json& doc) {
    BOOST_TEST_REQUIRE(doc.is_object());
    const std::set<std::string> formats = {"text", "html", "simple_format", "md", "ansi"};
    const std::set<std::string> visibilities = {"hidden", "after_due_date", "after_published", "visible"};
    const std::set<std::string> top = {"score", "execution_time", "output", "output_format", "test_output_format",
                                       "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
                                       "leaderboard"};
    for (const auto& [key, value] : doc.items()) BOOST_TEST(top.count(key) == 1u, "unknown top-level field " << key);
    BOOST_TEST(doc.at("score").is_number());
    BOOST_TEST(doc.at("output").is_string());
    BOOST_TEST(doc.at("output_format") == "text", "student text must not be rendered as HTML");
    BOOST_TEST(doc.at("test_output_format") == "text");
    BOOST_TEST(doc.at("test_name_format") == "text");
    BOOST_TEST(visibilities.count(doc.at("visibility").get<std::string>()) == 1u);
    BOOST_TEST(visibilities.count(doc.at("stdout_visibility").get<std::string>()) == 1u);
    BOOST_TEST_REQUIRE(doc.at("tests").is_array());
    const std::set<std::string> fields = {"score", "max_score", "status", "name", "name_format", "number", "output",
                                          "output_format", "tags", "visibility", "extra_data"};
    double sum = 0.0;
    std::set<std::string> names;
    for (const nlohmann::json& t : doc.at("tests")) {
        for (const auto& [key, value] : t.items()) BOOST_TEST(fields.count(key) == 1u, "unknown test field " << key);
        BOOST_TEST(t.at("name").is_string());
        BOOST_TEST(names.insert(t.at("name").get<std::string>()).second, "two tests named " << t.at("name"));
        BOOST_TEST(t.at("number").is_string());
        BOOST_TEST(t.at("score").is_number());
        BOOST_TEST(t.at("max_score").is_number());
        BOOST_TEST(t.at("score").get<double>() <= t.at("max_score").get<double>() + 1e-9);
        BOOST_TEST((t.at("status") == "passed" || t.at("status") == "failed"));
        BOOST_TEST((t.at("status") == "passed") == (t.at("score").get<double>() == t.at("max_score").get<double>()));
        BOOST_TEST(t.at("output").is_string());
        BOOST_TEST(formats.count(t.at("output_format").get<std::string>()) == 1u);
        BOOST_TEST(t.at("output_format") == "text");
        BOOST_TEST(t.at("name_format") == "text");
        BOOST_TEST(t.at("tags").is_array());
        BOOST_TEST(visibilities.count(t.at("visibility").get<std::string>()) == 1u);
        sum += t.at("score").get<double>();
    }
    BOOST_TEST(doc.at("score").get<double>() == sum, "the score is the sum of the tests' scores");
}

}  // namespace

BOOST_DATA_TEST_CASE(gradescope_tests_have_points_status_and_visibility, bdata::make(gradescope_tests), sample) {
    const GradescopeSample& expected = sample;  // a concrete type: no dependent names below
    const nlohmann::json doc = gradescope(sample_report());
    BOOST_TEST(doc.at("tests").size() == 6u, "one test per exercise and check, hidden cases apart");
    const nlohmann::json& t = test_named(doc, expected.name);
    BOOST_TEST_REQUIRE(!t.is_null());
    BOOST_TEST(t.at("score").get<double>() == expected.score);
    BOOST_TEST(t.at("max_score").get<double>() == expected.max_score);
    BOOST_TEST(t.at("status").get<std::string>() == expected.status);
    BOOST_TEST(t.at("visibility").get<std::string>() == expected.visibility);
    BOOST_TEST(!t.at("output").get<std::string>().empty());
}

BOOST_AUTO_TEST_CASE(gradescope_follows_the_specification) {
    for (const std::string mode : {"", "after_published", "visible"}) {
        BOOST_TEST_CONTEXT("CELAB_GRADESCOPE_HIDDEN=" << mode) {
            check_against_specification(gradescope(sample_report(), mode));
            check_against_specification(gradescope(build_error_report(), mode));
            check_against_specification(gradescope(Report{}, mode));
        }
    }
}

BOOST_AUTO_TEST_CASE(gradescope_top_level) {
    const nlohmann::json doc = gradescope(sample_report());
    BOOST_TEST(doc.at("score").get<double>() == 6.0);
    BOOST_TEST(doc.at("visibility").get<std::string>() == "visible");
    BOOST_TEST(doc.at("stdout_visibility").get<std::string>() == "hidden");
    const std::string output = doc.at("output").get<std::string>();
    BOOST_TEST(contains(output, "Score: 6.0/16.0"));
    BOOST_TEST(contains(output, "hello from softmax"), "output of an exercise without hidden cases is shown");
    BOOST_TEST(!contains(output, "x < y"), "output of an exercise with hidden cases could echo their inputs");
}

BOOST_AUTO_TEST_CASE(gradescope_lists_the_failing_cases_of_a_check) {
    const nlohmann::json doc = gradescope(sample_report());
    const std::string values = test_named(doc, "cross_entropy / values").at("output").get<std::string>();
    BOOST_TEST(contains(values, "1/2 cases passed"), values);
    BOOST_TEST(contains(values, "case \"tiny\": wrong result\n    case tiny: worst index (1): expected 0.25, actual 0.3"), values);
    BOOST_TEST(contains(values, "Likely mistake: forgot to subtract the maximum"));
    BOOST_TEST(!contains(values, "secret"), "the hidden case is a test of its own");
    const std::string hidden = test_named(doc, "cross_entropy / values (hidden cases)").at("output").get<std::string>();
    BOOST_TEST(contains(hidden, "0/1 case passed"), hidden);
    BOOST_TEST(contains(hidden, "hidden case \"secret\": wrong result"), hidden);
    const std::string stability = test_named(doc, "cross_entropy / stability").at("output").get<std::string>();
    BOOST_TEST(contains(stability, "case \"tiny\": crashed"), stability);
    BOOST_TEST(contains(stability, "1 case skipped"), stability);
    const std::string grad = test_named(doc, "cross_entropy_grad / shape").at("output").get<std::string>();
    BOOST_TEST(contains(grad, "not implemented yet (edit gradient.cpp)"), grad);
    BOOST_TEST(test_named(doc, "softmax / values").at("output") == "2/2 cases passed");
}

BOOST_AUTO_TEST_CASE(gradescope_hidden_cases_visible_mode) {
    // The alternative to after_published: one visible test per check, hidden details withheld.
    const nlohmann::json doc = gradescope(sample_report(), "visible");
    BOOST_TEST(doc.at("tests").size() == 5u);
    for (const nlohmann::json& t : doc.at("tests")) BOOST_TEST(t.at("visibility") == "visible");
    const nlohmann::json& values = test_named(doc, "cross_entropy / values");
    BOOST_TEST(values.at("max_score").get<double>() == 6.0);
    const std::string output = values.at("output").get<std::string>();
    BOOST_TEST(contains(output, "1/3 cases passed (1 of them hidden)"), output);
    BOOST_TEST(contains(output, "hidden case \"secret\": wrong result"), output);
    BOOST_TEST(contains(output, "The inputs and expected values of hidden cases are not shown."), output);
    BOOST_TEST(doc.at("score").get<double>() == 6.0);
}

BOOST_AUTO_TEST_CASE(gradescope_many_cases_stay_tens_of_tests_with_bounded_output) {
    Report r;
    r.submission = "exercises";
    const std::string huge(100000, 'x');
    for (const char* check : {"shape", "values", "stability"})
        for (int k = 0; k < 300; ++k)
            r.checks.push_back(row(exercise_named("softmax"), check, "case" + std::to_string(k), Status::fail, 0, 1,
                                   "<script>alert(1)</script> " + std::to_string(k) + huge));
    r.student_output.emplace_back(exercise_named("softmax"), "<script>alert(1)</script>\n" + std::string(1 << 20, 'y'));
    const nlohmann::json doc = gradescope(r);
    check_against_specification(doc);
    BOOST_TEST(doc.at("tests").size() == 3u);
    for (const nlohmann::json& t : doc.at("tests")) {
        const std::string output = t.at("output").get<std::string>();
        BOOST_TEST(output.size() < 20000u);
        BOOST_TEST(contains(output, "(and 290 more failing cases: ./grade lists them)"), output.substr(0, 300));
        BOOST_TEST(contains(output, "<script>alert(1)</script>"), "shown literally: output_format is text");
    }
    BOOST_TEST(doc.at("output").get<std::string>().size() < 30000u);
    BOOST_TEST(doc.dump().size() < 200000u);
}

BOOST_AUTO_TEST_CASE(gradescope_lists_cases_with_the_same_failure_once) {
    Report r;
    r.submission = "exercises";
    for (int k = 0; k < 30; ++k)
        r.checks.push_back(row(exercise_named("softmax"), "values", "c" + std::to_string(k), Status::error, 0, 1,
                               "celab::softmax is unavailable: softmax.cpp did not compile or link"));
    r.checks.push_back(row(exercise_named("softmax"), "values", "h1", Status::fail, 0, 1, hidden_message, "", Visibility::hidden));
    r.checks.push_back(row(exercise_named("softmax"), "values", "h2", Status::fail, 0, 1, hidden_message, "", Visibility::hidden));
    const std::string output = test_named(gradescope(r, "visible"), "softmax / values").at("output");
    BOOST_TEST(contains(output, "cases \"c0\", \"c1\", \"c2\", \"c3\", \"c4\", \"c5\", \"c6\", \"c7\", \"c8\", \"c9\", ... (30): error\n"
                                "    celab::softmax is unavailable"), output);
    BOOST_TEST(output.find("unavailable") == output.rfind("unavailable"), "said once:\n" << output);
    BOOST_TEST(contains(output, "hidden cases \"h1\", \"h2\" (2): wrong result"), output);
    BOOST_TEST(!contains(output, "SECRET"), output);
}

BOOST_AUTO_TEST_CASE(gradescope_names_a_missing_file_once) {
    Report r;
    r.submission = "exercises";
    for (const char* e : {"cross_entropy_grad", "cross_entropy_grad_batch"}) {
        r.checks.push_back(row(exercise_named(e), "shape", "a", Status::error, 0, 1, "gradient.cpp did not compile"));
        r.build_errors.emplace_back(exercise_named(e), "missing file /tmp/celab-submission.x/gradient.cpp");
    }
    const std::string output = gradescope(r).at("output");
    BOOST_TEST(contains(output, "Missing file: gradient.cpp (cross_entropy_grad, cross_entropy_grad_batch): upload it"), output);
    BOOST_TEST(!contains(output, "/tmp/celab-submission"), output);
}

BOOST_AUTO_TEST_CASE(gradescope_compiler_errors_once_per_file) {
    Report r;
    r.submission = "exercises";
    const std::string error = "softmax.cpp:3:1: error: no match for 'operator*' (Eigen::Matrix<double, -1, 1>)";
    for (const char* e : {"softmax", "softmax_rows", "log_softmax_rows", "log_sum_exp"}) {
        r.checks.push_back(row(exercise_named(e), "values", "a", Status::error, 0, 1, "softmax.cpp did not compile"));
        r.build_errors.emplace_back(exercise_named(e), error);
    }
    const nlohmann::json doc = gradescope(r);
    check_against_specification(doc);
    const std::string output = doc.at("output").get<std::string>();
    BOOST_TEST(output.find(error) != std::string::npos, output);
    BOOST_TEST(output.find(error) == output.rfind(error), "shown once for the four exercises of the file");
    BOOST_TEST(contains(output, "Compiler errors in softmax.cpp (softmax, softmax_rows, log_softmax_rows, log_sum_exp):"), output);
}

// ---- text -----------------------------------------------------------------------------------
BOOST_AUTO_TEST_CASE(text_summarises_checks_and_progress) {
    const std::string out = render(sample_report(), "text", {});
    BOOST_TEST_MESSAGE("text report:\n" << out);
    BOOST_TEST(out.find('\x1b') == std::string::npos, "ANSI escapes with colour off");
    BOOST_TEST(contains(out, "Exercises complete: 1/3"));
    BOOST_TEST(contains(out, "Score: 6.0/16.0"));
    BOOST_TEST(contains(out, "seed 1234 (rerun with --seed 1234)"));
    BOOST_TEST(contains(out, "✓ softmax                        4.0/4.0  all 2 checks pass\n"), "a complete exercise takes one line");
    BOOST_TEST(!contains(out, "  ✓ shape"));
    BOOST_TEST(contains(out, "  ✗ values     1/3 cases"));
    BOOST_TEST(contains(out, "  ✗ stability  0/2 cases  1 crashed, 1 skipped"));
    BOOST_TEST(contains(out, "\n      case tiny: worst index (1): expected 0.25, actual 0.3\n"),
               "the message is shown once, without repeating the case name it already holds");
    BOOST_TEST(contains(out, "Likely mistake: forgot to subtract the maximum"));
    BOOST_TEST(contains(out, "case \"tiny\": crashed with SIGSEGV"),
               "a message without the case name gets it (and not the status its message already says)");
    BOOST_TEST(contains(out, "not implemented yet — edit exercises/gradient.cpp"));
    BOOST_TEST(contains(out, "Output printed by your code (cross_entropy):\n      │ x < y && \"quoted\""));
    BOOST_TEST(contains(out, "\\x1b[31mred"), "the student's escapes are shown, not obeyed");
    // Visible failures come first: the hidden one is counted, not shown.
    BOOST_TEST(contains(out, "(and 1 more failing case)"));
}

BOOST_AUTO_TEST_CASE(text_verbose_lists_every_case) {
    const std::string out = render(sample_report(), "text", {false, true});
    BOOST_TEST(contains(out, "  ✓ values  2/2 cases\n"));
    BOOST_TEST(contains(out, "      ✓ uniform\n"));
    BOOST_TEST(contains(out, "      ✗ secret (hidden)  wrong result\n"));
    BOOST_TEST(contains(out, "      - ok  skipped\n"));
    BOOST_TEST(contains(out, "expected 0.25, actual 0.3"));
}

BOOST_AUTO_TEST_CASE(text_shows_hidden_verdict_only) {
    Report r = sample_report();
    r.checks.erase(r.checks.begin() + 4);  // drop the visible failure: the hidden one is shown
    const std::string out = render(r, "text", {});
    BOOST_TEST(contains(out, "hidden case: wrong result (the details of hidden cases are not shown)"));
}

BOOST_AUTO_TEST_CASE(text_colour_only_when_asked) {
    const std::string out = render(sample_report(), "text", {true, false});
    BOOST_TEST(contains(out, "\x1b[32m✓\x1b[0m"));
    BOOST_TEST(contains(out, "\x1b[31m✗\x1b[0m"));
}

BOOST_AUTO_TEST_CASE(text_shows_build_errors) {
    const std::string out = render(build_error_report(), "text", {});
    BOOST_TEST(contains(out, "does not compile — fix exercises/softmax.cpp"));
    BOOST_TEST(contains(out, "Compiler output for exercises/softmax.cpp:\n      │ softmax.cpp:12:5: error"));
    BOOST_TEST(contains(out, "Exercises complete: 0/1"));
}

BOOST_AUTO_TEST_CASE(text_cuts_long_output_unless_verbose) {
    Report r = build_error_report();
    std::string lines;
    for (int i = 0; i < 100; ++i) lines += "line " + std::to_string(i) + "\n";
    r.student_output.emplace_back(exercise_named("log_sum_exp"), lines);
    const std::string brief = render(r, "text", {});
    BOOST_TEST(contains(brief, "│ line 29\n"));
    BOOST_TEST(!contains(brief, "│ line 30\n"));
    BOOST_TEST(contains(brief, "… 70 more lines not shown"));
    BOOST_TEST(contains(render(r, "text", {false, true}), "│ line 99\n"));
}

// ---- colour_wanted --------------------------------------------------------------------------
namespace {
// Sets (or, with nullptr, unsets) an environment variable for the scope.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value) ::setenv(name, value, 1);
        else ::unsetenv(name);
    }
    ~ScopedEnv() {
        if (old_) ::setenv(name_, old_->c_str(), 1);
        else ::unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

struct ColourSample {
    const char* no_color;
    const char* term;
    bool expected_on_terminal;
};
std::ostream& operator<<(std::ostream& out, const ColourSample& s) {
    return out << "NO_COLOR=" << (s.no_color ? s.no_color : "(unset)") << " TERM=" << (s.term ? s.term : "(unset)");
}
const ColourSample colour_samples[] = {
    {nullptr, "xterm-256color", true}, {"", "xterm", true},   {nullptr, nullptr, true},
    {"1", "xterm", false},             {nullptr, "dumb", false},
};
}  // namespace

BOOST_DATA_TEST_CASE(colour_wanted_follows_terminal_and_environment, bdata::make(colour_samples), sample) {
    ScopedEnv no_color("NO_COLOR", sample.no_color);
    ScopedEnv term("TERM", sample.term);

    int pipe_fds[2];
    BOOST_TEST_REQUIRE(::pipe(pipe_fds) == 0);
    BOOST_TEST(!colour_wanted(pipe_fds[1]), "a pipe is not a terminal");
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);

    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    BOOST_TEST_REQUIRE(master >= 0, "no pseudo-terminal available: " << std::strerror(errno));
    BOOST_TEST_REQUIRE((::grantpt(master) == 0 && ::unlockpt(master) == 0));
    const int terminal = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    BOOST_TEST_REQUIRE(terminal >= 0);
    BOOST_TEST(colour_wanted(terminal) == sample.expected_on_terminal);
    ::close(terminal);
    ::close(master);
}

// ---- write_atomically -----------------------------------------------------------------------
namespace {
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "celab-reports-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e : std::filesystem::directory_iterator(path)) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(write_atomically_replaces_content_and_leaves_no_temp_file) {
    TempDir dir;
    const std::filesystem::path file = dir.path / "report.json";
    write_atomically(file, "first version, longer than the second\n");
    write_atomically(file, std::string("second\0binary\xff", 14));
    BOOST_TEST(read_file(file) == std::string("second\0binary\xff", 14));
    BOOST_TEST(dir.entries() == std::vector<std::string>{"report.json"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(write_atomically_makes_a_missing_folder) {
    // reports/alice.json in a loop over students: the folder need not exist yet.
    TempDir dir;
    const std::filesystem::path file = dir.path / "reports" / "week 1" / "alice.json";
    write_atomically(file, "x");
    BOOST_TEST(read_file(file) == "x");
}

BOOST_AUTO_TEST_CASE(write_atomically_explains_a_folder_it_cannot_make) {
    TempDir dir;
    std::ofstream(dir.path / "a-file") << "x";  // a file where a folder should be made
    const std::filesystem::path file = dir.path / "a-file" / "report.json";
    try {
        write_atomically(file, "x");
        BOOST_FAIL("write_atomically wrote below a file");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(contains(e.what(), file.string()), "the error names the file: " << e.what());
        BOOST_TEST(contains(e.what(), std::strerror(ENOTDIR)), "the error gives the reason: " << e.what());
    }
    BOOST_TEST(dir.entries() == std::vector<std::string>{"a-file"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(write_atomically_removes_its_temp_file_when_the_rename_fails) {
    TempDir dir;
    const std::filesystem::path file = dir.path / "report.json";
    std::filesystem::create_directory(file);  // a non-empty folder where the file should go
    std::ofstream(file / "keep") << "x";
    BOOST_CHECK_THROW(write_atomically(file, "content"), std::runtime_error);
    BOOST_TEST(dir.entries() == std::vector<std::string>{"report.json"}, boost::test_tools::per_element());
}

// ---- out-of-range access, warnings, line shaping (issue 8, points 7 and 8) -------------------------
namespace {
// softmax: out-of-range access on both of its cases; its file has warnings, and so has the file of
// log_sum_exp (the same softmax.cpp): they are shown once.
Report out_of_range_report() {
    Report r;
    r.seed = 9;
    r.submission = "exercises";
    const std::string message = "out-of-range access in softmax: an index outside the vector (or matrix) "
                                "(Eigen checks index >= 0 && index < size())";
    for (const char* check : {"shape", "values"}) {
        for (const char* c : {"uniform", "peaked"})
            r.checks.push_back(row(exercise_named("softmax"), check, c, Status::out_of_range, 0, 1, message));
    }
    r.checks.push_back(row(exercise_named("log_sum_exp"), "values", "uniform", Status::pass, 1, 1));
    const std::string warnings = "softmax.cpp:5:12: warning: unused variable 'm' [-Wunused-variable]\n"
                                 "    5 |     double m = 0;\n";
    r.build_warnings.emplace_back(exercise_named("softmax"), warnings);
    r.build_warnings.emplace_back(exercise_named("log_sum_exp"), warnings);
    return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(out_of_range_is_its_own_status_in_every_format) {
    const Report r = out_of_range_report();
    const nlohmann::json doc = nlohmann::json::parse(render(r, "json", {}));
    BOOST_TEST(doc.at("checks").at(0).at("status").get<std::string>() == "out_of_range");
    BOOST_TEST(contains(doc.at("build_warnings").at("softmax").get<std::string>(), "-Wunused-variable"));

    const pt::ptree xml = parse_xml(render(r, "junit", {}));
    const std::optional<pt::ptree> suite = find_suite(xml, "softmax");
    BOOST_TEST_REQUIRE(suite.has_value());
    BOOST_TEST(suite->get<int>("<xmlattr>.errors") == 4);
    BOOST_TEST(suite->get_child("testcase").get<std::string>("error.<xmlattr>.type") == "out_of_range");
    BOOST_TEST(contains(suite->get<std::string>("system-err"), "unused variable 'm'"));

    const nlohmann::json gradescope = nlohmann::json::parse(render(r, "gradescope", {}));
    BOOST_TEST(gradescope.at("tests").at(0).at("status").get<std::string>() == "failed");
    BOOST_TEST(contains(gradescope.at("tests").at(0).at("output").get<std::string>(), "out-of-range access in softmax"));
    BOOST_TEST(contains(gradescope.at("output").get<std::string>(), "Compiler warnings in softmax.cpp (softmax, log_sum_exp)"));

    const std::string text = render(r, "text", {});
    BOOST_TEST_MESSAGE("text report:\n" << text);
    BOOST_TEST(contains(text, "  ✗ shape   0/2 cases  2 out-of-range access\n"));
    BOOST_TEST(contains(text, "      case \"uniform\": out-of-range access in softmax: an index outside"),
               "the message is shown, and the status it names is not repeated");
    BOOST_TEST(contains(text, "      case \"uniform\": out-of-range access, as above\n"),
               "the same message under the next check is said once");
}

BOOST_AUTO_TEST_CASE(text_shows_the_warnings_of_a_file_once) {
    const std::string text = render(out_of_range_report(), "text", {});
    const std::string heading = "  Compiler warnings for exercises/softmax.cpp:\n      │ softmax.cpp:5:12: warning: unused";
    BOOST_TEST(contains(text, heading), text);
    BOOST_TEST(text.find("Compiler warnings for") == text.rfind("Compiler warnings for"),
               "shown once for the two exercises of the file");
    BOOST_TEST(contains(text, "      │     5 |     double m = 0;\n"));
}

BOOST_AUTO_TEST_CASE(text_shows_each_distinct_failure_and_each_mistake_once) {
    Report r;
    r.submission = "exercises";
    const Exercise e = exercise_named("cross_entropy");
    r.checks.push_back(row(e, "values", "a", Status::fail, 0, 1, "case \"a\": expected 1, got 2", "forgot the max"));
    r.checks.push_back(row(e, "values", "b", Status::fail, 0, 1, "case \"b\": expected 1, got 3", "forgot the max"));
    r.checks.push_back(row(e, "values", "c", Status::fail, 0, 1, "case \"c\": expected 5, got -5", "flipped the sign"));
    r.checks.push_back(row(e, "stability", "a", Status::fail, 0, 1, "case \"a\": expected 1, got inf", "forgot the max"));
    const std::string text = render(r, "text", {});
    BOOST_TEST_MESSAGE(text);
    BOOST_TEST(contains(text, "case \"a\": expected 1, got 2\n"));
    BOOST_TEST(contains(text, "case \"c\": expected 5, got -5\n"), "a second, different failure of the check is shown");
    BOOST_TEST(!contains(text, "case \"b\""), "a failure like one already shown is counted, not shown");
    BOOST_TEST(contains(text, "(and 1 more failing case)"));
    BOOST_TEST(contains(text, "Likely mistake: flipped the sign"));
    BOOST_TEST(contains(text, "case \"a\": expected 1, got inf\n"));
    BOOST_TEST(text.find("Likely mistake: forgot the max") == text.rfind("Likely mistake: forgot the max"),
               "the same mistake is named once per exercise");
}

BOOST_AUTO_TEST_CASE(text_says_skipped_once) {
    Report r;
    r.submission = "exercises";
    r.checks.push_back(row(exercise_named("softmax"), "shape", "a", Status::fail, 0, 1, "wrong length"));
    r.checks.push_back(row(exercise_named("softmax"), "values", "a", Status::skipped, 0, 1,
                           "skipped: the output has the wrong shape (wrong length)"));
    const std::string text = render(r, "text", {});
    BOOST_TEST(contains(text, "skipped (the output has the wrong shape (wrong length))"), text);
    BOOST_TEST(!contains(text, "skipped (skipped"), text);
}

BOOST_AUTO_TEST_CASE(numbers_keep_about_six_digits_unless_more_tell_them_apart) {
    BOOST_TEST(detail::shorten_numbers("expected 0.1234567891, got 0.9876543219") == "expected 0.123457, got 0.987654");
    BOOST_TEST(detail::shorten_numbers("expected 1.0000001, got 1.0000002 (tol 1e-07)") ==
               "expected 1.0000001, got 1.0000002 (tol 1e-07)");
    BOOST_TEST(detail::shorten_numbers("expected 0.333333333333, got 0.333333343333") ==
               "expected 0.33333333, got 0.33333334");
    BOOST_TEST(detail::shorten_numbers("[1.2345678e-05, -2.5, 7]") == "[1.23457e-05, -2.5, 7]");
    BOOST_TEST(detail::shorten_numbers("case \"big#1.123456789\" v1.2345678901 index 1234567890") ==
               "case \"big#1.123456789\" v1.2345678901 index 1234567890");
}

BOOST_AUTO_TEST_CASE(long_lines_are_elided_in_the_middle) {
    std::string vector = "got [";
    for (int k = 0; k < 200; ++k) vector += std::to_string(k) + ".5, ";
    vector += "end]";
    const std::string fitted = detail::fit_line(vector);
    BOOST_TEST(fitted.size() < 240u);
    BOOST_TEST(fitted.rfind("got [0.5, 1.5", 0) == 0u);
    BOOST_TEST(contains(fitted, " … ("));
    BOOST_TEST(fitted.substr(fitted.size() - 4) == "end]");
    BOOST_TEST(detail::fit_line("short ✓") == "short ✓");

    Report r;
    r.submission = "exercises";
    r.checks.push_back(row(exercise_named("softmax"), "values", "a", Status::fail, 0, 1, "case \"a\": " + vector));
    std::istringstream text(render(r, "text", {}));
    for (std::string line; std::getline(text, line);) BOOST_TEST(line.size() <= 260u, line);
}

// The HTML report: the plot payload of visible failing cases (never hidden ones), the page's content
// and escaping, and the page rendered in headless Chromium (installed when possible).
#define BOOST_TEST_MODULE html_report
#include <boost/test/unit_test.hpp>

#include "builder.hpp"
#include "case_file.hpp"
#include "descriptor.hpp"
#include "grade.hpp"
#include "reports.hpp"
#include "student_loop_support.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace celab::grader;
using namespace student_loop;

namespace {

const fs::path source_dir = CELAB_SOURCE_DIR;
const std::string grade_program = CELAB_GRADE_PROGRAM;

// softmax_rows normalises columns (tests/mutants), softmax forgets to normalise and prints a script.
std::string wrong_softmax_file() {
    return replaced(slurp(source_dir / "tests" / "mutants" / "softmax_rows_wrong_axis.cpp"), "    return e / e.sum();",
                    "    std::printf(\"<script>document.title='pwned'</script>\\n\");\n    return e;");
}

fs::path wrong_submission() {
    const fs::path dir = reference_submission(source_dir, scratch("html", "wrong"));
    write_file(dir / "softmax.cpp", replaced(wrong_softmax_file(), "#include <cmath>", "#include <cmath>\n#include <cstdio>"));
    fs::copy_file(source_dir / "tests" / "mutants" / "gradient_flipped_sign.cpp", dir / "gradient.cpp",
                  fs::copy_options::overwrite_existing);
    return dir;
}

// A hidden case of softmax (instructors' folder).
fs::path hidden_cases() {
    const fs::path dir = scratch("html", "hidden");
    write_file(dir / "softmax.json", R"({"exercise": "softmax", "defaults": {"visibility": "hidden"},
      "cases": [{"name": "secret_case", "logits": [7.25, -3.5, 0.125]}]})");
    return dir;
}

Report grade_wrong() {
    const builder::Result built = builder::build(wrong_submission(), builder::default_config());
    BOOST_TEST_REQUIRE(!built.library.empty(), built.link_diagnostics);
    std::vector<Case> cases;
    for (Case& c : cases::load_dirs({source_dir / "grader" / "cases", hidden_cases()}, 5))
        if (c.exercise == exercise_named("softmax") || c.exercise == exercise_named("softmax_rows") ||
            c.exercise == exercise_named("cross_entropy_grad"))
            cases.push_back(std::move(c));
    GradeSettings settings;
    settings.seed = 5;
    settings.submission_label = "wrong";
    return grade(cases, built.library, settings);
}

struct RemoveScratch {
    ~RemoveScratch() { remove_scratch("html"); }
};
BOOST_TEST_GLOBAL_FIXTURE(RemoveScratch);

const Report& wrong_report() {
    static const Report report = grade_wrong();
    return report;
}

std::string html_of(const Report& report) {
    std::ostringstream out;
    reports::write_html(out, report);
    return out.str();
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(visible_failing_cases_carry_expected_and_got_hidden_ones_nothing) {
    const Report& report = wrong_report();
    std::size_t plotted = 0;
    for (const CheckResult& r : report.checks) {
        if (r.visibility == Visibility::hidden || r.status == Status::pass) {
            BOOST_TEST(!r.plot.get(), r.case_name << " " << r.check << " must carry no plot");
            continue;
        }
        if (r.status != Status::fail || !r.plot) continue;
        ++plotted;
        BOOST_TEST(r.plot->got.rows() == r.plot->expected.rows());
        BOOST_TEST(r.plot->got.cols() == r.plot->expected.cols());
        BOOST_TEST(!r.plot->got.isApprox(r.plot->expected), r.case_name << ": a failing case shows a difference");
    }
    BOOST_TEST(plotted > 10);
    // The hidden case was graded and failed, but says nothing.
    const auto secret = std::find_if(report.checks.begin(), report.checks.end(),
                                     [](const CheckResult& r) { return r.case_name == "secret_case" && r.check == "values"; });
    BOOST_TEST_REQUIRE((secret != report.checks.end()));
    BOOST_TEST((secret->status == Status::fail));
    BOOST_TEST(!secret->plot, "the hidden case carries no plot");
}

BOOST_AUTO_TEST_CASE(the_gradient_plot_is_the_v_of_finite_differences_for_the_reference_only) {
    const Report& report = wrong_report();
    const auto row = std::find_if(report.checks.begin(), report.checks.end(), [](const CheckResult& r) {
        return r.exercise == exercise_named("cross_entropy_grad") && r.case_name == "uniform" && r.check == "analytic";
    });
    BOOST_TEST_REQUIRE((row != report.checks.end()));
    BOOST_TEST_REQUIRE(static_cast<bool>(row->plot));
    const Plot& p = *row->plot;
    BOOST_TEST_REQUIRE(p.fd_steps.size() >= 10);
    BOOST_TEST_REQUIRE(p.fd_error_reference.size() == p.fd_steps.size());
    // Reference: truncation error at h = 0.1 (about h^2/6 |f'''|), smallest near h = 1e-5, round-off at 1e-13.
    const auto best = std::min_element(p.fd_error_reference.begin(), p.fd_error_reference.end());
    const double h_best = p.fd_steps[static_cast<std::size_t>(best - p.fd_error_reference.begin())];
    BOOST_TEST(*best < 1e-9);
    BOOST_TEST(h_best < 1e-3);
    BOOST_TEST(h_best > 1e-9);
    BOOST_TEST(p.fd_error_reference.front() > 100 * *best);
    BOOST_TEST(p.fd_error_reference.back() > 100 * *best);
    // The flipped sign: the student's entry is off by |2 g|, at every step.
    const double gap = std::abs(p.got(p.fd_row, p.fd_col) - p.expected(p.fd_row, p.fd_col));
    BOOST_TEST(gap > 0.5);
    for (double e : p.fd_error_student) BOOST_TEST(e > 0.5 * gap);
}

BOOST_AUTO_TEST_CASE(the_page_is_self_contained_escaped_and_draws_the_failures) {
    const std::string html = html_of(wrong_report());
    // Self-contained: no scripts, no stylesheets or images from elsewhere.
    std::string lower = html;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    BOOST_TEST(count(lower, "<script") == 0u);
    BOOST_TEST(count(lower, "<link") == 0u);
    BOOST_TEST(count(lower, " src=") == 0u);
    BOOST_TEST(count(lower, "http") == count(lower, "http://www.w3.org/2000/svg"));
    // What the student printed is shown, escaped.
    BOOST_TEST(html.find("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;") != std::string::npos);
    // Hidden: the verdict only.
    BOOST_TEST(html.find("secret_case") == std::string::npos);
    BOOST_TEST(html.find("7.25") == std::string::npos);
    // The plots: expected vs got, finite differences, the batch layout beside the axis mistake.
    BOOST_TEST(count(html, "<svg class='plot values'") >= 3u);
    BOOST_TEST(count(html, "<svg class='plot fd'") >= 1u);
    BOOST_TEST(count(html, "<svg class='layout'") >= 1u);
    BOOST_TEST(html.find("wrong axis") != std::string::npos);
    BOOST_TEST(html.find("id='ex-softmax'") != std::string::npos);
    BOOST_TEST(html.find("id='complete'>0/3<") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(log_scale_for_values_spanning_decades_and_nonfinite_values_marked) {
    const Exercise softmax = exercise_named("softmax");
    auto plot = std::make_shared<Plot>();
    plot->shape = Shape::vector;
    plot->expected = Eigen::Vector4d(0.9, 1e-3, 1e-6, 1e-9);
    plot->got = Eigen::Vector4d(0.9, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(), 1e-9);
    Report report;
    CheckResult r;
    r.exercise = softmax;
    r.check = "values";
    r.case_name = "decades";
    r.status = Status::fail;
    r.max_points = 1;
    r.message = "got <img src=x onerror=alert(1)> & more";
    r.plot = plot;
    report.checks.push_back(r);
    CheckResult hidden = r;
    hidden.case_name = "hidden_one";
    hidden.visibility = Visibility::hidden;
    hidden.message = "TOP SECRET";
    report.checks.push_back(hidden);
    const std::string html = html_of(report);
    BOOST_TEST(html.find("value (log scale)") != std::string::npos);
    BOOST_TEST(html.find(">NaN</text>") != std::string::npos);
    BOOST_TEST(html.find(">+inf</text>") != std::string::npos);
    BOOST_TEST(html.find("&lt;img src=x onerror=alert(1)&gt; &amp; more") != std::string::npos);
    BOOST_TEST(html.find("<img") == std::string::npos);
    BOOST_TEST(html.find("TOP SECRET") == std::string::npos);
    BOOST_TEST(html.find("hidden_one") == std::string::npos);
    BOOST_TEST(count(html, "<svg class='plot values'") == 1u);  // the hidden row's plot is not drawn

    // Values of one decade: a linear axis.
    plot->expected = Eigen::Vector4d(0.1, 0.2, 0.3, 0.4);
    plot->got = Eigen::Vector4d(0.4, 0.3, 0.2, 0.1);
    BOOST_TEST(html_of(report).find("value (log scale)") == std::string::npos);
}

// ---- in a browser --------------------------------------------------------------------------------
namespace {

// Chromium's path: found, or installed with apt when we are root (CI); "" with the reason in `why`.
std::string chromium(std::string& why) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"})
        if (const std::string path = which(name); !path.empty()) return path;
    if (std::getenv("CELAB_NO_INSTALL") != nullptr) {
        why = "chromium is not installed and CELAB_NO_INSTALL is set";
        return "";
    }
    if (::geteuid() != 0 || which("apt-get").empty()) {
        why = "chromium is not installed and cannot be installed here (needs root and apt-get): "
              "sudo apt-get install chromium";
        return "";
    }
    BOOST_TEST_MESSAGE("installing chromium with apt-get (once) ...");
    const fs::path log = scratch("html", "apt");
    Ran r = run({"env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "chromium"}, 900, log);
    if (r.status != 0) {
        run({"apt-get", "update", "-q"}, 600, log);
        r = run({"env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q", "chromium"}, 900, log);
    }
    if (const std::string path = which("chromium"); !path.empty()) return path;
    why = "installing chromium with apt-get failed: " + r.err.substr(0, 400);
    return "";
}

struct Browser {
    std::string path, why;
    Browser() { path = chromium(why); }
};

const Browser& browser() {
    static const Browser b;
    return b;
}

boost::test_tools::assertion_result have_chromium(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result result(!browser().path.empty());
    if (browser().path.empty()) result.message() << "SKIPPED: " << browser().why;
    return result;
}

std::vector<std::string> chromium_args(const std::string& what) {
    return {browser().path, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--enable-logging=stderr", "--v=0", "--user-data-dir=" + scratch("html", "profile-" + what).string()};
}

// The console messages of the page that are errors (Chromium logs them as CONSOLE lines on stderr).
std::vector<std::string> console_errors(const std::string& log) {
    std::vector<std::string> errors;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
        if (line.find("CONSOLE") != std::string::npos) errors.push_back(line);
    return errors;
}

}  // namespace

BOOST_AUTO_TEST_CASE(chromium_reports_console_errors_to_us, *boost::unit_test::precondition(have_chromium)) {
    // The check below is only worth something if a page with an error is caught.
    const fs::path dir = scratch("html", "broken");
    write_file(dir / "broken.html", "<!DOCTYPE html><title>x</title><script>console.error('broken page'); undefinedFunction();</script>");
    std::vector<std::string> args = chromium_args("broken");
    args.push_back("--dump-dom");
    args.push_back("file://" + (dir / "broken.html").string());
    const Ran r = run(args, 120, dir / "run");
    BOOST_TEST_REQUIRE(!r.timed_out);
    BOOST_TEST(!console_errors(r.err).empty(), r.err);
}

BOOST_AUTO_TEST_CASE(the_report_renders_in_chromium_without_console_errors, *boost::unit_test::precondition(have_chromium)) {
    const fs::path dir = scratch("html", "browser");
    // Through the command line, as a student would: ./grade --format html --output FILE.
    const Ran graded = run({grade_program, "--submission", wrong_submission().string(), "--cases", hidden_cases().string(),
                            "--seed", "5", "--format", "html", "--output", (dir / "report.html").string()},
                           300, dir / "grade");
    BOOST_TEST_REQUIRE(graded.status == 1, graded.err);
    std::vector<std::string> args = chromium_args("report");
    args.push_back("--dump-dom");
    args.push_back("file://" + (dir / "report.html").string());
    const Ran r = run(args, 120, dir / "dom");
    BOOST_TEST_REQUIRE(!r.timed_out);
    BOOST_TEST(console_errors(r.err).empty(), r.err);
    const std::string& dom = r.out;
    BOOST_TEST(dom.find("<title>celab report</title>") != std::string::npos);  // the student's script did not run
    BOOST_TEST(dom.find("&lt;script&gt;document.title='pwned'&lt;/script&gt;") != std::string::npos);
    BOOST_TEST(dom.find("id=\"summary\"") != std::string::npos);
    BOOST_TEST(dom.find("id=\"ex-softmax\"") != std::string::npos);
    BOOST_TEST(count(dom, "class=\"plot values\"") >= 3u);
    BOOST_TEST(count(dom, "class=\"plot fd\"") >= 1u);
    BOOST_TEST(count(dom, "class=\"layout\"") >= 1u);
    BOOST_TEST(dom.find("secret_case") == std::string::npos);

    std::vector<std::string> shot = chromium_args("shot");
    shot.push_back("--hide-scrollbars");
    shot.push_back("--window-size=1000,1400");
    shot.push_back("--screenshot=" + (dir / "report.png").string());
    shot.push_back("file://" + (dir / "report.html").string());
    const Ran s = run(shot, 120, dir / "shot");
    BOOST_TEST(!s.timed_out);
    BOOST_TEST(fs::exists(dir / "report.png"));
    BOOST_TEST((fs::exists(dir / "report.png") && fs::file_size(dir / "report.png") > 10000));
}

// The HTML report: one self-contained page (no script, no network, no framework; inline CSS and SVG).
//
//   - the overall progress (exercises complete, points) and one bar per exercise;
//   - per exercise the table of checks (passed/total, the first failure, the likely mistake), the
//     compiler output and what the code printed;
//   - per visible failing case with a vector or matrix output (CheckResult::plot): expected and got by
//     index, on a log scale when positive values span decades, NaN and infinities marked;
//   - for gradients (plots with a finite-difference curve): the error of the central difference
//     against the step, for the student's gradient and for the reference's;
//   - beside an axis mistake ("wrong_axis", "batch_max"): the N x V layout of a batch.
//
// Everything that comes from the student (messages quote exceptions, printed output, compiler output)
// is HTML-escaped. Hidden rows show their verdict only.
#include "reports.hpp"

#include "compare.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <vector>

namespace celab::grader::reports {

namespace {

// At most this many plots per exercise (the first failing cases).
constexpr std::size_t max_plots_per_exercise = 6;

std::string escape(std::string_view raw) {
    const std::string text = detail::printable(raw);
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// An identifier safe in an id attribute.
std::string anchor(std::string_view text) {
    std::string out;
    for (const char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    return out;
}

std::string num(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", x);
    return buffer;
}

std::string short_number(double x) {
    if (std::isnan(x)) return "NaN";
    if (std::isinf(x)) return x > 0 ? "+inf" : "-inf";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3g", x);
    return buffer;
}

bool failed(Status s) { return s != Status::pass && s != Status::skipped; }

const char* status_class(Status s) {
    switch (s) {
        case Status::pass: return "pass";
        case Status::not_implemented:
        case Status::skipped: return "todo";
        default: return "fail";
    }
}

constexpr const char* style = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin:1.5em 0 .4em}
.bar{background:#eee;border-radius:4px;height:14px;overflow:hidden;width:100%;max-width:420px;display:inline-block;vertical-align:middle}
.bar>span{display:block;height:100%;background:#2e9e44}
.summary td{padding:2px 12px 2px 0}.summary .bar{width:320px}
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}
table.checks{border-collapse:collapse;width:100%;margin:.4em 0}
table.checks th,table.checks td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;font-size:.92em}
.pass{color:#1b7f34}.fail{color:#c0292b}.todo{color:#a06800}
.mistake{color:#8a5a00}
pre{background:#f6f6f6;border-left:3px solid #bbb;padding:.5em;overflow-x:auto;font-size:.85em;white-space:pre-wrap}
figure{display:inline-block;margin:.5em 1em .5em 0;vertical-align:top}
figcaption{font-size:.85em;color:#444;max-width:560px}
svg text{font-family:inherit;font-size:11px}
)";

// ---- plots ------------------------------------------------------------------------------------
constexpr double plot_w = 560, plot_h = 240, left_m = 56, right_m = 12, top_m = 14, bottom_m = 30;

struct Axis {
    double lo = 0, hi = 1;
    bool log = false;
    double map(double v, double a, double b) const {  // value -> pixel in [a, b] (a at lo)
        double t = log ? (std::log10(v) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (v - lo) / (hi - lo);
        return a + t * (b - a);
    }
};

// The y axis for `values`: log when every finite value is positive and they span over 3 decades.
Axis value_axis(const std::vector<double>& values, bool allow_log) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    Axis a;
    if (!(lo <= hi)) return a;  // nothing finite
    if (allow_log && lo > 0 && hi / lo > 1e3) {
        a.log = true;
        a.lo = std::pow(10.0, std::floor(std::log10(lo)));
        a.hi = std::pow(10.0, std::ceil(std::log10(hi)));
        if (a.hi <= a.lo) a.hi = a.lo * 10;
        return a;
    }
    if (hi - lo < 1e-300) {
        lo -= 0.5 + std::abs(lo) * 0.1;
        hi += 0.5 + std::abs(hi) * 0.1;
    }
    const double pad = (hi - lo) * 0.05;
    a.lo = lo - pad;
    a.hi = hi + pad;
    return a;
}

void y_ticks(std::ostream& out, const Axis& y) {
    std::vector<double> ticks;
    if (y.log) {
        const int a = static_cast<int>(std::round(std::log10(y.lo))), b = static_cast<int>(std::round(std::log10(y.hi)));
        const int stride = std::max(1, (b - a) / 6);
        for (int k = a; k <= b; k += stride) ticks.push_back(std::pow(10.0, k));
    } else {
        for (int k = 0; k <= 4; ++k) ticks.push_back(y.lo + (y.hi - y.lo) * k / 4.0);
    }
    for (double t : ticks) {
        const double py = y.map(t, plot_h - bottom_m, top_m);
        out << "<line x1='" << left_m << "' x2='" << plot_w - right_m << "' y1='" << num(py) << "' y2='" << num(py)
            << "' stroke='#eee'/><text x='" << left_m - 4 << "' y='" << num(py + 4) << "' text-anchor='end'>"
            << short_number(t) << "</text>";
    }
}

void frame(std::ostream& out, const std::string& x_label, const std::string& y_label) {
    out << "<rect x='" << left_m << "' y='" << top_m << "' width='" << plot_w - left_m - right_m << "' height='"
        << plot_h - top_m - bottom_m << "' fill='none' stroke='#999'/>";
    out << "<text x='" << (left_m + plot_w - right_m) / 2 << "' y='" << plot_h - 4 << "' text-anchor='middle'>"
        << escape(x_label) << "</text>";
    out << "<text x='12' y='" << (plot_h - bottom_m + top_m) / 2 << "' text-anchor='middle' transform='rotate(-90 12 "
        << (plot_h - bottom_m + top_m) / 2 << ")'>" << escape(y_label) << "</text>";
}

// Expected and got by flat index (row by row for a matrix, row boundaries dashed).
void value_plot(std::ostream& out, const Plot& p) {
    const Eigen::Index rows = p.expected.rows(), cols = p.expected.cols();
    const bool matrix = p.shape == Shape::matrix;
    const Eigen::Index n = p.expected.size();
    auto at = [&](const Eigen::MatrixXd& m, Eigen::Index k) { return matrix ? m(k / cols, k % cols) : m(k, 0); };
    std::vector<double> all;
    for (Eigen::Index k = 0; k < n; ++k) {
        all.push_back(at(p.expected, k));
        all.push_back(at(p.got, k));
    }
    const Axis y = value_axis(all, true);
    Axis x;
    x.lo = -0.5;
    x.hi = static_cast<double>(n) - 0.5;
    const double x0 = left_m, x1 = plot_w - right_m, yb = plot_h - bottom_m, yt = top_m;
    out << "<svg class='plot values' xmlns='http://www.w3.org/2000/svg' width='" << plot_w << "' height='" << plot_h
        << "' viewBox='0 0 " << plot_w << " " << plot_h << "' role='img'>";
    y_ticks(out, y);
    if (matrix && rows > 1)
        for (Eigen::Index r = 1; r < rows; ++r) {
            const double px = x.map(static_cast<double>(r * cols) - 0.5, x0, x1);
            out << "<line x1='" << num(px) << "' x2='" << num(px) << "' y1='" << yt << "' y2='" << yb
                << "' stroke='#bbb' stroke-dasharray='3 3'/>";
        }
    frame(out, matrix ? "index (row by row; dashed lines separate rows)" : "index", y.log ? "value (log scale)" : "value");
    const bool dots = n <= 200;
    // Non-finite values and values the log axis cannot show are marked at the edges.
    auto point = [&](double v, double px, const char* colour, bool expected) {
        std::string label;
        double py = 0;
        if (std::isnan(v)) label = "NaN", py = yt + 10;
        else if (std::isinf(v)) label = v > 0 ? "+inf" : "-inf", py = v > 0 ? yt + 10 : yb - 4;
        else if (y.log && v <= 0) label = v == 0 ? "0" : "<0", py = yb - 4;
        if (!label.empty()) {
            out << "<text class='nonfinite' x='" << num(px) << "' y='" << num(py) << "' text-anchor='middle' fill='"
                << colour << "' font-weight='bold'>" << label << "</text>";
            return;
        }
        py = y.map(v, yb, yt);
        if (expected) {
            if (dots) out << "<circle cx='" << num(px) << "' cy='" << num(py) << "' r='4' fill='none' stroke='" << colour << "'/>";
        } else {
            out << "<path d='M" << num(px - 3) << " " << num(py - 3) << "l6 6m0 -6l-6 6' stroke='" << colour << "'/>";
        }
    };
    // Expected as a line (and circles when few), got as crosses.
    std::string path;
    for (Eigen::Index k = 0; k < n; ++k) {
        const double v = at(p.expected, k);
        if (!std::isfinite(v) || (y.log && v <= 0)) continue;
        path += (path.empty() ? "M" : "L") + num(x.map(static_cast<double>(k), x0, x1)) + " " + num(y.map(v, yb, yt));
    }
    if (!path.empty()) out << "<path d='" << path << "' fill='none' stroke='#3b6fb6' stroke-width='1.2' opacity='.6'/>";
    for (Eigen::Index k = 0; k < n; ++k) {
        const double px = x.map(static_cast<double>(k), x0, x1);
        point(at(p.expected, k), px, "#3b6fb6", true);
        point(at(p.got, k), px, "#d9480f", false);
    }
    out << "<text x='" << x0 + 6 << "' y='" << yt + 24 << "' fill='#3b6fb6'>— expected</text>";
    out << "<text x='" << x0 + 80 << "' y='" << yt + 24 << "' fill='#d9480f'>× your result</text>";
    out << "</svg>";
}

// Error of the central difference against the step, log-log: the reference's V, the student's curve.
void fd_plot(std::ostream& out, const Plot& p) {
    std::vector<double> all;
    static constexpr double floor_value = 1e-18;
    auto clamp = [](double v) { return std::max(v, floor_value); };
    for (double v : p.fd_error_student) all.push_back(clamp(v));
    for (double v : p.fd_error_reference) all.push_back(clamp(v));
    Axis y = value_axis(all, true);
    if (!y.log) {  // always log here: errors span decades or are tiny
        y.log = true;
        y.lo = std::pow(10.0, std::floor(std::log10(*std::min_element(all.begin(), all.end()))));
        y.hi = std::pow(10.0, std::ceil(std::log10(*std::max_element(all.begin(), all.end())) + 1e-9));
    }
    Axis x;
    x.log = true;
    x.lo = *std::min_element(p.fd_steps.begin(), p.fd_steps.end());
    x.hi = *std::max_element(p.fd_steps.begin(), p.fd_steps.end());
    const double x0 = left_m, x1 = plot_w - right_m, yb = plot_h - bottom_m, yt = top_m;
    out << "<svg class='plot fd' xmlns='http://www.w3.org/2000/svg' width='" << plot_w << "' height='" << plot_h
        << "' viewBox='0 0 " << plot_w << " " << plot_h << "' role='img'>";
    y_ticks(out, y);
    for (int k = -13; k <= -1; k += 2) {
        const double h = std::pow(10.0, k);
        if (h < x.lo * 0.999 || h > x.hi * 1.001) continue;
        const double px = x.map(h, x0, x1);
        out << "<text x='" << num(px) << "' y='" << yb + 13 << "' text-anchor='middle'>1e" << k << "</text>";
    }
    const double grader_step = 1e-5;
    const double gx = x.map(grader_step, x0, x1);
    out << "<line x1='" << num(gx) << "' x2='" << num(gx) << "' y1='" << yt << "' y2='" << yb
        << "' stroke='#999' stroke-dasharray='2 3'/><text x='" << num(gx + 3) << "' y='" << yt + 12
        << "'>h used by the grader</text>";
    frame(out, "step h (log scale)", "error (log scale)");
    auto series = [&](const std::vector<double>& ys, const char* colour, const char* name, double label_y) {
        std::string path;
        for (std::size_t k = 0; k < ys.size(); ++k)
            path += (path.empty() ? "M" : "L") + num(x.map(p.fd_steps[k], x0, x1)) + " " + num(y.map(clamp(ys[k]), yb, yt));
        out << "<path class='series' d='" << path << "' fill='none' stroke='" << colour << "' stroke-width='2'/>";
        for (std::size_t k = 0; k < ys.size(); ++k)
            out << "<circle cx='" << num(x.map(p.fd_steps[k], x0, x1)) << "' cy='" << num(y.map(clamp(ys[k]), yb, yt))
                << "' r='2.5' fill='" << colour << "'/>";
        out << "<text x='" << x1 - 8 << "' y='" << label_y << "' text-anchor='end' fill='" << colour << "'>" << name
            << "</text>";
    };
    series(p.fd_error_reference, "#3b6fb6", "reference gradient", yt + 28);
    series(p.fd_error_student, "#d9480f", "your gradient", yt + 42);
    out << "</svg>";
}

// The N x V layout of a batch: one example per row, softmax along each row.
void layout_picture(std::ostream& out, const Plot& p, const std::string& mistake) {
    const Eigen::Index n = p.expected.rows(), v = p.expected.cols();
    const int shown_rows = static_cast<int>(std::min<Eigen::Index>(n, 5)), shown_cols = static_cast<int>(std::min<Eigen::Index>(v, 8));
    const double cell = 28, ox = 90, oy = 40;
    const double w = ox + shown_cols * cell + 260, h = oy + shown_rows * cell + 60;
    out << "<svg class='layout' xmlns='http://www.w3.org/2000/svg' width='" << w << "' height='" << h << "' viewBox='0 0 "
        << w << " " << h << "' role='img'>";
    out << "<text x='" << ox << "' y='16'>V = " << v << " classes (columns) →</text>";
    out << "<text x='4' y='" << oy + 14 << "'>N = " << n << "</text><text x='4' y='" << oy + 28
        << "'>examples</text><text x='4' y='" << oy + 42 << "'>(rows) ↓</text>";
    for (int r = 0; r < shown_rows; ++r)
        for (int c = 0; c < shown_cols; ++c)
            out << "<rect x='" << ox + c * cell << "' y='" << oy + r * cell << "' width='" << cell - 2 << "' height='"
                << cell - 2 << "' fill='" << (r == 0 ? "#cfe0f5" : "#eef3fa") << "' stroke='#8aa'/>";
    const double row_y = oy + cell / 2 - 1, right = ox + shown_cols * cell;
    out << "<path d='M" << ox - 6 << " " << row_y << "H" << right + 6 << "' stroke='#1b7f34' stroke-width='2.5'/>"
        << "<path d='M" << right + 6 << " " << row_y - 5 << "l8 5l-8 5z' fill='#1b7f34'/>";
    out << "<text x='" << right + 18 << "' y='" << row_y + 4 << "' fill='#1b7f34'>each row: its own max, its own sum</text>";
    const double col_x = ox + cell / 2 - 1, bottom = oy + shown_rows * cell;
    out << "<path d='M" << col_x << " " << oy - 6 << "V" << bottom + 6 << "' stroke='#c0292b' stroke-width='2.5' stroke-dasharray='5 3'/>";
    out << "<text x='" << ox << "' y='" << bottom + 22 << "' fill='#c0292b'>"
        << (mistake == "batch_max" ? "not one max for the whole batch" : "not down a column (the wrong axis)")
        << "</text>";
    if (n > shown_rows || v > shown_cols)
        out << "<text x='" << ox << "' y='" << bottom + 38 << "' fill='#666'>(showing " << shown_rows << " × "
            << shown_cols << " of " << n << " × " << v << ")</text>";
    out << "</svg>";
}

// ---- the page ---------------------------------------------------------------------------------
class HtmlWriter {
public:
    HtmlWriter(std::ostream& out, const Report& report) : out_(out), report_(report) {}

    void write() {
        std::vector<Exercise> shown;
        std::size_t complete = 0;
        for (Exercise e : all_exercises()) {
            const auto rows = rows_of(e);
            if (rows.empty() && detail::build_errors(report_, e).empty() && detail::student_output(report_, e).empty()) continue;
            shown.push_back(e);
            if (all_pass(rows)) ++complete;
        }
        out_ << "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
             << "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
             << "<title>celab report</title>\n<style>" << style << "</style>\n</head>\n<body>\n";
        out_ << "<h1>celab report</h1>\n";
        if (!report_.submission.empty()) out_ << "<p>Graded: <code>" << escape(report_.submission) << "</code></p>\n";
        const double score = report_.score(), max = report_.max_score();
        out_ << "<table class='summary' id='summary'><tr><td>Exercises complete</td><td><span class='bar'><span style='width:"
             << num(shown.empty() ? 0.0 : 100.0 * complete / shown.size()) << "%'></span></span></td><td id='complete'>"
             << complete << "/" << shown.size() << "</td></tr>\n<tr><td>Score</td><td><span class='bar'><span style='width:"
             << num(max > 0 ? 100.0 * score / max : 0.0) << "%'></span></span></td><td id='score'>"
             << detail::format_points(score) << "/" << detail::format_points(max) << "</td></tr></table>\n";
        out_ << "<p>seed " << report_.seed << " (rerun with <code>./grade --seed " << report_.seed << "</code>)</p>\n";
        out_ << "<ul class='toc'>";
        for (Exercise e : shown) {
            const auto rows = rows_of(e);
            const bool pass = all_pass(rows);
            out_ << "<li><a href='#ex-" << anchor(name(e)) << "' class='" << (pass ? "pass" : "fail") << "'>"
                 << (pass ? "✓ " : "✗ ") << escape(name(e)) << "</a></li>";
        }
        out_ << "</ul>\n";
        for (Exercise e : shown) write_exercise(e);
        out_ << "</body>\n</html>\n";
    }

private:
    std::vector<const CheckResult*> rows_of(Exercise e) const {
        std::vector<const CheckResult*> rows;
        for (const CheckResult& r : report_.checks)
            if (r.exercise == e) rows.push_back(&r);
        return rows;
    }
    static bool all_pass(const std::vector<const CheckResult*>& rows) {
        return !rows.empty() &&
               std::all_of(rows.begin(), rows.end(), [](const CheckResult* r) { return r->status == Status::pass; });
    }

    void write_exercise(Exercise e) {
        const auto rows = rows_of(e);
        double points = 0, max = 0, mastery = 0, mastery_max = 0;
        for (const CheckResult* r : rows) {
            points += r->points, max += r->max_points;
            mastery += r->mastery_points, mastery_max += r->mastery_max_points;
        }
        const bool pass = all_pass(rows);
        const bool todo = !rows.empty() && std::all_of(rows.begin(), rows.end(), [](const CheckResult* r) {
            return r->status == Status::not_implemented;
        });
        out_ << "<section class='exercise' id='ex-" << anchor(name(e)) << "'>\n<h2 class='"
             << (pass ? "pass" : todo ? "todo" : "fail") << "'>" << (pass ? "✓ " : todo ? "○ " : "✗ ") << escape(name(e))
             << " <small>" << detail::format_points(points) << "/" << detail::format_points(max);
        // The mastery share (model.hpp, Scoring): earned only when every check of every case passes.
        if (mastery_max > 0)
            out_ << " (mastery " << detail::format_points(mastery) << "/" << detail::format_points(mastery_max) << ")";
        out_ << " · <code>" << escape(detail::student_file(report_, e)) << "</code></small></h2>\n";
        out_ << "<span class='bar'><span style='width:" << num(max > 0 ? 100.0 * points / max : 0.0)
             << "%'></span></span>\n";
        if (todo) out_ << "<p class='todo'>not implemented yet — edit <code>" << escape(detail::student_file(report_, e)) << "</code></p>\n";

        // The table of checks: one row per check, with its first failure (a visible one when there is one).
        std::vector<std::string> order = check_names(e);
        for (const CheckResult* r : rows)
            if (std::find(order.begin(), order.end(), r->check) == order.end()) order.push_back(r->check);
        if (!rows.empty()) {
            out_ << "<table class='checks'><tr><th>check</th><th>cases passed</th><th>first failure</th></tr>\n";
            for (const std::string& check : order) {
                std::vector<const CheckResult*> group;
                for (const CheckResult* r : rows)
                    if (r->check == check) group.push_back(r);
                if (group.empty()) continue;
                const auto passed = std::count_if(group.begin(), group.end(), [](const CheckResult* r) { return r->status == Status::pass; });
                std::vector<const CheckResult*> failures;
                for (const CheckResult* r : group)
                    if (failed(r->status)) failures.push_back(r);
                const auto visible = std::find_if(failures.begin(), failures.end(),
                                                  [](const CheckResult* r) { return !r->withheld(); });
                const Status s = failures.empty() ? (passed == static_cast<long>(group.size()) ? Status::pass : Status::skipped)
                                                  : failures.front()->status;
                out_ << "<tr class='check " << status_class(s) << "'><td>" << escape(check) << "</td><td>" << passed << "/"
                     << group.size() << "</td><td>";
                if (!failures.empty()) {
                    const CheckResult& shown = visible != failures.end() ? **visible : *failures.front();
                    if (shown.withheld()) {
                        out_ << "hidden case: " << detail::status_phrase(shown.status) << " (the details of hidden cases are not shown)";
                    } else {
                        if (shown.status != Status::fail) out_ << "<b>" << detail::status_phrase(shown.status) << "</b>: ";
                        out_ << escape(shown.message);
                        if (!shown.diagnosis.empty()) out_ << "<div class='mistake'>Likely mistake: " << escape(shown.diagnosis) << "</div>";
                        if (!shown.hint.empty()) out_ << "<div class='hint'>Hint: " << escape(shown.hint) << "</div>";
                    }
                    if (failures.size() > 1) out_ << " <small>(and " << failures.size() - 1 << " more failing)</small>";
                }
                out_ << "</td></tr>\n";
            }
            out_ << "</table>\n";
        }
        const std::string& compiler = detail::build_errors(report_, e);
        if (!compiler.empty()) out_ << "<h3>Compiler output</h3>\n<pre class='compiler'>" << escape(compiler) << "</pre>\n";
        write_plots(rows);
        const std::string& printed = detail::student_output(report_, e);
        if (!printed.empty()) {
            const auto lines = std::count(printed.begin(), printed.end(), '\n');
            out_ << "<details class='student-output'" << (lines <= 12 ? " open" : "") << "><summary>Output printed by your code ("
                 << lines << " line" << (lines == 1 ? "" : "s") << ")</summary><pre>" << escape(printed) << "</pre></details>\n";
        }
        out_ << "</section>\n";
    }

    // One figure per visible failing case with a plot (the rows of a case share it).
    void write_plots(const std::vector<const CheckResult*>& rows) {
        std::set<const Plot*> done;
        std::size_t count = 0;
        for (const CheckResult* r : rows) {
            if (!r->plot || r->withheld() || !done.insert(r->plot.get()).second) continue;
            if (++count > max_plots_per_exercise) {
                out_ << "<p><small>(more failing cases are not plotted)</small></p>\n";
                break;
            }
            const Plot& p = *r->plot;
            std::string mistake;
            for (const CheckResult* other : rows)
                if (other->plot == r->plot && !other->mistake.empty()) mistake = other->mistake;
            out_ << "<div class='case' id='case-" << anchor(name(r->exercise)) << "-" << count << "'>\n<h3>case “"
                 << escape(r->case_name) << "”</h3>\n<figure>";
            value_plot(out_, p);
            out_ << "<figcaption>Expected (blue) and your result (orange) by index";
            if (p.shape == Shape::matrix) out_ << " (" << p.expected.rows() << " × " << p.expected.cols() << ", row by row)";
            out_ << ".</figcaption></figure>\n";
            if (!p.fd_steps.empty()) {
                out_ << "<figure>";
                fd_plot(out_, p);
                out_ << "<figcaption>Error of the central difference (L(z + h e<sub>i</sub>) − L(z − h e<sub>i</sub>)) / 2h against entry i of a gradient, for each step h, at "
                     << escape(where(p.shape, p.fd_row, p.fd_col))
                     << ": the reference gradient gives the V of <code>docs/finite-differences.md</code> "
                        "(truncation error on the right, round-off on the left); a wrong gradient stays far above it.</figcaption></figure>\n";
            }
            if ((mistake == "wrong_axis" || mistake == "batch_max") && p.shape == Shape::matrix) {
                out_ << "<figure>";
                layout_picture(out_, p, mistake);
                out_ << "<figcaption>The layout of a batch: N examples, one per row, V classes per row.</figcaption></figure>\n";
            }
            out_ << "</div>\n";
        }
    }

    std::ostream& out_;
    const Report& report_;
};

}  // namespace

void write_html(std::ostream& out, const Report& report) { HtmlWriter(out, report).write(); }

}  // namespace celab::grader::reports

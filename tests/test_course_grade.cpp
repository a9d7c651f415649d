// ./course grade on a made-up class: a perfect student, two with classic mistakes, a compile
// error, a segfault, an endless loop, a chatty one, a missing file, binary garbage, a symbolic link
// out of the folder, a huge file and an odd name. Each gets its row and status; the gradebook is
// RFC 4180; the summary's mistake tally names the right students (hidden cases included); reruns
// skip unchanged students; --jobs 1 and --jobs 3 give the same reports.
#define BOOST_TEST_MODULE course_grade
#include <boost/test/unit_test.hpp>

#include "support/files.hpp"

#include "cli.hpp"
#include "gradebook.hpp"
#include "intake.hpp"
#include "sanitizer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

using celab::test::read_existing_file;
using celab::test::write_file;

namespace {

const fs::path source_dir = CELAB_SOURCE_DIR;

// Sanitizer builds run the students' code several times slower: a longer CPU budget there.
#if CELAB_ASAN
const std::string timeout = "8";  // a correct log_softmax_rows came within 4 s of CPU under ASan
#else
const std::string timeout = "1";
#endif

struct Run {
    int status = -1;
    std::string out, err;
};

Run course(std::vector<std::string> args, bool terminal = false) {
    args.insert(args.begin(), "celab-course");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    Run r;
    r.status = celab::course::cli::run(static_cast<int>(argv.size()), argv.data(), out, err, terminal);
    r.out = out.str();
    r.err = err.str();
    return r;
}

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("celab-course-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// A student folder: the reference's three files, with `replace` (file -> contents) instead.
void student(const fs::path& dir, const std::map<std::string, std::string>& replace = {},
             const std::vector<std::string>& leave_out = {}) {
    fs::create_directories(dir);
    for (const char* file : {"softmax", "loss", "gradient"}) {
        if (std::find(leave_out.begin(), leave_out.end(), file) != leave_out.end()) continue;
        const auto it = replace.find(file);
        write_file(dir / (std::string(file) + ".cpp"),
              it != replace.end() ? it->second : read_existing_file(source_dir / "solutions" / (std::string(file) + ".cpp")));
    }
}

// RFC 4180 reader, for checking the gradebook: records of fields.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"') {
            BOOST_TEST_REQUIRE(field.empty(), "a quote inside an unquoted field");
            quoted = was_quoted = true;
        } else if (c == ',') {
            record.push_back(field), field.clear(), was_quoted = false;
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            record.push_back(field), field.clear(), was_quoted = false;
            records.push_back(record), record.clear();
            ++i;
        } else {
            BOOST_TEST_REQUIRE(c != '\n', "a bare LF outside quotes (RFC 4180 wants CRLF)");
            field += c;
        }
    }
    BOOST_TEST_REQUIRE(!quoted);
    BOOST_TEST_REQUIRE((field.empty() && record.empty() && !was_quoted), "the last record has no CRLF");
    return records;
}

const std::string odd_name = "-odd name, \"quoted\" \xC3\xBCn\xC3\xAF";  // spaces, comma, quotes, UTF-8, leading dash

// The class, graded once with --jobs 3 and once with --jobs 1 into another folder.
struct Class {
    fs::path root, submissions, out3, out1;
    Run jobs3, jobs1;

    Class() {
        root = scratch("class");
        submissions = root / "submissions";
        const fs::path s = submissions;
        const auto mutant = [](const std::string& n) { return read_existing_file(source_dir / "tests" / "mutants" / (n + ".cpp")); };
        const auto hostile = [](const std::string& n) { return read_existing_file(source_dir / "tests" / "hostile" / (n + ".cpp")); };
        const std::string loss = read_existing_file(source_dir / "solutions" / "loss.cpp");
        std::string garbage;
        for (int k = 0; k < 4; ++k)
            for (int b = 0; b < 256; ++b) garbage += static_cast<char>((b * 37 + k) & 0xff);
        std::string huge = "// padding\n";
        while (huge.size() < (std::size_t(2) << 20)) huge += "// " + std::string(76, 'x') + "\n";
        huge.resize(std::size_t(2) << 20);

        student(s / "perfect");
        student(s / "mistake-softmax", {{"softmax", mutant("softmax_no_max")}});
        student(s / "mistake-gradient", {{"gradient", mutant("gradient_no_max")}});
        student(s / "compile-error", {{"loss", loss + "\nint broken = ;\n"}});
        student(s / "segfault", {{"softmax", hostile("segfault")}});
        student(s / "endless-loop", {{"softmax", hostile("infinite_loop")}});
        student(s / "chatty", {{"softmax", read_existing_file(source_dir / "solutions" / "softmax.cpp") +
                                               "\n#include <cstdio>\nstatic const int chatter = [] {\n"
                                               "    for (int i = 0; i < 2000; ++i) std::printf(\"chatty student line %d\\n\", i);\n"
                                               "    return 0;\n}();\n"}});
        student(s / "missing-file", {}, {"gradient"});
        student(s / "binary-garbage", {{"gradient", garbage}});
        student(s / "symlink-outside", {}, {"softmax"});
        student(root / "outside");  // a perfect softmax.cpp, outside the class folder
        fs::create_symlink("../../outside/softmax.cpp", s / "symlink-outside" / "softmax.cpp");
        student(s / "huge-file", {{"loss", huge}});
        student(s / odd_name);
        write_file(s / "notes.txt", "not a student\n");
        fs::create_symlink("perfect", s / "linked-folder");  // a folder that is a link: refused, not followed

        out3 = root / "out-jobs3";
        out1 = root / "out-jobs1";
        // A generous wall-clock backstop: on a loaded machine (three students at once, under ASan) the
        // looping student must still be stopped by its CPU limit, in both runs, for the reports to match.
        jobs3 = course({"grade", submissions.string(), "--out", out3.string(), "--jobs", "3", "--timeout", timeout,
                        "--wall-timeout", "300"});
        jobs1 = course({"grade", submissions.string(), "--out", out1.string(), "--jobs", "1", "--timeout", timeout,
                        "--wall-timeout", "300"});
    }

    static const Class& get() {
        static const Class c;
        return c;
    }

    // grades.csv of the --jobs 3 run, by student name.
    std::map<std::string, std::map<std::string, std::string>> rows() const {
        const auto records = parse_csv(read_existing_file(out3 / "grades.csv"));
        std::map<std::string, std::map<std::string, std::string>> by_name;
        for (std::size_t i = 1; i < records.size(); ++i) {
            BOOST_TEST_REQUIRE(records[i].size() == records[0].size());
            for (std::size_t k = 0; k < records[0].size(); ++k) by_name[records[i][0]][records[0][k]] = records[i][k];
        }
        return by_name;
    }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The scratch folders go when the tests are done.
struct RemoveScratch {
    ~RemoveScratch() {
        std::error_code ec;
        fs::remove_all(fs::temp_directory_path() / ("celab-course-" + std::to_string(::getpid())), ec);
    }
};

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(RemoveScratch);

BOOST_AUTO_TEST_CASE(the_batch_runs_and_exits_0_whatever_the_students_did) {
    const Class& c = Class::get();
    BOOST_TEST(c.jobs3.status == 0, c.jobs3.err);
    BOOST_TEST(c.jobs1.status == 0, c.jobs1.err);
    for (const char* file : {"grades.csv", "summary.txt", "summary.html"}) BOOST_TEST(fs::is_regular_file(c.out3 / file), file);
}

BOOST_AUTO_TEST_CASE(every_student_gets_a_row_with_its_status_and_reason) {
    const Class& c = Class::get();
    const auto rows = c.rows();
    BOOST_TEST(rows.size() == 13u);
    BOOST_TEST(rows.at("linked-folder").at("status") == "refused");
    BOOST_TEST(contains(rows.at("linked-folder").at("reason"), "the folder is a symbolic link to 'perfect'"));
    BOOST_TEST(rows.at("linked-folder").at("total") == "0");
    BOOST_TEST(!rows.count("notes.txt"));  // not a folder: ignored, not a student
    struct Expect {
        std::string name, status;
        std::vector<std::string> reason;  // parts the reason must hold
    };
    const std::vector<Expect> expected{
        {"perfect", "ok", {}},
        {"mistake-softmax", "ok", {}},
        {"mistake-gradient", "ok", {}},
        {"chatty", "ok", {}},
        {odd_name, "ok", {}},
        {"compile-error", "compile_error", {"loss.cpp does not compile", "loss.cpp:", "error"}},
        {"binary-garbage", "compile_error", {"gradient.cpp does not compile"}},
        {"segfault", "crash", {"crashed in softmax, softmax_rows, log_sum_exp, cross_entropy"}},
        {"endless-loop", "timeout", {"timed out in softmax, softmax_rows, log_sum_exp, cross_entropy"}},
        {"missing-file", "missing_files", {"gradient.cpp is missing"}},
        {"symlink-outside", "refused", {"softmax.cpp is a symbolic link", "outside the student's folder", "not followed"}},
        {"huge-file", "refused", {"loss.cpp is too large", "2097152 bytes", "not read"}},
    };
    for (const Expect& e : expected) {
        BOOST_TEST_CONTEXT(e.name) {
            BOOST_TEST_REQUIRE(rows.count(e.name));
            const auto& row = rows.at(e.name);
            BOOST_TEST(row.at("status") == e.status);
            if (e.reason.empty()) BOOST_TEST(row.at("reason") == "");
            for (const std::string& part : e.reason) BOOST_TEST(contains(row.at("reason"), part), row.at("reason"));
        }
    }
    const auto total = [&](const std::string& n) { return std::stod(rows.at(n).at("total")); };
    const double max = std::stod(rows.at("perfect").at("max"));
    BOOST_TEST(max == 100.0, boost::test_tools::tolerance(1e-9));  // 10 exercises, 10 points each (mastery scoring)
    for (const char* full : {"perfect", "chatty"}) BOOST_TEST(total(full) == max, full);
    BOOST_TEST(total(odd_name) == max);
    // A classic mistake costs points in its own exercise only.
    BOOST_TEST(total("mistake-softmax") < max);
    BOOST_TEST(std::stod(rows.at("mistake-softmax").at("softmax")) < std::stod(rows.at("perfect").at("softmax")));
    // ... at least half of it (the mastery scoring; tests/test_scoring.cpp).
    BOOST_TEST(std::stod(rows.at("mistake-softmax").at("softmax")) <= std::stod(rows.at("perfect").at("softmax")) / 2);
    BOOST_TEST(std::stod(rows.at("mistake-gradient").at("cross_entropy_grad")) <=
               std::stod(rows.at("perfect").at("cross_entropy_grad")) / 2);
    BOOST_TEST(rows.at("mistake-softmax").at("cross_entropy_grad_batch") == rows.at("perfect").at("cross_entropy_grad_batch"));
    BOOST_TEST(std::stod(rows.at("mistake-gradient").at("cross_entropy_grad")) <
               std::stod(rows.at("perfect").at("cross_entropy_grad")));
    // The files that are there are still graded; a refused or missing file scores nothing.
    BOOST_TEST(rows.at("missing-file").at("softmax") == rows.at("perfect").at("softmax"));
    BOOST_TEST(rows.at("missing-file").at("cross_entropy_grad") == "0");
    BOOST_TEST(rows.at("compile-error").at("reduce") == "0");
    BOOST_TEST(rows.at("compile-error").at("softmax") == rows.at("perfect").at("softmax"));
    // The link points at a perfect softmax.cpp: following it would have given full marks.
    BOOST_TEST(rows.at("symlink-outside").at("softmax") == "0");
    BOOST_TEST(rows.at("huge-file").at("reduce") == "0");
    BOOST_TEST(rows.at("huge-file").at("softmax") == rows.at("perfect").at("softmax"));
    // The looping student was stopped by its CPU limit, not by the wall-clock backstop.
    BOOST_TEST(contains(read_existing_file(c.out3 / "students" / "endless-loop" / "report.txt"), "s CPU time limit"));
    // The chatty student's printing is in their report, and did not cost them anything.
    BOOST_TEST(contains(read_existing_file(c.out3 / "students" / "chatty" / "report.txt"), "chatty student line"));
    // Per-student reports, under the student's own name.
    for (const auto& [name, row] : rows) {
        BOOST_TEST(fs::is_regular_file(c.out3 / "students" / name / "report.txt"), name);
        if (name != "linked-folder") BOOST_TEST(fs::is_regular_file(c.out3 / "students" / name / "report.json"), name);
    }
}

BOOST_AUTO_TEST_CASE(the_gradebook_has_one_column_per_exercise_and_rfc_4180_quoting) {
    const Class& c = Class::get();
    const std::string csv = read_existing_file(c.out3 / "grades.csv");
    const auto records = parse_csv(csv);
    BOOST_TEST(records.front() ==
                   (std::vector<std::string>{"student", "softmax", "softmax_rows", "log_softmax_rows", "log_sum_exp",
                                             "cross_entropy", "cross_entropy_from_probs", "cross_entropy_from_logits",
                                             "reduce", "cross_entropy_grad", "cross_entropy_grad_batch", "total", "max",
                                             "status", "reason"}),
               boost::test_tools::per_element());
    // The odd name is quoted, its quotes doubled; rows are sorted by name (bytewise), so it is first.
    BOOST_TEST(contains(csv, "\r\n\"-odd name, \"\"quoted\"\" \xC3\xBCn\xC3\xAF\","));
    BOOST_TEST(records.at(1).at(0) == odd_name);
    for (std::size_t i = 2; i < records.size(); ++i) BOOST_TEST((records[i - 1][0] < records[i][0]), records[i][0]);
    // Every row: the exercise points add up to the total (each written with 4 decimals: the mastery
    // scoring's points are fractions); the same max everywhere.
    for (std::size_t i = 1; i < records.size(); ++i) {
        double sum = 0.0;
        for (std::size_t k = 1; k <= 10; ++k) sum += std::stod(records[i][k]);
        BOOST_TEST(std::abs(sum - std::stod(records[i][11])) <= 1e-3, records[i][0] << ": " << sum << " vs " << records[i][11]);
        BOOST_TEST(records[i][12] == records[1][12]);
    }
}

BOOST_AUTO_TEST_CASE(csv_fields_are_quoted_only_when_needed) {
    using celab::course::csv_field;
    BOOST_TEST(csv_field("plain name") == "plain name");
    BOOST_TEST(csv_field("") == "");
    BOOST_TEST(csv_field("a,b") == "\"a,b\"");
    BOOST_TEST(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    BOOST_TEST(csv_field("two\nlines") == "\"two\nlines\"");
    BOOST_TEST(csv_field("cr\rhere") == "\"cr\rhere\"");
    BOOST_TEST(csv_field("\"") == "\"\"\"\"");
    BOOST_TEST(celab::course::points_text(12.5) == "12.5");
    BOOST_TEST(celab::course::points_text(41.0) == "41");
    BOOST_TEST(celab::course::points_text(0.25) == "0.25");
}

BOOST_AUTO_TEST_CASE(the_summary_tallies_each_mistake_with_the_students_who_made_it) {
    const Class& c = Class::get();
    const std::string summary = read_existing_file(c.out3 / "summary.txt");
    // Two students forgot the max subtraction, in two different exercises.
    BOOST_TEST(contains(summary, "  no_max_subtraction: 2 students, "), summary);
    BOOST_TEST(contains(summary, "in softmax, cross_entropy_grad\n    students: mistake-gradient, mistake-softmax\n"), summary);
    // Nobody else is named for any mistake.
    std::istringstream lines(summary);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("    students: ", 0) != 0) continue;
        for (const char* innocent : {"perfect", "chatty", "odd name"}) BOOST_TEST(!contains(line, innocent), line);
    }
    // The huge-file and symlink-outside students are graded on their other files; linked-folder is not.
    BOOST_TEST(contains(summary, "13 students, 12 graded"));
    BOOST_TEST(contains(summary, "Statuses:  ok 5  compile_error 2  crash 1  timeout 1  missing_files 1  refused 3"), summary);
    BOOST_TEST(contains(summary, "notes.txt: not a folder"));
    // Pass rates: softmax has full marks from perfect, chatty, odd name, mistake-gradient, compile-error,
    // missing-file, binary-garbage, huge-file (8 of the 12 students graded).
    BOOST_TEST(contains(summary, "   67 %  8/12  softmax\n"), summary);
}

BOOST_AUTO_TEST_CASE(hidden_cases_count_in_the_tally_but_never_reach_the_student_report) {
    const fs::path root = scratch("hidden");
    student(root / "submissions" / "perfect");
    student(root / "submissions" / "mistake-softmax",
            {{"softmax", read_existing_file(source_dir / "tests" / "mutants" / "softmax_no_max.cpp")}});
    write_file(root / "hidden" / "softmax.json",
          R"({"exercise": "softmax", "defaults": {"visibility": "hidden"},
              "cases": [{"name": "secret_large", "logits": [800, 0, -5]}]})");
    const Run r = course({"grade", (root / "submissions").string(), "--out", (root / "out").string(), "--no-shipped-cases",
                          "--cases", (root / "hidden").string(), "--jobs", "2", "--timeout", timeout});
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    const std::string summary = read_existing_file(root / "out" / "summary.txt");
    BOOST_TEST(contains(summary, "no_max_subtraction: 1 student, "), summary);
    BOOST_TEST(contains(summary, " hidden), in softmax\n    students: mistake-softmax\n"), summary);
    const std::string report = read_existing_file(root / "out" / "students" / "mistake-softmax" / "report.json");
    BOOST_TEST(contains(report, "secret_large"));
    BOOST_TEST(contains(report, "\"hidden\""));
    BOOST_TEST(!contains(report, "no_max_subtraction"));
    BOOST_TEST(!contains(read_existing_file(root / "out" / "students" / "mistake-softmax" / "report.txt"), "subtract"));
    const auto records = parse_csv(read_existing_file(root / "out" / "grades.csv"));
    BOOST_TEST(records.front().size() == 6u);  // student, softmax, total, max, status, reason
}

BOOST_AUTO_TEST_CASE(jobs_1_and_jobs_3_give_identical_reports) {
    const Class& c = Class::get();
    BOOST_TEST(read_existing_file(c.out1 / "grades.csv") == read_existing_file(c.out3 / "grades.csv"));
    BOOST_TEST(read_existing_file(c.out1 / "summary.txt") == read_existing_file(c.out3 / "summary.txt"));
    BOOST_TEST(read_existing_file(c.out1 / "summary.html") == read_existing_file(c.out3 / "summary.html"));
    int compared = 0;
    for (const fs::directory_entry& d : fs::directory_iterator(c.out3 / "students")) {
        const fs::path other = c.out1 / "students" / d.path().filename();
        for (const char* file : {"report.json", "report.txt"}) {
            if (!fs::exists(d.path() / file)) {
                BOOST_TEST(!fs::exists(other / file));
                continue;
            }
            BOOST_TEST_CONTEXT(d.path().filename().string() << "/" << file) {
                BOOST_TEST(read_existing_file(d.path() / file) == read_existing_file(other / file));
                ++compared;
            }
        }
    }
    BOOST_TEST(compared == 25);  // linked-folder has no report.json
}

BOOST_AUTO_TEST_CASE(progress_goes_to_stderr_as_plain_lines) {
    const Class& c = Class::get();
    BOOST_TEST(c.jobs3.out.empty());
    BOOST_TEST(contains(c.jobs3.err, "ignored: notes.txt (not a folder)\n"));
    BOOST_TEST(contains(c.jobs3.err, "[1/13] "));
    BOOST_TEST(contains(c.jobs3.err, "[13/13] "));
    BOOST_TEST(contains(c.jobs3.err, "8 failures so far; done in "), c.jobs3.err);
    BOOST_TEST(contains(c.jobs3.err, " left\n"));
    BOOST_TEST(!contains(c.jobs3.err, "\r"));
    BOOST_TEST(!contains(c.jobs3.err, "\033"));
}

BOOST_AUTO_TEST_CASE(the_html_summary_is_self_contained) {
    const Class& c = Class::get();
    const std::string html = read_existing_file(c.out3 / "summary.html");
    BOOST_TEST(html.rfind("<!DOCTYPE html>", 0) == 0u);
    for (const char* part : {"<style>", "<table id='statuses'>", "<table id='exercises'>", "<table id='mistakes'>",
                             "<table id='checks'>", "<table id='students'>", "<code>no_max_subtraction</code>",
                             "mistake-gradient, mistake-softmax", "-odd name, &quot;quoted&quot;", "</html>"})
        BOOST_TEST(contains(html, part), part);
    for (const char* forbidden : {"http", "<script", "src=", "<link", "@import", "url("})
        BOOST_TEST(!contains(html, forbidden), forbidden);
}

BOOST_AUTO_TEST_CASE(a_rerun_skips_unchanged_students_and_grades_changed_ones) {
    const fs::path root = scratch("rerun");
    const fs::path subs = root / "submissions", out = root / "out";
    student(subs / "alice");
    student(subs / "bob", {{"gradient", read_existing_file(source_dir / "tests" / "mutants" / "gradient_no_max.cpp")}});
    const std::vector<std::string> args{"grade", subs.string(), "--out", out.string(), "--jobs", "2", "--timeout", timeout};
    const Run first = course(args);
    BOOST_TEST_REQUIRE(first.status == 0, first.err);
    BOOST_TEST(contains(first.err, "graded 2 of 2 students (0 unchanged"), first.err);
    const std::string csv = read_existing_file(out / "grades.csv");

    const Run second = course(args);
    BOOST_TEST(contains(second.err, "graded 0 of 2 students (2 unchanged"), second.err);
    BOOST_TEST(contains(second.err, "] alice: ok "), second.err);
    BOOST_TEST(contains(second.err, " (unchanged, not graded again)"), second.err);
    BOOST_TEST(read_existing_file(out / "grades.csv") == csv);  // the gradebook, rebuilt from the records, is the same

    // On a terminal the progress line is rewritten in place, and ends with a newline.
    const Run on_terminal = course(args, true);
    BOOST_TEST(contains(on_terminal.err, "\r\033[K[1/2] "), on_terminal.err);  // students in the order they finish
    BOOST_TEST(contains(on_terminal.err, "\r\033[K[2/2] "), on_terminal.err);
    BOOST_TEST(contains(on_terminal.err, "] alice: ok "), on_terminal.err);
    BOOST_TEST(contains(on_terminal.err, "] bob: ok "), on_terminal.err);
    BOOST_TEST(!contains(on_terminal.err, "left\n"));  // no line of its own per student

    // alice makes bob's mistake in softmax: only she is graded again, and her row changes.
    write_file(subs / "alice" / "softmax.cpp", read_existing_file(source_dir / "tests" / "mutants" / "softmax_no_max.cpp"));
    const Run third = course(args);
    BOOST_TEST(contains(third.err, "graded 1 of 2 students (1 unchanged"), third.err);
    const auto records = parse_csv(read_existing_file(out / "grades.csv"));
    BOOST_TEST_REQUIRE(records.size() == 3u);
    BOOST_TEST(records[1][0] == "alice");
    BOOST_TEST(std::stod(records[1][11]) < std::stod(records[1][12]));
    BOOST_TEST(contains(read_existing_file(out / "summary.txt"), "students: alice, bob"));

    // Other cases (a new seed) or --force: everyone again.
    std::vector<std::string> seeded = args;
    seeded.insert(seeded.end(), {"--seed", "7"});
    BOOST_TEST(contains(course(seeded).err, "graded 2 of 2 students (0 unchanged"));
    std::vector<std::string> forced = seeded;
    forced.push_back("--force");
    BOOST_TEST(contains(course(forced).err, "graded 2 of 2 students (0 unchanged"));
    BOOST_TEST(contains(course(seeded).err, "graded 0 of 2 students (2 unchanged"));
}

BOOST_AUTO_TEST_CASE(bad_usage_exits_2_with_a_message_naming_the_problem) {
    const fs::path root = scratch("usage");
    write_file(root / "a-file", "x");
    fs::create_directories(root / "empty-cases");
    write_file(root / "bad-cases" / "softmax.json", R"({"exercise": "softmax", "cases": [{"name": "x", "logitz": [1]}]})");
    fs::create_directories(root / "subs");
    const std::string out = (root / "out").string(), subs = (root / "subs").string();
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    const std::vector<Case> cases{
        {{}, "no command given"},
        {{"grades"}, "unknown command 'grades'"},
        {{"grade", "--out", out}, "no SUBMISSIONS folder"},
        {{"grade", subs}, "--out DIR is required"},
        {{"grade", (root / "nowhere").string(), "--out", out}, "nowhere' does not exist"},
        {{"grade", (root / "a-file").string(), "--out", out}, "a-file' is not a folder"},
        {{"grade", subs, "--out", out, "--cases", (root / "empty-cases").string()}, "empty-cases"},
        {{"grade", subs, "--out", out, "--cases", (root / "bad-cases").string()}, "logitz"},
        {{"grade", subs, "--out", out, "--jobs", "0"}, "--jobs must be between 1 and 256"},
        {{"grade", subs, "--out", out, "--timeout", "2", "--wall-timeout", "1"}, "--wall-timeout must be between"},
        {{"grade", subs, "--out", out, "--bogus"}, "bogus"},
        {{"grade", subs, "--out", (root / "a-file" / "out").string()}, "cannot create the output folder"},
        {{"grade", subs, "--out", subs + "/."}, "is the SUBMISSIONS folder itself"},
    };
    for (const Case& c : cases) {
        const Run r = course(c.args);
        BOOST_TEST_CONTEXT(c.message) {
            BOOST_TEST(r.status == 2);
            BOOST_TEST(contains(r.err, c.message), r.err);
        }
    }
    const Run help = course({"grade", "--help"});
    BOOST_TEST(help.status == 0);
    for (const char* option : {"--out", "--cases", "--jobs", "--seed", "--timeout", "--force"}) BOOST_TEST(contains(help.out, option));
    // An empty class is not an error: an empty gradebook.
    const Run empty = course({"grade", subs, "--out", out});
    BOOST_TEST(empty.status == 0, empty.err);
    BOOST_TEST(read_existing_file(root / "out" / "grades.csv").rfind("student,softmax,", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(student_files_are_read_without_following_links_or_blocking) {
    using celab::course::StudentFile;
    const fs::path dir = scratch("intake");
    write_file(dir / "softmax.cpp", "int x;\n");
    BOOST_TEST_REQUIRE(::mkfifo((dir / "loss.cpp").c_str(), 0600) == 0);  // would block a plain open()
    fs::create_symlink(dir / "softmax.cpp", dir / "gradient.cpp");        // inside the folder: refused too
    const auto files = celab::course::read_student_files(dir, 100);
    BOOST_TEST_REQUIRE(files.size() == 3u);
    BOOST_TEST((files[0].state == StudentFile::State::present));
    BOOST_TEST(files[0].contents == "int x;\n");
    BOOST_TEST((files[1].state == StudentFile::State::refused));
    BOOST_TEST(contains(files[1].reason, "loss.cpp is not a regular file"), files[1].reason);
    BOOST_TEST((files[2].state == StudentFile::State::refused));
    BOOST_TEST(contains(files[2].reason, "gradient.cpp is a symbolic link"), files[2].reason);
    BOOST_TEST(files[2].contents.empty());
    // The size limit, exactly.
    write_file(dir / "softmax.cpp", std::string(100, 'a'));
    BOOST_TEST((celab::course::read_student_files(dir, 100)[0].state == StudentFile::State::present));
    write_file(dir / "softmax.cpp", std::string(101, 'a'));
    const auto big = celab::course::read_student_files(dir, 100)[0];
    BOOST_TEST((big.state == StudentFile::State::refused));
    BOOST_TEST(contains(big.reason, "101 bytes, more than the limit of 100 bytes"), big.reason);
    BOOST_TEST(big.contents.empty());
}

BOOST_AUTO_TEST_CASE(the_course_file_gives_the_points_over_visible_and_hidden_cases_together) {
    const fs::path root = scratch("course-file");
    student(root / "submissions" / "perfect");
    write_file(root / "cases" / "a-visible.json",
          R"({"exercise": "softmax", "cases": [{"name": "shown", "logits": [1, 2, 3]}]})");
    write_file(root / "cases" / "b-hidden.json",
          R"({"exercise": "softmax", "defaults": {"visibility": "hidden"}, "cases": [{"name": "kept", "logits": [3, 2, 1]}]})");
    write_file(root / "course.json", R"({"seed": 5, "points": {"softmax": 10}})");
    const Run r = course({"grade", (root / "submissions").string(), "--out", (root / "out").string(), "--no-shipped-cases",
                          "--cases", (root / "cases").string(), "--course", (root / "course.json").string(), "--timeout",
                          timeout});
    BOOST_TEST_REQUIRE(r.status == 0, r.err);
    const auto records = parse_csv(read_existing_file(root / "out" / "grades.csv"));
    BOOST_TEST_REQUIRE(records.size() == 2u);
    // student, softmax, total, max, status, reason: 10 points in all, not 10 per part.
    BOOST_TEST(records[1][1] == "10");
    BOOST_TEST(records[1][2] == "10");
    BOOST_TEST(records[1][3] == "10");
    BOOST_TEST(contains(read_existing_file(root / "out" / "students" / "perfect" / "report.txt"), "seed 5"));

    write_file(root / "course.json", R"({"seed": 5, "points": {"softmaks": 10}})");
    const Run bad = course({"grade", (root / "submissions").string(), "--out", (root / "out").string(), "--course",
                            (root / "course.json").string()});
    BOOST_TEST(bad.status == 2);
    BOOST_TEST(contains(bad.err, "course file error"), bad.err);
}

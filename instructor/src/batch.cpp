#include "batch.hpp"

#include "answers.hpp"

#include "builder.hpp"
#include "course_file.hpp"
#include "fingerprint.hpp"
#include "grade.hpp"
#include "reports.hpp"

#include "wipe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <csignal>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>

namespace celab::course {

namespace fs = std::filesystem;
using grader::Case;
using grader::CheckResult;
using grader::Exercise;
using grader::Report;
using grader::Status;
using grader::Visibility;

std::string duration_text(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    if (s < 60) return std::to_string(s) + " s";
    const long m = s / 60, r = s % 60;
    return std::to_string(m) + ":" + (r < 10 ? "0" : "") + std::to_string(r);
}

namespace {

double seconds_of(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

// CPU seconds (user + system) of the finished children of this process, and of this thread.
double children_cpu() {
    rusage u{};
    ::getrusage(RUSAGE_CHILDREN, &u);
    return seconds_of(u.ru_utime) + seconds_of(u.ru_stime);
}
double thread_cpu() {
    rusage u{};
    ::getrusage(RUSAGE_THREAD, &u);
    return seconds_of(u.ru_utime) + seconds_of(u.ru_stime);
}
double process_cpu() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return seconds_of(u.ru_utime) + seconds_of(u.ru_stime) + children_cpu();
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    if (from.empty()) return;
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

std::string first_line(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (line.find_first_not_of(" \t\r") != std::string::npos) break;
    if (line.size() > 200) line = line.substr(0, 197) + "...";
    return line;
}

// What every student shares: the cases split into the visible ones and the hidden ones (the
// latter graded as visible, in their own grade() call, so that the diagnosis of a hidden row
// reaches the instructor's summary; the student's report is scrubbed as grade() scrubs it).
struct Context {
    const BatchSettings& settings;
    const std::vector<Case>& all;   // the caller's: held while students are graded (wiped in their children)
    std::vector<Case> visible, hidden;
    std::map<std::pair<Exercise, std::string>, std::size_t> case_order;
    std::map<Exercise, std::size_t> exercise_order;
    std::string key;
    grader::builder::Config build;
    fs::path stage_root;
};

void write_file(const fs::path& file, const std::string& text) { grader::reports::write_atomically(file, text); }

std::string record_text(const StudentResult& s) {
    return to_json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// The previous run's record of this student, when its fingerprint is `fingerprint` and its reports
// are all there.
bool reuse(const fs::path& dir, const std::string& fingerprint, StudentResult& s) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / "record.json", ec) || !fs::is_regular_file(dir / "report.txt", ec)) return false;
    try {
        StudentResult old = student_from_json(nlohmann::json::parse(read_whole_file(dir / "record.json")));
        if (old.fingerprint != fingerprint || old.name != s.name) return false;
        if (old.graded && !fs::is_regular_file(dir / "report.json", ec)) return false;
        old.reused = true;
        s = std::move(old);
        return true;
    } catch (const std::exception&) {
        return false;  // unreadable or from another version: grade again
    }
}

void grade_student(const Context& ctx, const Entry& entry, StudentResult& s) {
    s.name = entry.name;
    const fs::path dir = ctx.settings.out / "students" / entry.name;
    fs::create_directories(dir);
    Hash fingerprint;
    fingerprint.field(ctx.key);
    if (entry.kind == Entry::Kind::refused) {
        s.fingerprint = fingerprint.field("refused").field(entry.reason).hex();
        s.status = StudentStatus::refused;
        s.reason = grader::reports::detail::printable(entry.reason);
        s.graded = false;
        write_file(dir / "report.txt", grader::reports::detail::printable(entry.name) + ": not graded: " + s.reason + "\n");
        write_file(dir / "record.json", record_text(s));
        return;
    }
    const std::vector<StudentFile> files = read_student_files(entry.path);
    for (const StudentFile& f : files)
        fingerprint.field(f.file).field(f.state == StudentFile::State::present ? "present:" + f.contents : "absent:" + f.reason);
    s.fingerprint = fingerprint.hex();
    if (!ctx.settings.force && reuse(dir, s.fingerprint, s)) return;

    const std::string label = fs::absolute(entry.path).lexically_normal().string();
    const fs::path staged = stage(files, ctx.stage_root);
    const double children_before = children_cpu(), thread_before = thread_cpu();
    const grader::builder::Result built = grader::builder::build(staged, ctx.build);
    const double children_built = children_cpu(), thread_built = thread_cpu();
    s.compile_cpu = children_built - children_before + thread_built - thread_before;

    // The build's part of the report, as ./grade --submission makes it, with the staged folder's
    // path replaced by the student's own.
    Report build_report;
    std::vector<std::string> problems;
    bool refused = false, missing = false, compile_error = false;
    for (const StudentFile& f : files) {
        if (f.state == StudentFile::State::refused) refused = true, problems.push_back(f.reason);
        if (f.state == StudentFile::State::missing) missing = true, problems.push_back(f.reason);
    }
    for (std::size_t i = 0; i < built.files.size(); ++i) {
        const grader::builder::FileBuild& b = built.files[i];
        std::string text = b.ok ? b.warnings : (b.summary.empty() ? b.diagnostics : b.summary);
        if (!b.ok && i < files.size() && files[i].state != StudentFile::State::present) text = files[i].reason;
        replace_all(text, staged.string(), label);
        if (!b.ok && i < files.size() && files[i].state == StudentFile::State::present) {
            compile_error = true;
            std::string first = first_line(text);
            replace_all(first, label + "/", "");
            problems.push_back(b.file + ".cpp does not compile: " + first);
        }
        for (Exercise e : grader::all_exercises()) {
            if (b.file != grader::source_file(e)) continue;
            if (!b.ok) build_report.build_errors.emplace_back(e, text);
            else if (!text.empty()) build_report.build_warnings.emplace_back(e, text);
        }
    }
    fs::path library = built.library;
    if (library.empty()) {
        compile_error = true;
        std::string link = built.link_diagnostics;
        replace_all(link, staged.string(), label);
        problems.push_back("the files do not link: " + first_line(link));
        for (Exercise e : grader::all_exercises()) build_report.build_errors.emplace_back(e, "linking failed:\n" + link);
        library = ctx.build.cache_dir / "link-failed.so";  // does not exist: every check reports the error
    }

    grader::GradeSettings gs;
    gs.limits.timeout_seconds = ctx.settings.timeout;
    gs.limits.wall_seconds = ctx.settings.wall_timeout;
    gs.limits.memory_bytes = ctx.settings.memory_mb * std::size_t(1) << 20;
    gs.seed = ctx.settings.seed;
    gs.submission_label = label;
    gs.jobs = 1;  // the batch runs students concurrently
    gs.held_cases = {&ctx.all, &ctx.hidden};  // a visible child holds no hidden input
    Report report = grader::grade(ctx.visible, library, gs);
    std::vector<std::pair<CheckResult, std::string>> rows;  // each row and its (unscrubbed) mistake
    for (CheckResult& r : report.checks) {
        std::string mistake = r.mistake;  // before the row is moved from
        rows.emplace_back(std::move(r), std::move(mistake));
    }
    report.checks.clear();
    if (!ctx.hidden.empty()) {
        gs.held_cases = {&ctx.all, &ctx.visible};
        Report hidden = grader::grade(ctx.hidden, library, gs);
        for (CheckResult& r : hidden.checks) {
            std::string mistake = r.mistake;
            r.visibility = Visibility::hidden;
            if (r.status != Status::pass) {  // as grade() scrubs a hidden row
                r.hint.clear();
                r.diagnosis.clear();
                r.mistake.clear();
                r.plot.reset();
                r.message = "hidden case: " + std::string(grader::name(r.status)) +
                            " (inputs and expected values are not shown)";
            }
            rows.emplace_back(std::move(r), std::move(mistake));
        }
        for (const auto& [e, text] : hidden.student_output) {
            if (text.empty()) continue;
            const std::string note = "[... what the code printed while running hidden cases is not shown ...]\n";
            auto it = std::find_if(report.student_output.begin(), report.student_output.end(),
                                   [&](const auto& p) { return p.first == e; });
            if (it != report.student_output.end()) it->second += note;
            else report.student_output.emplace_back(e, note);
        }
        std::stable_sort(report.student_output.begin(), report.student_output.end(), [&](const auto& a, const auto& b) {
            return ctx.exercise_order.at(a.first) < ctx.exercise_order.at(b.first);
        });
        // Back in grade()'s order: exercise, then case order of the case files.
        std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
            const auto ka = std::make_pair(ctx.exercise_order.at(a.first.exercise),
                                           ctx.case_order.at({a.first.exercise, a.first.case_name}));
            const auto kb = std::make_pair(ctx.exercise_order.at(b.first.exercise),
                                           ctx.case_order.at({b.first.exercise, b.first.case_name}));
            return ka < kb;
        });
    }
    // The course's points, over the whole report (visible and hidden rows together, as grade() does).
    {
        Report scaled;
        for (auto& [r, mistake] : rows) scaled.checks.push_back(std::move(r));
        grader::course::apply_points(scaled, ctx.settings.points, ctx.settings.scoring);
        for (std::size_t i = 0; i < rows.size(); ++i) rows[i].first = std::move(scaled.checks[i]);
    }
    s.grade_cpu = children_cpu() - children_built + thread_cpu() - thread_built;
    report.build_errors = build_report.build_errors;
    report.build_warnings = build_report.build_warnings;

    std::map<std::size_t, std::string> timed_out, crashed;  // the exercises concerned, by report order
    for (auto& [r, mistake] : rows) {
        s.rows.push_back(Row{grader::name(r.exercise), r.check, r.case_name, r.visibility == Visibility::hidden,
                             grader::name(r.status), mistake});
        if (r.status == Status::timeout) timed_out[ctx.exercise_order.at(r.exercise)] = grader::name(r.exercise);
        if (r.status == Status::crash) crashed[ctx.exercise_order.at(r.exercise)] = grader::name(r.exercise);
        report.checks.push_back(std::move(r));
    }
    for (Exercise e : grader::all_exercises()) {
        double points = 0.0;
        bool any = false;
        for (const CheckResult& r : report.checks)
            if (r.exercise == e) points += r.points, any = true;
        if (any) s.points.emplace_back(grader::name(e), points);
    }
    s.total = report.score();
    s.max = report.max_score();
    s.graded = true;
    const auto list = [](const std::map<std::size_t, std::string>& m) {
        std::string text;
        for (const auto& [order, e] : m) text += (text.empty() ? "" : ", ") + e;
        return text;
    };
    if (!timed_out.empty()) problems.push_back("timed out in " + list(timed_out));
    if (!crashed.empty()) problems.push_back("crashed in " + list(crashed));
    s.status = refused         ? StudentStatus::refused
               : missing       ? StudentStatus::missing_files
               : compile_error ? StudentStatus::compile_error
               : !timed_out.empty() ? StudentStatus::timeout
               : !crashed.empty()   ? StudentStatus::crash
                                    : StudentStatus::ok;
    std::string reason;
    for (const std::string& p : problems) reason += (reason.empty() ? "" : "; ") + p;
    s.reason = grader::reports::detail::printable(reason);

    grader::reports::TextOptions text;
    write_file(dir / "report.json", grader::reports::render(report, "json", text));
    write_file(dir / "report.txt", grader::reports::render(report, "text", text));
    write_file(dir / "record.json", record_text(s));  // last: its presence means the reports are complete
}

class Progress {
public:
    Progress(std::ostream& out, std::size_t total, bool terminal) : out_(out), total_(total), terminal_(terminal) {}

    void done(const StudentResult& s) {
        std::lock_guard<std::mutex> lock(mutex_);
        ++done_;
        if (s.status != StudentStatus::ok) ++failures_;
        if (!s.reused) ++graded_;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        std::ostringstream line;
        line << "[" << done_ << "/" << total_ << "] " << grader::reports::detail::printable(s.name) << ": "
             << name(s.status);
        if (s.graded) line << " " << grader::reports::detail::format_points(s.total) << "/" << grader::reports::detail::format_points(s.max);
        if (s.reused) line << " (unchanged, not graded again)";
        line << "; " << failures_ << (failures_ == 1 ? " failure" : " failures") << " so far";
        if (done_ < total_) {
            // The students left, at the pace so far (reused ones cost nothing, so they do not count).
            const double per_student = graded_ > 0 ? elapsed / static_cast<double>(graded_) : 0.0;
            line << "; about " << duration_text(per_student * static_cast<double>(total_ - done_)) << " left";
        } else {
            line << "; done in " << duration_text(elapsed);
        }
        if (terminal_) {
            out_ << "\r\033[K" << grader::reports::detail::fit_line(line.str(), 150) << (done_ == total_ ? "\n" : "") << std::flush;
        } else {
            out_ << line.str() << "\n" << std::flush;
        }
    }

private:
    std::ostream& out_;
    std::mutex mutex_;
    std::size_t total_, done_ = 0, failures_ = 0, graded_ = 0;
    bool terminal_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// The class's right answers, computed once, before any student's process starts (each inherits them
// through fork): the reference solutions graded on the class's cases while run_batch's Memo lives.
// Without them (the reference does not build: said on `progress`), each student's process computes
// what it needs, more slowly.
void remember_the_answers(const Context& ctx, std::ostream& progress) {
    const auto without = [&](const std::string& why) {
        progress << "note: the class's right answers were not computed in advance (" << why
                 << "); each student's grading computes them, more slowly\n";
    };
    try {
        const grader::builder::Result built = grader::builder::build(ctx.build.source_root / "solutions", ctx.build);
        if (built.library.empty()) return without("the reference solutions in " + (ctx.build.source_root / "solutions").string() + " did not build");
        grader::GradeSettings gs;
        gs.limits.timeout_seconds = ctx.settings.timeout;
        gs.limits.wall_seconds = ctx.settings.wall_timeout;
        gs.limits.memory_bytes = ctx.settings.memory_mb * std::size_t(1) << 20;
        gs.seed = ctx.settings.seed;
        grader::grade(ctx.visible, built.library, gs);
        if (!ctx.hidden.empty()) grader::grade(ctx.hidden, built.library, gs);
    } catch (const std::exception& e) {
        without(e.what());
    }
}

// In a student's process: overwrites what it inherited of another student (this process's copy), then
// lets it go. Small blocks are zeroed before they are freed: glibc keeps them for reuse unfilled.
void forget(std::string& text) {
    grader::zero_bytes(text.data(), text.size());
    std::string().swap(text);
}
void forget(std::filesystem::path& path) {
    for (const fs::path& part : path) grader::zero_bytes(const_cast<char*>(part.native().data()), part.native().size());
    grader::zero_bytes(const_cast<char*>(path.native().data()), path.native().size());
    path = fs::path();
}
void forget(Entry& e) {
    forget(e.name);
    forget(e.path);
    forget(e.reason);
}
void forget(StudentResult& s) {
    forget(s.name);
    forget(s.fingerprint);
    forget(s.reason);
    for (auto& [exercise, points] : s.points) forget(exercise);
    for (Row& r : s.rows) {
        forget(r.exercise);
        forget(r.check);
        forget(r.case_name);
        forget(r.status);
        forget(r.mistake);
    }
    s = StudentResult{};
}

// Each student is graded in a process of its own, forked from this one, which runs no other thread.
// So a student's code never shares an address space with another student's files, results or printed
// output; only with the class's cases and right answers, which every sandbox child wipes before it
// loads the code (grade.cpp: GradeSettings::held_cases, answers::wipe_remembered). A process sends its
// StudentResult back as CBOR over a pipe (CBOR keeps a folder name's bytes as they are).
class StudentProcesses {
public:
    explicit StudentProcesses(std::vector<StudentResult>& results) : results_(results) {}
    StudentProcesses(const StudentProcesses&) = delete;
    StudentProcesses& operator=(const StudentProcesses&) = delete;
    // Only when run_batch ends by an exception: the processes still running are stopped and reaped.
    ~StudentProcesses() {
        for (Running& r : running_) {
            ::kill(r.pid, SIGTERM);
            ::close(r.fd);
            while (::waitpid(r.pid, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }

    std::size_t running() const { return running_.size() + ended_.size(); }

    // Grades student `index` (named `name`) with `grade` in a new process. `forget_others` runs there
    // first: it wipes what the process inherited of the other students. False when the system has no
    // process to spare just now while others run: start it again once one has ended.
    bool start(std::size_t index, const std::string& name, const std::function<void(StudentResult&)>& grade,
               const std::function<void()>& forget_others) {
        int fds[2];
        if (::pipe(fds) != 0) {
            if ((errno == EMFILE || errno == ENFILE) && !running_.empty()) return false;
            fail(index, name, std::string("cannot make a pipe: ") + std::strerror(errno));
            return true;
        }
        for (const int fd : fds) ::fcntl(fd, F_SETFD, FD_CLOEXEC);  // not inherited by compilers or other students
        std::fflush(nullptr);  // nothing buffered is written twice
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid < 0) {
            const int error = errno;
            ::close(fds[0]);
            ::close(fds[1]);
            if (error == EAGAIN && !running_.empty()) return false;
            fail(index, name, std::string("cannot start a process: ") + std::strerror(error));
            return true;
        }
        if (pid == 0) run_child(fds, parent, grade, forget_others);  // never returns
        ::close(fds[1]);
        running_.push_back(Running{pid, fds[0], index, name, {}});
        return true;
    }

    // Waits until at least one process has ended; returns the students whose results are now in place.
    std::vector<std::size_t> wait_for_some() {
        std::vector<std::size_t> done;
        done.swap(ended_);
        while (done.empty() && !running_.empty()) {
            std::vector<pollfd> fds;
            for (const Running& r : running_) fds.push_back(pollfd{r.fd, POLLIN, 0});
            if (::poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR) continue;
                throw std::runtime_error(std::string("waiting for the students' processes: ") + std::strerror(errno));
            }
            for (std::size_t k = fds.size(); k-- > 0;) {
                if (fds[k].revents == 0) continue;
                Running& r = running_[k];
                char buffer[65536];
                const ssize_t n = ::read(r.fd, buffer, sizeof buffer);
                if (n < 0 && errno == EINTR) continue;
                if (n > 0) {
                    r.received.append(buffer, static_cast<std::size_t>(n));
                    continue;
                }
                finish(r);
                done.push_back(r.index);
                running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(k));
            }
        }
        return done;
    }

private:
    struct Running {
        pid_t pid;
        int fd;
        std::size_t index;
        std::string name;
        std::string received;
    };

    // The student's process: forgets the others, grades, sends the result, ends. Whatever happens, it
    // ends here (_exit): never back in the parent's code.
    [[noreturn]] void run_child(const int (&fds)[2], pid_t parent, const std::function<void(StudentResult&)>& grade,
                                const std::function<void()>& forget_others) {
        try {
#if defined(__linux__)
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // ./course killed: this student's grading stops too
            if (::getppid() != parent) ::_exit(5);  // it was gone before prctl
#else
            (void)parent;
#endif
            ::close(fds[0]);
            for (Running& other : running_) {
                ::close(other.fd);
                forget(other.name);
                forget(other.received);
            }
            forget_others();
            for (StudentResult& other : results_) forget(other);
            grader::wipe_reusable_blocks();
            nlohmann::json message;
            try {
                StudentResult s;
                grade(s);
                message = to_json(s);
                message["this_run"] = {{"reused", s.reused}, {"compile_cpu", s.compile_cpu}, {"grade_cpu", s.grade_cpu}};
            } catch (const std::exception& e) {
                message = {{"grader_error", e.what()}};
            }
            const std::vector<std::uint8_t> bytes = nlohmann::json::to_cbor(message);
            std::size_t sent = 0;
            while (sent < bytes.size()) {
                const ssize_t n = ::write(fds[1], bytes.data() + sent, bytes.size() - sent);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) ::_exit(3);
                sent += static_cast<std::size_t>(n);
            }
        } catch (...) {
            ::_exit(4);  // the parent reports this student as a grader error
        }
        ::_exit(0);
    }

    // The result of a student whose grading went wrong (said in the reason).
    void record_failure(std::size_t index, const std::string& name, const std::string& why) {
        StudentResult failed;
        failed.name = name;
        failed.status = StudentStatus::grader_error;
        failed.reason = grader::reports::detail::printable("the grader failed: " + why);
        results_[index] = std::move(failed);
    }
    // The same for a student whose process did not start: reported by the next wait_for_some().
    void fail(std::size_t index, const std::string& name, const std::string& why) {
        record_failure(index, name, why);
        ended_.push_back(index);
    }

    // The process has closed its pipe: its result, or why there is none.
    void finish(Running& r) {
        ::close(r.fd);
        int status = 0;
        while (::waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
        }
        try {
            const nlohmann::json message = nlohmann::json::from_cbor(r.received);
            if (message.contains("grader_error"))
                return record_failure(r.index, r.name, message.at("grader_error").get<std::string>());
            StudentResult s = student_from_json(message);
            const nlohmann::json& run = message.at("this_run");
            s.reused = run.at("reused").get<bool>();
            s.compile_cpu = run.at("compile_cpu").get<double>();
            s.grade_cpu = run.at("grade_cpu").get<double>();
            results_[r.index] = std::move(s);
        } catch (const std::exception&) {
            const std::string how = WIFSIGNALED(status) ? "was killed by signal " + std::to_string(WTERMSIG(status))
                                                        : "exited with status " + std::to_string(WEXITSTATUS(status));
            record_failure(r.index, r.name, "the process grading this student " + how + " without a result");
        }
    }

    std::vector<StudentResult>& results_;
    std::vector<Running> running_;
    std::vector<std::size_t> ended_;  // failed to start: their results are in place already
};

}  // namespace

BatchResult run_batch(const BatchSettings& settings, const std::vector<Case>& cases, std::ostream& progress) {
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu();
    std::error_code ec;
    fs::create_directories(settings.out / "students", ec);
    if (ec) {
        throw std::runtime_error("cannot create the output folder '" + (settings.out / "students").string() + "': " +
                                 ec.message() + "; choose another --out DIR or fix its permissions");
    }
    std::vector<Entry> entries = scan(settings.submissions, settings.out);  // not const: a student's process forgets the others

    Context ctx{settings, cases, {}, {}, {}, {}, {}, grader::builder::default_config(), {}};
    ctx.stage_root = ctx.build.cache_dir / "course";
    ctx.build.single_unit = true;  // each student is compiled once: one translation unit (builder.hpp)
    // Every student is judged on the same cases: their right answers are computed once (answers.hpp).
    const grader::answers::Memo answers_memo;
    for (std::size_t i = 0; i < grader::all_exercises().size(); ++i) ctx.exercise_order[grader::all_exercises()[i]] = i;
    for (std::size_t k = 0; k < cases.size(); ++k) {
        ctx.case_order[{cases[k].exercise, cases[k].name}] = k;
        if (cases[k].visibility == Visibility::hidden) {
            ctx.hidden.push_back(cases[k]);
            ctx.hidden.back().visibility = Visibility::visible;
        } else {
            ctx.visible.push_back(cases[k]);
        }
    }
    std::ostringstream settings_text;
    settings_text << "seed " << settings.seed << " timeout " << settings.timeout << " wall " << settings.wall_timeout << " memory " << settings.memory_mb
                  << " cases " << cases.size() << " points";
    for (const auto& [e, p] : settings.points) settings_text << " " << grader::name(e) << "=" << p;
    settings_text << " scoring " << static_cast<int>(settings.scoring);
    for (const Case& c : cases) settings_text << " " << grader::name(c.exercise) << "/" << c.name;
    ctx.key = batch_key(settings.case_dirs, settings_text.str());

    BatchResult result;
    std::vector<const Entry*> work;
    for (const Entry& e : entries) {
        if (e.kind == Entry::Kind::ignored) result.ignored.push_back(e);
        else work.push_back(&e);
    }
    for (const Entry& e : result.ignored)
        progress << "ignored: " << grader::reports::detail::printable(e.name) << " (" << e.reason << ")\n";
    result.students.resize(work.size());

    if (!work.empty()) remember_the_answers(ctx, progress);
    Progress bar(progress, work.size(), settings.terminal);
    StudentProcesses processes(result.students);
    std::size_t next = 0;
    const std::size_t jobs = std::max<std::size_t>(1, settings.jobs);
    while (next < work.size() || processes.running()) {
        while (processes.running() < jobs && next < work.size()) {
            const std::size_t i = next;
            const bool started = processes.start(
                i, work[i]->name, [&](StudentResult& s) { grade_student(ctx, *work[i], s); },
                [&] {  // in the student's process: the other students' names and folders
                    for (Entry& other : entries)
                        if (&other != work[i]) forget(other);
                    for (Entry& other : result.ignored) forget(other);
                });
            if (!started) break;  // no process to spare: once one has ended
            ++next;
        }
        for (const std::size_t i : processes.wait_for_some()) bar.done(result.students[i]);
    }

    for (const Case& c : cases) {
        const std::string e = grader::name(c.exercise);
        if (std::find(result.columns.begin(), result.columns.end(), e) == result.columns.end()) result.columns.push_back(e);
    }
    std::sort(result.columns.begin(), result.columns.end(), [](const std::string& a, const std::string& b) {
        return grader::exercise_named(a) != grader::exercise_named(b) &&
               std::find(grader::all_exercises().begin(), grader::all_exercises().end(), grader::exercise_named(a)) <
                   std::find(grader::all_exercises().begin(), grader::all_exercises().end(), grader::exercise_named(b));
    });
    for (const StudentResult& s : result.students)
        if (s.graded) result.max = std::max(result.max, s.max);
    result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.cpu_seconds = process_cpu() - cpu_start;
    return result;
}

}  // namespace celab::course

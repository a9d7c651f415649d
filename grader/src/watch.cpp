#include "watch.hpp"

#include "answers.hpp"
#include "cli.hpp"
#include "reports.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

namespace celab::grader::watch {

namespace fs = std::filesystem;

namespace {

// ---- signals: set a flag and wake the loop (self-pipe) -----------------------------------------
// Atomic (lock-free, so the handler may set it): grading threads read it too (GradeSettings::interrupted).
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);
int wake_write = -1;

extern "C" void on_stop_signal(int) {
    stop_requested = true;
    if (wake_write >= 0) {
        const char byte = 0;
        const ssize_t ignored = ::write(wake_write, &byte, 1);
        (void)ignored;
    }
}

// Installs the handlers for the lifetime of the object and restores the previous ones.
class StopSignals {
public:
    StopSignals() {
        if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) pipe_[0] = pipe_[1] = -1;
        wake_write = pipe_[1];
        stop_requested = false;
        struct sigaction action {};
        action.sa_handler = on_stop_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;  // the builder and the sandbox keep waiting for their children
        ::sigaction(SIGINT, &action, &old_int_);
        ::sigaction(SIGTERM, &action, &old_term_);
        ::sigaction(SIGHUP, &action, &old_hup_);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    ~StopSignals() {
        ::sigaction(SIGINT, &old_int_, nullptr);
        ::sigaction(SIGTERM, &old_term_, nullptr);
        ::sigaction(SIGHUP, &old_hup_, nullptr);
        wake_write = -1;
        for (int fd : pipe_)
            if (fd >= 0) ::close(fd);
    }
    int fd() const { return pipe_[0]; }
    void drain() const {
        char buffer[64];
        while (pipe_[0] >= 0 && ::read(pipe_[0], buffer, sizeof buffer) > 0) {
        }
    }

private:
    int pipe_[2] = {-1, -1};
    struct sigaction old_int_ {}, old_term_ {}, old_hup_ {};
};

// ---- the terminal: keys without Enter, no echo; Ctrl-C still sends SIGINT ----------------------
class RawTerminal {
public:
    explicit RawTerminal(int fd) : fd_(fd) {
        if (::isatty(fd) != 1 || ::tcgetattr(fd, &saved_) != 0) return;
        termios raw = saved_;
        raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;
    ~RawTerminal() {
        if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
    }

private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

// ---- noticing saves ---------------------------------------------------------------------------
struct FileState {
    bool exists = false;
    long long size = 0, mtime_ns = 0;
    unsigned long long inode = 0;
    bool operator==(const FileState& o) const {
        return exists == o.exists && size == o.size && mtime_ns == o.mtime_ns && inode == o.inode;
    }
    bool operator!=(const FileState& o) const { return !(*this == o); }
};

std::map<std::string, FileState> snapshot(const fs::path& folder) {
    std::map<std::string, FileState> states;
    for (const char* file : builder::exercise_files) {
        const std::string name = std::string(file) + ".cpp";
        struct stat st {};
        FileState s;
        if (::stat((folder / name).c_str(), &st) == 0) {
            s.exists = true;
            s.size = static_cast<long long>(st.st_size);
            s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
            s.inode = static_cast<unsigned long long>(st.st_ino);
        }
        states[name] = s;
    }
    return states;
}

// File systems on which inotify sees no changes made by other machines or by Windows.
bool remote_file_system(const fs::path& folder, std::string& kind) {
    struct statfs info {};
    if (::statfs(folder.c_str(), &info) != 0) return false;
    const auto type = static_cast<unsigned long>(info.f_type);
    const std::pair<unsigned long, const char*> remote[] = {
        {0x6969UL, "NFS"},           {0x517BUL, "SMB"},    {0xFF534D42UL, "CIFS"}, {0xFE534D42UL, "SMB2"},
        {0x01021997UL, "9P (WSL 2's Windows drives)"}, {0x65735546UL, "FUSE"}, {0x0BD00BD0UL, "Lustre"},
    };
    for (const auto& [magic, name] : remote)
        if (type == magic) {
            kind = name;
            return true;
        }
    // WSL 1 mounts Windows drives (drvfs) under /mnt/<letter>.
    std::ifstream version("/proc/version");
    std::string text((std::istreambuf_iterator<char>(version)), std::istreambuf_iterator<char>());
    std::error_code ec;
    const std::string path = fs::weakly_canonical(folder, ec).string();
    if (text.find("icrosoft") != std::string::npos && path.rfind("/mnt/", 0) == 0) {
        kind = "a Windows drive under WSL";
        return true;
    }
    return false;
}

std::string clock_time() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    char buffer[16];
    std::strftime(buffer, sizeof buffer, "%H:%M:%S", &local);
    return buffer;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// ---- one round: build what changed, grade, one exercise at a time --------------------------------
struct Round {
    Report report;
    std::string built;  // "compiled softmax.cpp; cached loss.cpp gradient.cpp"
    double seconds = 0.0;
    bool interrupted = false;
};

Round grade_round(const Settings& s) {
    const auto start = std::chrono::steady_clock::now();
    Round round;
    std::set<Exercise> chosen;
    for (const Case& c : s.cases) chosen.insert(c.exercise);
    builder::Result built;
    try {
        built = builder::build(s.folder, s.build);
    } catch (const std::exception& e) {
        for (Exercise e2 : chosen) round.report.build_errors.emplace_back(e2, std::string("cannot build: ") + e.what());
    }
    std::string compiled, cached, failed;
    for (const builder::FileBuild& f : built.files) {
        std::string& list = !f.ok ? failed : f.cached ? cached : compiled;
        list += " " + f.file + ".cpp";
        if (f.ok) continue;
        for (Exercise e : all_exercises())
            if (f.file == source_file(e) && chosen.count(e)) round.report.build_errors.emplace_back(e, f.diagnostics);
    }
    if (!compiled.empty()) round.built += "compiled" + compiled;
    if (!cached.empty()) round.built += std::string(round.built.empty() ? "" : "; ") + "unchanged" + cached;
    if (!failed.empty()) round.built += std::string(round.built.empty() ? "" : "; ") + "does not compile:" + failed;
    fs::path library = built.library;
    if (library.empty()) {
        for (Exercise e : chosen) round.report.build_errors.emplace_back(e, "linking failed:\n" + built.link_diagnostics);
        library = s.build.cache_dir / "link-failed.so";  // does not exist: every check reports the error
    }
    // Every exercise at once (both cores), the same Case objects every round, so that the Memo of run()
    // remembers the reference's answers. Ctrl-C is answered once the exercises already started finish.
    GradeSettings settings = s.grade;
    settings.interrupted = [] { return stop_requested.load(); };
    Report graded = grade(s.cases, library, settings);
    round.interrupted = stop_requested;
    graded.build_errors = std::move(round.report.build_errors);
    round.report = std::move(graded);
    round.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return round;
}

bool complete(const Report& report, Exercise e) {
    bool any = false;
    for (const CheckResult& r : report.checks) {
        if (r.exercise != e) continue;
        any = true;
        if (r.status != Status::pass) return false;
    }
    return any;
}

// The report of one exercise only (its rows, compiler and printed output).
Report only(const Report& report, Exercise e) {
    Report part;
    part.seed = report.seed;
    for (const CheckResult& r : report.checks)
        if (r.exercise == e) part.checks.push_back(r);
    for (const auto& o : report.student_output)
        if (o.first == e) part.student_output.push_back(o);
    for (const auto& b : report.build_errors)
        if (b.first == e) part.build_errors.push_back(b);
    part.submission = report.submission;
    return part;
}

// The text report without its heading and its closing summary (the watch screen has its own).
std::string exercise_text(const Report& part, bool colour) {
    reports::TextOptions options;
    options.colour = colour;
    std::ostringstream text;
    reports::write_text(text, part, options);
    std::vector<std::string> lines = lines_of(text.str());
    if (!lines.empty() && lines.front().find("celab results for") != std::string::npos) lines.erase(lines.begin());
    const auto summary = std::find_if(lines.begin(), lines.end(),
                                      [](const std::string& l) { return l.find("Exercises complete: ") != std::string::npos; });
    if (summary != lines.end()) lines.erase(summary, lines.end());
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
}

enum class View { summary, hint, all };

class Screen {
public:
    Screen(const Settings& s, std::ostream& out) : s_(s), out_(out) {}

    void draw(const Round& round, View view, const std::string& watching, const std::string& notice) {
        std::size_t total = 0, done = 0;
        std::optional<Exercise> first_open;
        for (Exercise e : all_exercises()) {
            if (std::none_of(s_.cases.begin(), s_.cases.end(), [e](const Case& c) { return c.exercise == e; })) continue;
            ++total;
            if (complete(round.report, e)) ++done;
            else if (!first_open) first_open = e;
        }
        std::ostringstream screen;
        screen << "\x1b[H\x1b[2J";  // home, clear
        screen << paint("celab --watch", "\x1b[1m") << "  " << reports::detail::printable(s_.folder.string()) << "  ("
               << watching << ")\n";
        constexpr int width = 30;
        const int filled = total == 0 ? 0 : static_cast<int>(std::lround(width * static_cast<double>(done) / total));
        screen << "[" << paint(std::string(static_cast<std::size_t>(filled), '#'), "\x1b[32m")
               << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << done << "/" << total
               << " exercises complete   " << reports::detail::format_points(round.report.score()) << "/"
               << reports::detail::format_points(round.report.max_score()) << " points\n";
        screen << "graded at " << clock_time() << " in " << std::fixed;
        screen.precision(2);
        screen << round.seconds << " s" << (round.built.empty() ? "" : "; " + round.built)
               << (round.interrupted ? " (interrupted)" : "") << "\n\n";

        std::string body;
        if (view == View::all) {
            reports::TextOptions options;
            options.colour = s_.colour;
            std::ostringstream text;
            reports::write_text(text, round.report, options);
            body = text.str();
        } else if (view == View::hint) {
            body = first_open ? cli::hint_text(s_.root, *first_open) : "Every exercise is complete: no hint needed.\n";
        } else if (first_open) {
            body = exercise_text(only(round.report, *first_open), s_.colour);
        } else {
            body = paint("All " + std::to_string(total) + " exercises complete. Well done!", "\x1b[32m") + "\n";
        }
        // The summary fits the terminal; the other views may scroll.
        std::vector<std::string> lines = lines_of(body);
        const std::size_t room = terminal_rows() > 8 ? terminal_rows() - 8 : 20;
        if (view == View::summary && lines.size() > room) {
            const std::size_t cut = lines.size() - room + 1;
            lines.resize(room - 1);
            lines.push_back("  … " + std::to_string(cut) + " more lines: press a for all results");
        }
        for (const std::string& l : lines) screen << l << "\n";
        if (!notice.empty()) screen << "\n" << notice << "\n";
        screen << "\n";
        if (view == View::summary)
            screen << paint("h", "\x1b[1m") << " hint" << (first_open ? std::string(" for ") + name(*first_open) : "")
                   << "   " << paint("a", "\x1b[1m") << " all results   " << paint("q", "\x1b[1m") << " quit"
                   << "   (saving an exercise file grades again)\n";
        else
            screen << "any key: back   " << paint("q", "\x1b[1m") << " quit\n";
        out_ << screen.str() << std::flush;
    }

private:
    std::string paint(const std::string& text, const char* code) const { return s_.colour ? code + text + "\x1b[0m" : text; }
    static std::size_t terminal_rows() {
        winsize size{};
        if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0) return size.ws_row;
        return 40;
    }

    const Settings& s_;
    std::ostream& out_;
};

}  // namespace

bool inotify_works(const fs::path& folder, std::string& why) {
    std::string kind;
    if (remote_file_system(folder, kind)) {
        why = "the folder is on " + kind + ", where inotify misses changes";
        return false;
    }
    const int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd < 0) {
        why = std::string("inotify is unavailable: ") + std::strerror(errno);
        return false;
    }
    ::close(fd);
    return true;
}

int run(const Settings& s, std::ostream& out, std::ostream& err, int input_fd) {
    if (!fs::is_directory(s.folder)) {
        err << "grade: --watch: folder '" << s.folder.string() << "' does not exist\n";
        return 2;
    }
    StopSignals signals;
    std::string why;
    bool polling = s.poll || !inotify_works(s.folder, why);
    int notify = -1;
    if (!polling) {
        notify = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        // Editors save in place (close_write) or write a new file and rename it (moved_to).
        if (notify < 0 || ::inotify_add_watch(notify, s.folder.c_str(),
                                              IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY) < 0) {
            why = std::string("inotify failed: ") + std::strerror(errno);
            if (notify >= 0) ::close(notify);
            notify = -1;
            polling = true;
        }
    }
    char interval[32];
    std::snprintf(interval, sizeof interval, "%g", s.poll_seconds);
    const std::string watching = polling ? std::string("polling every ") + interval + " s" +
                                               (s.poll ? " (--poll)" : "; " + why)
                                         : "inotify";
    RawTerminal terminal(input_fd);
    Screen screen(s, out);
    bool keys = input_fd >= 0;

    auto states = snapshot(s.folder);
    std::string notice;
    auto write_file = [&](const Round& round) {
        if (s.output.empty()) return;
        try {
            reports::write_atomically(s.output, reports::render(round.report, s.format, {}));
            notice = "report written to " + s.output.string() + " at " + clock_time();
        } catch (const std::exception& e) {
            notice = std::string("could not write the report: ") + e.what();
        }
    };
    // The reference's answers on the cases are the same every round: computed once (answers.hpp).
    const answers::Memo remembered_answers;
    Round round = grade_round(s);
    write_file(round);
    View view = View::summary;
    if (!stop_requested) screen.draw(round, view, watching, notice);

    while (!stop_requested) {
        pollfd fds[3];
        nfds_t count = 0;
        fds[count++] = pollfd{signals.fd(), POLLIN, 0};
        const nfds_t key_slot = count;
        if (keys) fds[count++] = pollfd{input_fd, POLLIN, 0};
        const nfds_t notify_slot = count;
        if (notify >= 0) fds[count++] = pollfd{notify, POLLIN, 0};
        const int timeout_ms = polling ? static_cast<int>(s.poll_seconds * 1000) : 2000;
        const int ready = ::poll(fds, count, std::max(timeout_ms, 50));
        if (stop_requested) break;
        if (ready < 0 && errno != EINTR) {
            err << "grade: --watch: poll failed: " << std::strerror(errno) << "\n";
            break;
        }
        if (keys && ready > 0 && (fds[key_slot].revents & (POLLIN | POLLHUP | POLLERR))) {
            char buffer[32];
            const ssize_t n = ::read(input_fd, buffer, sizeof buffer);
            if (n <= 0) {
                keys = false;  // end of input: keep watching, without keys
            } else {
                bool quit = false;
                for (ssize_t i = 0; i < n; ++i) {
                    const char key = buffer[i];
                    if (key == 'q' || key == 'Q') quit = true;
                    else if (view == View::summary && (key == 'h' || key == 'H')) view = View::hint;
                    else if (view == View::summary && (key == 'a' || key == 'A')) view = View::all;
                    else view = View::summary;
                }
                if (quit) break;
                screen.draw(round, view, watching, notice);
            }
        }
        // Whatever woke us, the files' state decides (inotify only wakes us sooner).
        if (notify >= 0 && ready > 0 && (fds[notify_slot].revents & POLLIN)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(60));  // let the editor finish saving
            alignas(inotify_event) char events[4096];
            while (::read(notify, events, sizeof events) > 0) {
            }
        }
        const auto now = snapshot(s.folder);
        if (now == states) continue;
        states = now;
        out << "\nsaved: grading again …\n" << std::flush;
        round = grade_round(s);
        write_file(round);
        view = View::summary;
        if (!stop_requested) screen.draw(round, view, watching, notice);
    }
    signals.drain();
    if (notify >= 0) ::close(notify);
    out << "\ncelab --watch: stopped.\n" << std::flush;
    return 0;
}

}  // namespace celab::grader::watch

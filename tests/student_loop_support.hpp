// Shared by the student-loop tests (test_watch.cpp, test_html_report.cpp): running a program with a
// time limit, finding or installing a program, scratch folders and submissions made of the reference
// solutions with one file replaced.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace student_loop {

namespace fs = std::filesystem;

struct Ran {
    int status = -1;  // exit status, or -1 when killed or not started
    bool timed_out = false;
    std::string out, err;
};

inline std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline void write_file(const fs::path& file, const std::string& text) {
    // Written to a temporary file and renamed, as many editors save: the watcher must see it either way.
    const fs::path temp = file.string() + ".saving";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
    }
    fs::rename(temp, file);
}

// Runs argv (no shell) with stdout and stderr captured, killing it after `seconds`.
inline Ran run(const std::vector<std::string>& argv, double seconds, const fs::path& scratch) {
    Ran r;
    fs::create_directories(scratch);
    const fs::path out = scratch / "stdout", err = scratch / "stderr";
    const pid_t pid = ::fork();
    if (pid < 0) return r;
    if (pid == 0) {
        ::setpgid(0, 0);
        const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int n = ::open("/dev/null", O_RDONLY);
        ::dup2(n, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            r.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!r.timed_out && WIFEXITED(status)) r.status = WEXITSTATUS(status);
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

// The full path of `program` on PATH, or "".
inline std::string which(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const fs::path candidate = fs::path(dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return "";
}

inline fs::path scratch(const std::string& test, const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("celab-" + test + "-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// Removes every scratch folder of `test` made by this process.
inline void remove_scratch(const std::string& test) {
    std::error_code ignored;
    fs::remove_all(fs::temp_directory_path() / ("celab-" + test + "-" + std::to_string(::getpid())), ignored);
}

// A submission folder: the reference solutions.
inline fs::path reference_submission(const fs::path& source_dir, const fs::path& dir) {
    fs::create_directories(dir);
    for (const char* file : {"softmax.cpp", "loss.cpp", "gradient.cpp"})
        fs::copy_file(source_dir / "solutions" / file, dir / file, fs::copy_options::overwrite_existing);
    return dir;
}

// `text` with the first occurrence of `from` replaced by `to` (which must be there).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("replaced: '" + from + "' not found");
    return text.replace(at, from.size(), to);
}

}  // namespace student_loop

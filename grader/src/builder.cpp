// The submission builder: content-hashed object cache, parallel compiler processes, fallbacks.
#include "builder.hpp"

#include "locations.hpp"

#include "build_config.hpp"
#include "compiler_output.hpp"
#include "fnv1a.hpp"
#include "timings.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace celab::grader::builder {

namespace {

namespace fs = std::filesystem;

// Compiler output kept per process (all of it goes to the log file in the cache) and in
// FileBuild::diagnostics: Eigen template errors can run to megabytes.
constexpr std::size_t max_log_bytes = 4 * 1024 * 1024;
constexpr std::size_t max_diagnostics_bytes = 64 * 1024;

using fnv1a::Hash;

bool read_file(const fs::path& path, std::string& contents) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    contents = buffer.str();
    return !in.bad();
}

// A name no other process or thread uses, next to `target`, for write-then-rename.
fs::path temp_name(const fs::path& target) {
    static std::atomic<unsigned> counter{0};
    return fs::path(target.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++));
}

// Writes `contents` to `target` atomically (temp file, then rename). Returns false on failure.
bool write_atomically(const fs::path& target, const std::string& contents) {
    const fs::path temp = temp_name(target);
    {
        std::ofstream out(temp, std::ios::binary);
        out << contents;
        if (!out) return false;
    }
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec) fs::remove(temp, ec);
    return !ec;
}

std::vector<std::string> split_list(const std::string& list) {
    std::vector<std::string> items;
    std::string item;
    std::istringstream in(list);
    while (std::getline(in, item, ';')) {
        if (!item.empty()) items.push_back(item);
    }
    return items;
}

// ---- child processes ---------------------------------------------------------------------------

// One compiler or linker run: argv in, exit status and merged stdout+stderr out.
struct Process {
    std::vector<std::string> argv;
    pid_t pid = -1;
    int fd = -1;
    std::string output;
    std::size_t dropped = 0;
    int status = -1;
    std::string spawn_error;

    bool succeeded() const { return spawn_error.empty() && WIFEXITED(status) && WEXITSTATUS(status) == 0; }
    // Everything kept, for the log file.
    std::string diagnostics(std::size_t limit = max_log_bytes) const {
        std::string text = spawn_error.empty() ? output : spawn_error;
        std::size_t dropped = this->dropped;
        if (text.size() > limit) {
            dropped += text.size() - limit;
            text.resize(limit);
        }
        if (dropped > 0) text += "\n[... " + std::to_string(dropped) + " more bytes of compiler output dropped]\n";
        if (spawn_error.empty() && !succeeded() && text.empty()) {
            text = argv.front() + (WIFSIGNALED(status) ? " was killed by signal " + std::to_string(WTERMSIG(status))
                                                       : " failed with exit code " +
                                                             std::to_string(WEXITSTATUS(status)));
        }
        return text;
    }
};

// Limits of one compiler or linker run: a submission can hold a template or constexpr bomb, or
// #include "/dev/zero".
constexpr rlim_t compiler_memory_bytes = rlim_t(4) << 30;
constexpr rlim_t compiler_cpu_seconds = 120;
constexpr int compiler_wall_seconds = 180;

void start(Process& process) {
    int pipe_fds[2];
#if CELAB_LINUX_CONFINEMENT  // Linux-only calls (grader/sandbox.cmake); else plain POSIX, as on macOS
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
#else
    if (::pipe(pipe_fds) != 0 || ::fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        ::fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC) != 0) {
#endif
        process.spawn_error = std::string("cannot create a pipe: ") + std::strerror(errno);
        return;
    }
    std::vector<char*> argv;
    for (std::string& arg : process.argv) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        process.spawn_error = std::string("cannot start a process: ") + std::strerror(errno);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        return;
    }
    if (pid == 0) {  // the child: only async-signal-safe calls until exec
        ::setpgid(0, 0);  // its own group, so a timeout kills the compiler proper (cc1plus) too
        const int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, STDIN_FILENO);
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        ::dup2(pipe_fds[1], STDERR_FILENO);
        const rlimit memory{compiler_memory_bytes, compiler_memory_bytes};
        const rlimit cpu{compiler_cpu_seconds, compiler_cpu_seconds + 1};
        ::setrlimit(RLIMIT_AS, &memory);  // for the compiler exec'd next, never sanitized
        ::setrlimit(RLIMIT_CPU, &cpu);
        ::execvp(argv[0], argv.data());
        const char before[] = "cannot run ";
        const char after[] = " (is the compiler installed? the grader was configured with it)\n";
        [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, before, sizeof before - 1);
        ignored = ::write(STDERR_FILENO, argv[0], std::strlen(argv[0]));
        ignored = ::write(STDERR_FILENO, after, sizeof after - 1);
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    ::close(pipe_fds[1]);
    process.pid = pid;
    process.fd = pipe_fds[0];
}

// Collects the output of all started processes until each has closed its pipe, then reaps them.
void finish(const std::vector<Process*>& processes) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(compiler_wall_seconds);
    for (;;) {
        std::vector<pollfd> fds;
        std::vector<Process*> owners;
        for (Process* p : processes) {
            if (p->fd >= 0) {
                fds.push_back(pollfd{p->fd, POLLIN, 0});
                owners.push_back(p);
            }
        }
        if (fds.empty()) break;
        const auto left = deadline - std::chrono::steady_clock::now();
        const int wait_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(left).count());
        if (wait_ms <= 0) {  // too slow: stop them all and say why
            for (Process* p : owners) {
                ::kill(-p->pid, SIGKILL);
                ::close(p->fd);
                p->fd = -1;
                p->spawn_error = p->output + "\nstopped: compiling took longer than " +
                                 std::to_string(compiler_wall_seconds) + " s (a template or constexpr bomb?)";
            }
            break;
        }
        const int ready = ::poll(fds.data(), fds.size(), wait_ms);
        if (ready == 0) continue;
        if (ready < 0) {
            if (errno == EINTR) continue;
            for (Process* p : owners) {
                ::close(p->fd);
                p->fd = -1;
            }
            break;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            Process& p = *owners[i];
            char buffer[16384];
            const ssize_t n = ::read(p.fd, buffer, sizeof buffer);
            if (n > 0) {
                const std::size_t room = max_log_bytes - std::min(max_log_bytes, p.output.size());
                const std::size_t kept = std::min(room, static_cast<std::size_t>(n));
                p.output.append(buffer, kept);
                p.dropped += static_cast<std::size_t>(n) - kept;
            } else if (n == 0 || errno != EINTR) {
                ::close(p.fd);
                p.fd = -1;
            }
        }
    }
    for (Process* p : processes) {
        if (p->pid < 0) continue;
        while (::waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR) {
        }
    }
}

// ---- compile jobs ----------------------------------------------------------------------------

// One object to produce: from the cache when present, otherwise by running the compiler.
struct Compile {
    fs::path source;
    std::vector<std::string> extra_flags;  // e.g. -DCELAB_UNAVAILABLE_FILES="loss"
    fs::path object;                       // the cached object (named by the hash of its inputs)
    fs::path temp;
    bool cached = false;
    Process process;
    bool ok = false;
    std::string diagnostics;  // at most max_diagnostics_bytes
    fs::path log;             // all of it, when there was any
};

class Builder {
public:
    explicit Builder(const Config& config) : config_(config) {
        std::error_code ec;
        fs::create_directories(config_.cache_dir / "objects", ec);
        fs::create_directories(config_.cache_dir / "libraries", ec);
        if (ec) {
            throw std::runtime_error("submission builder: cannot create the cache directory " +
                                     config_.cache_dir.string() + ": " + ec.message() +
                                     " (check the permissions of the build directory)");
        }
        // What every object depends on besides its own source: compiler, flags, the API headers.
        flags_ = config_.compile_flags;
        if (config_.runtime_checks) flags_.push_back("-D_GLIBCXX_ASSERTIONS");
        Hash base;
        base.field(config_.compiler.string());
        for (const std::string& flag : flags_) base.field(flag);
        base.field(config_.runtime_checks ? "checked" : "unchecked");
        for (const fs::path& dir : {config_.source_root / "include" / "celab", config_.source_root / "grader" / "abi"}) {
            std::vector<fs::path> headers;
            for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
                if (entry.path().extension() == ".hpp" || entry.path().extension() == ".def") headers.push_back(entry.path());
            }
            std::sort(headers.begin(), headers.end());
            for (const fs::path& header : headers) {
                std::string text;
                read_file(header, text);
                base.field(header.filename().string()).field(text);
            }
        }
        base_ = base;
        if (config_.precompiled_header) pch_ = ensure_pch();
    }

    // Prepares `job` for `source` (whose contents are `text`): cached, or ready to start.
    void prepare(Compile& job, const fs::path& source, const std::string& text, const std::string& stem,
                 std::vector<std::string> extra_flags) {
        job.source = source;
        job.extra_flags = std::move(extra_flags);
        Hash key = base_;
        key.field(pch_.empty() ? "no-pch" : "pch").field(fs::absolute(source).lexically_normal().string()).field(text);
        for (const std::string& flag : job.extra_flags) key.field(flag);
        job.object = config_.cache_dir / "objects" / (stem + "-" + key.hex() + ".o");
        std::error_code ec;
        if (fs::exists(job.object, ec)) {
            job.cached = true;
            job.ok = true;
            if (read_file(log_of(job.object), job.diagnostics)) {  // warnings of the original compile, if any
                job.log = log_of(job.object);
                if (job.diagnostics.size() > max_diagnostics_bytes) job.diagnostics.resize(max_diagnostics_bytes);
            }
            return;
        }
        job.temp = temp_name(job.object);
        job.process.argv = compile_argv(source, job.extra_flags, job.temp);
    }

    // Runs every prepared, uncached job in parallel and moves the objects into the cache.
    void run(const std::vector<Compile*>& jobs) {
        std::vector<Process*> running;
        for (Compile* job : jobs) {
            if (job->cached || job->process.argv.empty()) continue;
            start(job->process);
            running.push_back(&job->process);
        }
        finish(running);
        for (Compile* job : jobs) {
            if (job->cached || job->process.argv.empty()) continue;
            const std::string log = job->process.diagnostics();
            job->diagnostics = job->process.diagnostics(max_diagnostics_bytes);
            std::error_code ec;
            // The full log next to the object (named by the same hash), whether or not it compiled.
            fs::remove(log_of(job->object), ec);
            if (!log.empty() && write_atomically(log_of(job->object), log)) job->log = log_of(job->object);
            if (job->process.succeeded()) {
                fs::rename(job->temp, job->object, ec);
                job->ok = !ec;
                if (ec) job->diagnostics += "\ncannot store " + job->object.string() + ": " + ec.message();
            } else {
                job->ok = false;
            }
            fs::remove(job->temp, ec);
        }
    }

    // Links `objects` into a library named by their hash; reuses it when present.
    fs::path link(const std::vector<fs::path>& objects, std::string& diagnostics) {
        Hash key;
        key.field(config_.compiler.string());
        for (const std::string& flag : config_.link_flags) key.field(flag);
        for (const fs::path& object : objects) key.field(object.filename().string());
        const fs::path library = config_.cache_dir / "libraries" / ("submission-" + key.hex() + ".so");
        std::error_code ec;
        if (fs::exists(library, ec)) return library;
        const fs::path temp = temp_name(library);
        Process process;
#if defined(__APPLE__)  // two-level namespaces bind calls within the library; undefined symbols are errors
        process.argv = {config_.compiler.string(), "-bundle"};
#else
        process.argv = {config_.compiler.string(), "-shared", "-Wl,-Bsymbolic", "-Wl,--no-undefined"};
#endif
        for (const fs::path& object : objects) process.argv.push_back(object.string());
        process.argv.insert(process.argv.end(), {"-o", temp.string()});
        process.argv.insert(process.argv.end(), config_.link_flags.begin(), config_.link_flags.end());
        const timings::Scope linking("build: link");
        start(process);
        finish({&process});
        diagnostics = process.diagnostics();
        if (!process.succeeded()) {
            fs::remove(temp, ec);
            return {};
        }
        fs::rename(temp, library, ec);
        if (ec) {
            diagnostics += "\ncannot store " + library.string() + ": " + ec.message();
            fs::remove(temp, ec);
            return {};
        }
        return library;
    }

    std::string pch_problem() const { return pch_problem_; }
    const fs::path& cache_dir() const { return config_.cache_dir; }

private:
    static fs::path log_of(const fs::path& object) { return object.string() + ".log"; }

    std::vector<std::string> compile_argv(const fs::path& source, const std::vector<std::string>& extra,
                                          const fs::path& output) const {
        std::vector<std::string> argv{config_.compiler.string()};
        argv.insert(argv.end(), flags_.begin(), flags_.end());
        if (!pch_.empty()) {
            // GCC 12 warns about attributes on template arguments in Eigen when they come from a PCH.
            // The PCH starts with checked_access.hpp when runtime checks are on.
            argv.insert(argv.end(), {"-Wno-ignored-attributes", "-Winvalid-pch", "-include", pch_.string()});
        } else if (config_.runtime_checks) {
            argv.insert(argv.end(), {"-include", checked_access_header().string()});
        }
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.insert(argv.end(), {"-c", source.string(), "-o", output.string()});
        return argv;
    }

    // Builds (once per compiler, flags and headers) a precompiled header of <Eigen/Core> and
    // exercises.hpp; returns the header to -include, or empty when it cannot be built.
    fs::path ensure_pch() {
        const fs::path dir = config_.cache_dir / ("pch-" + base_.hex());
        const fs::path header = dir / "celab_pch.hpp";
        const fs::path gch = header.string() + ".gch";
        std::error_code ec;
        if (fs::exists(gch, ec)) return header;
        fs::create_directories(dir, ec);
        const std::string checked =
            config_.runtime_checks ? "#include \"" + checked_access_header().string() + "\"\n" : std::string();
        if (!fs::exists(header, ec) &&
            !write_atomically(header, "// Precompiled by the grader's submission builder.\n" + checked +
                                          "#include <Eigen/Core>\n#include <celab/exercises.hpp>\n")) {
            pch_problem_ = "cannot write " + header.string();
            return {};
        }
        const fs::path temp = temp_name(gch);
        Process process;
        process.argv = {config_.compiler.string()};
        process.argv.insert(process.argv.end(), flags_.begin(), flags_.end());
        process.argv.insert(process.argv.end(), {"-Wno-ignored-attributes", "-x", "c++-header", header.string(), "-o",
                                                 temp.string()});
        start(process);
        finish({&process});
        if (!process.succeeded()) {
            pch_problem_ = process.diagnostics();
            fs::remove(temp, ec);
            return {};
        }
        fs::rename(temp, gch, ec);
        if (ec) {
            fs::remove(temp, ec);
            return {};
        }
        return header;
    }

    fs::path checked_access_header() const { return config_.source_root / "grader" / "abi" / "checked_access.hpp"; }

    const Config& config_;
    std::vector<std::string> flags_;  // config_.compile_flags, plus -D_GLIBCXX_ASSERTIONS when checked
    Hash base_;
    fs::path pch_;
    std::string pch_problem_;
};

}  // namespace

Config default_config() {
    Config config;
    config.compiler = build_config::cxx_compiler;
    // Found at run time (locations.hpp): no absolute source or build path is compiled in.
    config.source_root = locations::source_root();
    config.cache_dir = locations::build_root() / "submissions";
    const fs::path root = config.source_root;
    config.compile_flags = {"-std=c++17",
                            "-O2",
                            "-fPIC",
                            "-DNDEBUG",
                            "-Wall",
                            "-Wextra",
                            "-Wno-unused-parameter",
                            "-Wfloat-conversion",
                            "-I" + (root / "include").string(),
                            "-I" + (root / "grader" / "abi").string()};
    for (const std::string& dir : split_list(build_config::eigen_include_dirs)) {
        config.compile_flags.insert(config.compile_flags.end(), {"-isystem", dir});
    }
    config.compile_flags.push_back("-fdiagnostics-color=never");
    // CMAKE_CXX_FLAGS of this build (e.g. the asan preset's -fsanitize=...): Eigen objects cross the
    // library boundary, so the submission must be compiled like the grader that frees them.
    for (const std::string& flag : split_list(build_config::extra_compile_flags)) config.compile_flags.push_back(flag);
    config.link_flags = split_list(build_config::extra_link_flags);
    return config;
}

namespace {

// Config::single_unit: the three files (read into `texts`) compiled as one translation unit that
// #includes them by absolute path (so the compiler's messages name each file, and its own #includes
// resolve as usual), linked with entry.cpp and the fallback with no file left out. Empty when the unit
// does not compile or link: the caller then compiles the files one by one.
std::optional<Result> build_single_unit(Builder& builder, Compile& entry, const fs::path& submission_dir,
                                        const std::string (&texts)[std::size(exercise_files)], const fs::path& abi_dir) {
    std::string unit_text = "// One translation unit of a submission's three files (grader/src/builder.cpp).\n";
    std::string key_text = unit_text;
    std::string sources[std::size(exercise_files)];
    for (std::size_t i = 0; i < std::size(exercise_files); ++i) {
        sources[i] = fs::absolute(submission_dir / (std::string(exercise_files[i]) + ".cpp")).lexically_normal().string();
        if (sources[i].find_first_of("\"\\\n") != std::string::npos) return std::nullopt;  // not writable in an #include
        unit_text += "#include \"" + sources[i] + "\"\n";
        key_text += texts[i] + '\0';
    }
    const fs::path unit_source = builder.cache_dir() / "objects" / ("unit-" + Hash().field(unit_text).field(key_text).hex() + ".cpp");
    std::error_code ec;
    if (!fs::exists(unit_source, ec) && !write_atomically(unit_source, unit_text)) return std::nullopt;
    Compile unit;
    builder.prepare(unit, unit_source, unit_text + key_text, "unit", {});
    builder.run({&entry, &unit});
    if (!unit.ok || !entry.ok) return std::nullopt;
    std::string fallback_text;
    read_file(abi_dir / "fallback.cpp", fallback_text);
    Compile fallback;  // the same object as the per-file build's with no file left out
    builder.prepare(fallback, abi_dir / "fallback.cpp", fallback_text, "fallback", {"-DCELAB_UNAVAILABLE_FILES=\"\""});
    builder.run({&fallback});
    if (!fallback.ok) return std::nullopt;
    Result result;
    std::string ignored;
    result.library = builder.link({unit.object, entry.object, fallback.object}, ignored);
    if (result.library.empty()) return std::nullopt;
    std::string log;
    if (!unit.log.empty()) read_file(unit.log, log);
    else log = unit.diagnostics;
    for (std::size_t i = 0; i < std::size(exercise_files); ++i) {
        FileBuild built;
        built.file = exercise_files[i];
        built.ok = true;
        built.cached = unit.cached;
        built.log = unit.log;
        built.warnings = compiler_output::summarise_warnings(log, sources[i], texts[i], unit.log.string());
        built.diagnostics = built.warnings;
        result.files.push_back(built);
    }
    return result;
}

}  // namespace

Result build(const fs::path& submission_dir, const Config& config) {
    const auto start_time = std::chrono::steady_clock::now();
    Result result;
    Builder builder(config);

    const fs::path abi_dir = config.source_root / "grader" / "abi";
    std::string entry_text;
    Compile entry;
    if (!read_file(abi_dir / "entry.cpp", entry_text)) {
        result.link_diagnostics = "missing file " + (abi_dir / "entry.cpp").string() + " (the celab checkout is broken)";
    }
    builder.prepare(entry, abi_dir / "entry.cpp", entry_text, "entry", {});

    // The submission's own files, compiled in parallel (with entry.cpp when it is not cached).
    Compile files[std::size(exercise_files)];
    std::string texts[std::size(exercise_files)];
    bool all_there = true;
    for (std::size_t i = 0; i < std::size(exercise_files); ++i) {
        const fs::path source = submission_dir / (std::string(exercise_files[i]) + ".cpp");
        std::error_code ec;
        all_there = fs::is_regular_file(source, ec) && read_file(source, texts[i]) && all_there;
    }
    if (config.single_unit && all_there && entry_text.size() > 0) {
        if (std::optional<Result> unit = build_single_unit(builder, entry, submission_dir, texts, abi_dir)) {
            unit->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
            return *unit;
        }
    }
    std::vector<Compile*> jobs{&entry};
    for (std::size_t i = 0; i < std::size(exercise_files); ++i) {
        const std::string file = exercise_files[i];
        const fs::path source = submission_dir / (file + ".cpp");
        FileBuild built;
        built.file = file;
        std::string& text = texts[i];
        std::error_code ec;
        if (!fs::is_regular_file(source, ec) || !read_file(source, text)) {
            built.diagnostics = "missing file " + source.string();
            built.summary = built.diagnostics;
        } else {
            builder.prepare(files[i], source, text, file, {});
            jobs.push_back(&files[i]);
        }
        result.files.push_back(built);
    }
    builder.run(jobs);

    for (std::size_t i = 0; i < std::size(exercise_files); ++i) {
        FileBuild& built = result.files[i];
        if (files[i].source.empty()) continue;
        built.ok = files[i].ok;
        built.cached = files[i].cached;
        built.diagnostics = files[i].diagnostics;
        built.log = files[i].log;
        std::string log;
        if (!built.log.empty()) read_file(built.log, log);
        else log = built.diagnostics;
        const std::string source = files[i].source.string();
        if (built.ok) {
            built.warnings = compiler_output::summarise_warnings(log, source, texts[i], built.log.string());
        } else {
            built.summary = compiler_output::summarise_errors(log, source, texts[i], built.log.string());
        }
    }
    if (!entry.ok) {
        result.link_diagnostics += "grader/abi/entry.cpp did not compile:\n" + entry.diagnostics +
                                   "\n(the celab checkout is broken: restore grader/abi)";
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
        return result;
    }

    // The fallback (grader/abi/fallback.cpp): weak stand-ins for every function, linked into every
    // library, so a function the submission does not define throws instead of breaking the link. It is
    // compiled once per set of files left out of the link (missing, not compiling, or breaking the
    // link), whose functions then say so; cached like any object.
    std::string fallback_text;
    read_file(abi_dir / "fallback.cpp", fallback_text);
    std::map<std::vector<bool>, Compile> fallbacks;
    std::string fallback_problem;
    auto fallback_for = [&](const std::vector<bool>& left_out) -> const Compile& {
        auto [it, fresh] = fallbacks.try_emplace(left_out);
        if (fresh) {
            std::string list, stem = "fallback";
            for (std::size_t i = 0; i < left_out.size(); ++i) {
                if (!left_out[i]) continue;
                list += (list.empty() ? "" : ",") + std::string(exercise_files[i]);
                stem += std::string("-") + exercise_files[i];
            }
            builder.prepare(it->second, abi_dir / "fallback.cpp", fallback_text, stem,
                            {"-DCELAB_UNAVAILABLE_FILES=\"" + list + "\""});
            builder.run({&it->second});
            if (!it->second.ok)
                fallback_problem = "grader/abi/fallback.cpp did not compile:\n" + it->second.diagnostics +
                                   "\n(the celab checkout is broken: restore grader/abi)";
        }
        return it->second;
    };
    // The objects to link when the files in `replaced` are left out (and those that failed anyway).
    auto objects_with = [&](const std::vector<bool>& replaced) {
        std::vector<fs::path> objects;
        std::vector<bool> left_out(std::size(exercise_files), false);
        for (std::size_t i = 0; i < std::size(exercise_files); ++i) {
            left_out[i] = replaced[i] || !result.files[i].ok;
            if (!left_out[i]) objects.push_back(files[i].object);
        }
        objects.push_back(entry.object);
        objects.push_back(fallback_for(left_out).object);
        return objects;
    };
    std::vector<bool> replaced(std::size(exercise_files), false);
    std::vector<fs::path> objects = objects_with(replaced);
    if (fallback_problem.empty()) result.library = builder.link(objects, result.link_diagnostics);
    // A link error (say, a helper function defined in two files): find the file whose removal lets
    // the rest link, and report the error against it; if no single file will do, link none of them.
    for (std::size_t i = 0; result.library.empty() && fallback_problem.empty() && i <= std::size(exercise_files); ++i) {
        std::vector<bool> trial(std::size(exercise_files), i == std::size(exercise_files));
        if (i < std::size(exercise_files)) {
            if (!result.files[i].ok) continue;
            trial[i] = true;
        }
        std::string ignored;
        objects = objects_with(trial);
        if (!fallback_problem.empty()) break;
        result.library = builder.link(objects, ignored);
        if (result.library.empty()) continue;
        for (std::size_t k = 0; k < std::size(exercise_files); ++k) {
            if (!trial[k] || !result.files[k].ok) continue;
            result.files[k].ok = false;
            result.files[k].diagnostics = "the submission does not link:\n" + result.link_diagnostics;
            result.files[k].summary = result.files[k].diagnostics;
            result.files[k].warnings.clear();
        }
    }
    if (!fallback_problem.empty()) {
        result.library.clear();
        result.link_diagnostics += fallback_problem;
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_time).count();
    return result;
}

}  // namespace celab::grader::builder

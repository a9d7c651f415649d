// Phase timings of one grading run, for scripts/benchmark: enabled by the environment variable
// CELAB_TIMINGS=1 (or the hidden option --timings), printed to stderr at the end. Thread-safe: with
// concurrent exercises the phases are summed over threads (CPU-ish time, not wall clock).
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

namespace celab::grader::timings {

struct State {
    bool on = std::getenv("CELAB_TIMINGS") != nullptr && std::string(std::getenv("CELAB_TIMINGS")) != "0";
    std::mutex mutex;
    std::map<std::string, std::pair<double, long>> phases;  // seconds, count; printed in name order
};
inline State& state() {
    static State s;
    return s;
}
inline bool enabled() { return state().on; }
inline void enable() { state().on = true; }

inline void add(const std::string& phase, double seconds) {
    if (!enabled()) return;
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    auto& [total, count] = s.phases[phase];
    total += seconds;
    ++count;
}

// Adds the time from construction to destruction to `phase` (nothing when timings are off).
class Scope {
public:
    explicit Scope(const char* phase) : phase_(phase), start_(std::chrono::steady_clock::now()) {}
    ~Scope() { add(phase_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count()); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

private:
    const char* phase_;
    std::chrono::steady_clock::time_point start_;
};

// One line per phase: "timing PHASE SECONDS s (COUNT)".
inline void print(std::ostream& out) {
    if (!enabled()) return;
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    for (const auto& [phase, value] : s.phases)
        out << "timing " << phase << ' ' << value.first << " s (" << value.second << ")\n";
    // Peak resident set sizes: this process, and the largest of its children that have ended (the
    // sandboxes and compilers). Linux reports KiB, macOS bytes.
    rusage self{}, children{};
    ::getrusage(RUSAGE_SELF, &self);
    ::getrusage(RUSAGE_CHILDREN, &children);
#if defined(__APPLE__)
    const double unit = 1.0 / (1024.0 * 1024.0);
#else
    const double unit = 1.0 / 1024.0;
#endif
    out << "memory grader-peak-rss " << double(self.ru_maxrss) * unit << " MiB\n";
    out << "memory largest-child-peak-rss " << double(children.ru_maxrss) * unit << " MiB\n";
}

}  // namespace celab::grader::timings

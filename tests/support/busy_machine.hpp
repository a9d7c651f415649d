// A busy machine, made by a test: spinning threads in the test's own process, so that a child
// process (the sandbox's) gets only a share of a core, as on a grading server running many jobs.
#pragma once

#include <atomic>
#include <ctime>
#include <thread>
#include <vector>

namespace celab::test {

// Spins `threads` threads until destroyed.
class BusyMachine {
public:
    explicit BusyMachine(unsigned threads) {
        for (unsigned i = 0; i < threads; ++i)
            spinners_.emplace_back([this] {
                while (!stop_.load(std::memory_order_relaxed)) {
                }
            });
    }
    ~BusyMachine() {
        stop_ = true;
        for (std::thread& t : spinners_) t.join();
    }
    BusyMachine(const BusyMachine&) = delete;
    BusyMachine& operator=(const BusyMachine&) = delete;

    // `per_core` spinners on each core of this machine.
    static unsigned spinners(unsigned per_core) { return per_core * std::max(1u, std::thread::hardware_concurrency()); }

private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> spinners_;
};

// A fixed amount of work: returns once this process has used `seconds` of CPU time in all.
inline void work_until_cpu_seconds(double seconds) {
    timespec t{};
    for (;;) {
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        if (double(t.tv_sec) + double(t.tv_nsec) * 1e-9 >= seconds) return;
    }
}

}  // namespace celab::test

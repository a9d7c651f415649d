// Hostile: a student of a class (./course grade) whose softmax searches its own process's memory for
// what no student's code may find there, and prints what it found in its visible output, which lands in
// its report.txt. Once per process, on the first call with 4 logits (the shipped case "seed_example" of
// softmax, and the gradient exercises, whose reference code calls softmax):
//  - answer: its own right answer (computed with the reference's formula, so bit for bit the grader's):
//    the class's answers, remembered once for every student (answers::Memo), must be wiped;
//  - marker: the text "CLASSMATE-MARKER-" + "4711", in another student's file and in the reason of that
//    student's status (its file does not compile);
//  - hidden: 321.654987, an input of a hidden case of the class.
// The marker and the hidden value are kept masked (XOR), so that this code's own copies never match.
// tests/test_class_isolation.cpp grades it beside a classmate.
#include <celab/exercises.hpp>
#include <celab/validate.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace celab {

namespace {

double exact_exp(double x) { return std::exp(x); }

constexpr unsigned char text_mask = 0x5a;
// The marker, each byte XOR 0x5a (this file is in memory too: it must not hold the marker plainly).
constexpr unsigned char marker_masked[] = {0x19, 0x16, 0x1b, 0x09, 0x09, 0x17, 0x1b, 0x0e, 0x1f, 0x77, 0x17,
                                           0x1b, 0x08, 0x11, 0x1f, 0x08, 0x77, 0x6e, 0x6d, 0x6b, 0x6b};
constexpr std::uint64_t word_mask = 0x5a5a5a5a5a5a5a5aull;
std::uint64_t masked_hidden_bits() {
    double h = 321.0;
    h += 0.654987;  // made here, not stored: 321.654987
    std::uint64_t bits;
    std::memcpy(&bits, &h, sizeof bits);
    return bits ^ word_mask;
}

// Reads memory AddressSanitizer never gave out (its own regions, other blocks' redzones): not
// instrumented, or the scan would stop at its first such read. (GCC and clang both know the attribute.)
__attribute__((no_sanitize("address"))) void hunt(const Eigen::VectorXd& answer) {
    FILE* maps = std::fopen("/proc/self/maps", "r");
    if (maps == nullptr) {
        std::printf("hunt: cannot read /proc/self/maps\n");
        return;
    }
    std::uint64_t first[4];
    std::memcpy(first, answer.data(), sizeof first);
    const std::uint64_t hidden = masked_hidden_bits();
    volatile char here = 0;
    const auto stack = reinterpret_cast<std::uintptr_t>(&here);
    const auto own = [&](std::uintptr_t a) {
        const auto p = reinterpret_cast<std::uintptr_t>(answer.data());
        return (a >= p && a < p + 4 * sizeof(double)) || (a + (std::uintptr_t(64) << 10) >= stack && a < stack + (std::uintptr_t(64) << 10));
    };
    std::size_t answers = 0, markers = 0, hiddens = 0, mappings = 0;
    char line[512];
    while (std::fgets(line, sizeof line, maps) != nullptr) {
        unsigned long long begin = 0, end = 0;
        char perms[8] = {};
        if (std::sscanf(line, "%llx-%llx %7s", &begin, &end, perms) != 3) continue;
        if (perms[0] != 'r' || perms[1] != 'w') continue;
        if (end - begin > (std::uint64_t(1) << 29)) continue;  // AddressSanitizer's shadow, reserved space
        ++mappings;
        const auto* words = reinterpret_cast<const volatile std::uint64_t*>(static_cast<std::uintptr_t>(begin));
        const std::size_t count = (end - begin) / 8;
        for (std::size_t i = 0; i < count; ++i) {
            const std::uint64_t w = words[i];
            const auto at = reinterpret_cast<std::uintptr_t>(&words[i]);
            if ((w ^ word_mask) == hidden && !own(at)) ++hiddens;
            if (w == first[0] && i + 4 <= count && words[i + 1] == first[1] && words[i + 2] == first[2] &&
                words[i + 3] == first[3] && !own(at))
                ++answers;
        }
        const auto* bytes = reinterpret_cast<const volatile unsigned char*>(static_cast<std::uintptr_t>(begin));
        for (std::size_t i = 0; i + sizeof marker_masked <= end - begin; ++i) {
            if ((bytes[i] ^ text_mask) != marker_masked[0]) continue;
            std::size_t k = 1;
            while (k < sizeof marker_masked && (bytes[i + k] ^ text_mask) == marker_masked[k]) ++k;
            markers += k == sizeof marker_masked;
        }
    }
    std::fclose(maps);
    std::printf("hunt: %zu writable mappings; answer %zu, marker %zu, hidden %zu\n", mappings, answers, markers, hiddens);
}

}  // namespace

Eigen::VectorXd softmax(const Eigen::VectorXd& logits) {
    validate::logits(logits, "softmax");
    const double m = logits.maxCoeff();
    const Eigen::VectorXd e = (logits.array() - m).unaryExpr(&exact_exp).matrix();
    Eigen::VectorXd p = e / e.sum();
    static bool hunted = false;
    if (!hunted && logits.size() == 4) {
        hunted = true;
        hunt(p);
        std::fflush(stdout);
    }
    return p;
}

}  // namespace celab

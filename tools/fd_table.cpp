// celab_fd_table: the finite-difference error table of docs/finite-differences.md.
//
// The example: L(z) = cross_entropy(z, target = 2) with z = [1, 2, 3, 0.5], differentiated with
// respect to z_0. The exact derivative is g = dL/dz_0 = p_0 - y_0 = p_0 (docs/derivation.md), and
// along one coordinate the higher derivatives are known in closed form too:
//   L''  = p_0 (1 - p_0),   L''' = p_0 (1 - p_0) (1 - 2 p_0),
// which give the predicted truncation errors h |L''| / 2 (forward) and h^2 |L'''| / 6 (central),
// next to the round-off model eps |L| / h (eps = DBL_EPSILON).
//
// Usage:
//   celab_fd_table                    the Markdown table shown in docs/finite-differences.md
//   celab_fd_table --data [N]         whitespace columns at full precision, N steps per decade
//                                     (default 1), for gnuplot (scripts/make-figures) and the tests
// Columns (both formats): h, forward error, central error, forward truncation model,
// central truncation model, round-off model. Errors are absolute: |estimate - g|.
#include <celab/exercises.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

namespace {

constexpr int kTarget = 2;
constexpr int kCoordinate = 0;
constexpr int kDecades = 13;  // h = 1e0 ... 1e-13

Eigen::VectorXd example_logits() {
    Eigen::VectorXd z(4);
    z << 1.0, 2.0, 3.0, 0.5;
    return z;
}

// L(z + t e_0)
double loss_along(const Eigen::VectorXd& z, double t) {
    Eigen::VectorXd moved = z;
    moved[kCoordinate] += t;
    return celab::cross_entropy(moved, kTarget);
}

struct Row {
    double h, forward, central, forward_model, central_model, roundoff_model;
};

Row row_for(double h) {
    const Eigen::VectorXd z = example_logits();
    const double L = celab::cross_entropy(z, kTarget);
    const double g = celab::cross_entropy_grad(z, kTarget)[kCoordinate];  // p_0 - y_0
    const double p = celab::softmax(z)[kCoordinate];
    const double eps = std::numeric_limits<double>::epsilon();
    // forward: (L(z + h e) - L(z)) / h;  central: (L(z + h e) - L(z - h e)) / (2h)
    const double forward = (loss_along(z, h) - L) / h;
    const double central = (loss_along(z, h) - loss_along(z, -h)) / (2.0 * h);
    return Row{h,
               std::abs(forward - g),
               std::abs(central - g),
               h * std::abs(p * (1.0 - p)) / 2.0,
               h * h * std::abs(p * (1.0 - p) * (1.0 - 2.0 * p)) / 6.0,
               eps * std::abs(L) / h};
}

void print_markdown() {
    std::printf("| h | forward error | central error | h·L''/2 | h²·L'''/6 | ε·L/h |\n");
    std::printf("|---|---|---|---|---|---|\n");
    for (int k = 0; k <= kDecades; ++k) {
        const Row r = row_for(std::pow(10.0, -k));
        std::printf("| 1e%d | %.2e | %.2e | %.2e | %.2e | %.2e |\n", -k, r.forward, r.central, r.forward_model,
                    r.central_model, r.roundoff_model);
    }
}

void print_data(int per_decade) {
    std::printf("# h forward_error central_error forward_model central_model roundoff_model\n");
    for (int k = 0; k <= kDecades * per_decade; ++k) {
        const Row r = row_for(std::pow(10.0, -static_cast<double>(k) / per_decade));
        std::printf("%.17g %.17g %.17g %.17g %.17g %.17g\n", r.h, r.forward, r.central, r.forward_model,
                    r.central_model, r.roundoff_model);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 1) {
        print_markdown();
        return 0;
    }
    if (std::strcmp(argv[1], "--data") == 0 && argc <= 3) {
        const int per_decade = argc == 3 ? std::atoi(argv[2]) : 1;
        if (per_decade < 1 || per_decade > 100) {
            std::fprintf(stderr, "celab_fd_table: --data N needs 1 <= N <= 100 steps per decade, got '%s'\n",
                         argv[2]);
            return 2;
        }
        print_data(per_decade);
        return 0;
    }
    std::fprintf(stderr,
                 "usage: celab_fd_table            Markdown table (docs/finite-differences.md)\n"
                 "       celab_fd_table --data [N] full-precision columns, N steps per decade\n");
    return 2;
}

// Formulas that several descriptors share: right and classic wrong ways of computing a softmax or a
// log-sum-exp per row, for the diagnoses' candidates; and the texts of mistakes met in several exercises.
// Rows are examples: a vector is passed as a 1 x V matrix.
#pragma once

#include <Eigen/Core>

#include "descriptor.hpp"

namespace celab::grader::formulas {

// exp with exp(-inf) == 0 exactly (Eigen's vectorised exp clamps very negative arguments).
double exp_std(double x);

// Softmax of each row with a given amount subtracted per row (the max, the batch max, or nothing).
Eigen::MatrixXd softmax_rows_minus(const Eigen::MatrixXd& z, const Eigen::VectorXd& subtract);
Eigen::MatrixXd naive_softmax_rows(const Eigen::MatrixXd& z);      // no max subtracted
Eigen::MatrixXd stable_softmax_rows(const Eigen::MatrixXd& z);     // each row's own max
Eigen::MatrixXd batch_max_softmax_rows(const Eigen::MatrixXd& z);  // the max of the whole batch
Eigen::MatrixXd column_softmax(const Eigen::MatrixXd& z);          // normalised down the columns

Eigen::VectorXd naive_lse_rows(const Eigen::MatrixXd& z);      // log(sum(exp(z))) per row, no max
Eigen::VectorXd stable_lse_rows(const Eigen::MatrixXd& z);     // m + log(sum(exp(z - m))) per row
Eigen::VectorXd batch_max_lse_rows(const Eigen::MatrixXd& z);  // with the batch max

// exp(z - lse) per row: the softmax from each row's log-sum-exp (how a student release expands a
// large answer it keeps as one number per row).
Eigen::MatrixXd softmax_from_lse(const Eigen::MatrixXd& z, const Eigen::VectorXd& lse);

Eigen::MatrixXd one_hot(Eigen::Index classes, int target);  // V x 1
// <y, z> per row, skipping y = 0 (so masked logits add nothing).
Eigen::VectorXd dot_rows(const Eigen::MatrixXd& y, const Eigen::MatrixXd& z);
Eigen::MatrixXd scalar(double x);  // 1 x 1

// `z` with every masked (-inf) logit replaced by 0, as code that "cleans" non-finite numbers does.
Eigen::MatrixXd masked_as_zero(const Eigen::MatrixXd& z);
bool has_masked(const Eigen::MatrixXd& z);
// The gradient of cross-entropy through dL/dp = -y/p and the softmax Jacobian, per row: the textbook chain
// rule, which gives 0 * inf = NaN where a probability underflows to 0 (the right answer is p - y).
Eigen::MatrixXd gradient_through_probs(const Eigen::MatrixXd& z, const Eigen::MatrixXd& y);

// Values as the grader's Value.
Value as_vector(Eigen::VectorXd v);
Value as_matrix(Eigen::MatrixXd m);
Value as_number(double x);

extern const char* const no_max_text;
extern const char* const masked_as_zero_text;
extern const char* const through_probs_text;
extern const char* const flipped_gradient_text;

}  // namespace celab::grader::formulas

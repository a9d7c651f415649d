# Log-log plot of finite-difference error against step size h (docs/finite-differences.md).
# Data: docs/figures/fd-error.dat, written by `celab_fd_table --data 4` (tools/fd_table.cpp).
# Regenerate with scripts/make-figures; run from the repository root.
# Columns: 1 h, 2 forward error, 3 central error, 4 h|L''|/2, 5 h^2|L'''|/6, 6 eps|L|/h
set terminal pngcairo size 900,620 enhanced font 'DejaVu Sans,12'
set output 'docs/figures/fd-error.png'
set title "Finite-difference error of dL/dz_0 for L = CE([1, 2, 3, 0.5], target 2)"
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set xlabel 'step size h'
set ylabel 'absolute error |estimate - (p_0 - y_0)|'
set xrange [1e-13:1]
set yrange [1e-15:100]
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key top left box opaque width -6
set arrow from sqrt(2.220446049250313e-16), graph 0 to sqrt(2.220446049250313e-16), graph 1 nohead dt 3 lc rgb '#1f77b4'
set arrow from (2.220446049250313e-16)**(1.0/3), graph 0 to (2.220446049250313e-16)**(1.0/3), graph 1 nohead dt 3 lc rgb '#d62728'
set label 'sqrt(ε)' at sqrt(2.220446049250313e-16)*1.3, graph 0.04 tc rgb '#1f77b4'
set label 'cbrt(ε)' at (2.220446049250313e-16)**(1.0/3)*1.3, graph 0.04 tc rgb '#d62728'
plot 'docs/figures/fd-error.dat' using 1:2 with linespoints pt 7 ps 0.7 lw 2 lc rgb '#1f77b4' title "forward  (L(z+h) - L(z)) / h", \
     ''                          using 1:3 with linespoints pt 5 ps 0.7 lw 2 lc rgb '#d62728' title "central  (L(z+h) - L(z-h)) / 2h", \
     ''                          using 1:($4+$6) with lines dt 2 lw 1.5 lc rgb '#1f77b4' title "model  h|L''|/2 + ε|L|/h", \
     ''                          using 1:($5+$6) with lines dt 2 lw 1.5 lc rgb '#d62728' title "model  h^2|L'''|/6 + ε|L|/h"

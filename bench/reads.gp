# SPDX-License-Identifier: LGPL-2.1-or-later
# Plot reads/s against concurrent readers, procview and LXCFS, one panel per
# file. Usage: gnuplot -e "data='reads.dat'; out='reads.png'" bench/reads.gp
# The data file holds one block per file in the order below (bench/report.awk).

set terminal pngcairo size 1200,700 font ",10"
set output out
set multiplot layout 2,3 title "Reads/s of open + read-to-end + close, each reader in its own container (higher is better)"
set logscale x 2
set xrange [0.8:20]
set xtics (1, 4, 16)
set yrange [0:*]
set xlabel "concurrent readers"
set ylabel "reads/s"
set key bottom center
set grid ytics

files = "meminfo stat cpuinfo uptime loadavg diskstats"
do for [i = 1:words(files)] {
        set title word(files, i)
        plot data index (i - 1) using 1:2 with linespoints lw 2 pt 7 title "procview", \
             data index (i - 1) using 1:3 with linespoints lw 2 pt 5 title "LXCFS"
}
unset multiplot

# nav_aum.gp -- template: futures NAV over time with the exits marked and,
# when the run holds off-exchange assets, AUM in its own panel below.
# NAV and AUM never share a chart with two unrelated Y axes (that suggests
# they move together): each panel has its own axis and says what it is.
# AUM is drawn from the first snapshot where it differs from the NAV (the
# first mark of a holding); before that it equals the NAV.
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/nav_aum.gp and runs `gnuplot --default-settings nav_aum.gp` in
# DIR/reports (LC_ALL=C, TZ=UTC).
# Data: nav.dat       x nav_total aum_total drawdown_pct status (decimated;
#                     aum_total NaN before AUM differs from the NAV)
#       nav_exits.dat x nav_at_exit kind (3 TP, 4 SL)
set datafile commentschars '#'
do for [format in 'png svg'] {
    if (format eq 'png') {
        set terminal pngcairo size @WIDTH@,@HEIGHT@ noenhanced font 'DejaVu Sans,10' background rgb 'white'
    } else {
        set terminal svg size @WIDTH@,@HEIGHT@ fixed noenhanced font 'DejaVu Sans,10' background rgb 'white'
    }
    set output '@STEM@.'.format
    set multiplot title '@TITLE@'
    set lmargin at screen 0.09
    set rmargin at screen 0.97
    if (@TIME_AXIS@) {
        set xdata time
        set timefmt '%s'
    }
    set xrange [@X_MIN@:@X_MAX@]
    set format y '%.0f'
    set grid xtics ytics lc rgb '#dddddd'
    set offsets 0, 0, graph 0.06, graph 0.06
    set key top right opaque box lc rgb '#cccccc'
    set tmargin at screen 0.90
    set bmargin at screen (@HAS_AUM@ ? 0.50 : 0.12)
    if (@HAS_AUM@) {
        set format x ''
    } else {
        if (@TIME_AXIS@) { set format x "@TIME_FORMAT@"; set xlabel 'time (UTC)' } else { set xlabel 'ts' }
    }
    set ylabel 'NAV (futures), USDT'
    if (@HAS_NAV@) {
        # Only the terms with data: gnuplot reads a file even for an empty
        # iteration, so the plot command is assembled and evaluated.
        terms = ", 'nav.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'NAV (futures, nav_total)'"
        if (@HAS_TP_EXITS@) { terms = terms . ", 'nav_exits.dat' using 1:($3 == 3 ? $2 : NaN) with points pt 9 ps 1.4 lc rgb '#2ca02c' title 'exit TP'" }
        if (@HAS_SL_EXITS@) { terms = terms . ", 'nav_exits.dat' using 1:($3 == 4 ? $2 : NaN) with points pt 11 ps 1.4 lc rgb '#d62728' title 'exit SL'" }
        eval('plot ' . terms[3:])
    } else {
        unset key
        set yrange [0:1]
        set label 1 'no NAV data (logs/nav.csv is absent or empty)' at graph 0.5, graph 0.5 center
        plot -1 notitle
        unset label 1
        set yrange [*:*]
    }
    if (@HAS_AUM@) {
        set tmargin at screen 0.44
        set bmargin at screen 0.12
        set title 'AUM = NAV + off-exchange holdings at their marks (its own axis: not comparable with the NAV panel above)' font ',9'
        set ylabel 'AUM, USD'
        if (@TIME_AXIS@) { set format x "@TIME_FORMAT@"; set xlabel 'time (UTC)' } else { set xlabel 'ts' }
        plot 'nav.dat' using 1:3 with lines lw 2 lc rgb '#ff7f0e' title 'AUM (aum_total)'
        unset title
    }
    unset multiplot
    unset output
}

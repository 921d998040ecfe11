# nav_aum.gp -- template: futures NAV and AUM over time, exits marked.
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/nav_aum.gp and runs `gnuplot --default-settings nav_aum.gp` in
# DIR/reports (LC_ALL=C, TZ=UTC).
# Data: nav.dat       x nav_total aum_total drawdown_pct status (decimated)
#       nav_exits.dat x nav_at_exit kind (3 TP, 4 SL)
set datafile commentschars '#'
do for [format in 'png svg'] {
    if (format eq 'png') {
        set terminal pngcairo size @WIDTH@,@HEIGHT@ noenhanced font 'DejaVu Sans,10' background rgb 'white'
    } else {
        set terminal svg size @WIDTH@,@HEIGHT@ fixed noenhanced font 'DejaVu Sans,10' background rgb 'white'
    }
    set output '@STEM@.'.format
    if (@TIME_AXIS@) {
        set xdata time
        set timefmt '%s'
        set format x "@TIME_FORMAT@"
        set xlabel 'time (UTC)'
    } else {
        set xlabel 'ts'
    }
    set xrange [@X_MIN@:@X_MAX@]
    set title '@TITLE@'
    set ylabel 'NAV, USD (left axis)' tc rgb '#1f77b4'
    set format y '%.0f'
    set grid xtics ytics lc rgb '#dddddd'
    set offsets 0, 0, graph 0.06, graph 0.06
    set key below horizontal
    if (@HAS_AUM@) {
        # AUM has its own (right) axis: it is NAV plus the holdings, and on
        # one axis the NAV's moves would flatten out.
        set y2label 'AUM, USD (right axis)' tc rgb '#ff7f0e'
        set y2tics
        set ytics nomirror
        set format y2 '%.0f'
    }
    if (@HAS_NAV@) {
        # Only the terms with data: gnuplot reads a file even for an empty
        # iteration, so the plot command is assembled and evaluated.
        terms = ", 'nav.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'NAV (futures, nav_total)'"
        if (@HAS_AUM@) { terms = terms . ", 'nav.dat' using 1:3 axes x1y2 with lines lw 2 lc rgb '#ff7f0e' title 'AUM (aum_total)'" }
        if (@HAS_TP_EXITS@) { terms = terms . ", 'nav_exits.dat' using 1:($3 == 3 ? $2 : NaN) with points pt 9 ps 1.4 lc rgb '#2ca02c' title 'exit TP'" }
        if (@HAS_SL_EXITS@) { terms = terms . ", 'nav_exits.dat' using 1:($3 == 4 ? $2 : NaN) with points pt 11 ps 1.4 lc rgb '#d62728' title 'exit SL'" }
        eval('plot ' . terms[3:])
    } else {
        unset key
        set yrange [0:1]
        set label 1 'no NAV data (logs/nav.csv is absent or empty)' at graph 0.5, graph 0.5 center
        plot -1 notitle
    }
    unset output
}

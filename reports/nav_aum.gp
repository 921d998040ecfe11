# nav_aum.gp -- template: futures NAV and AUM over time, exits marked.
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/nav_aum.gp and runs `gnuplot --default-settings nav_aum.gp` in
# DIR/reports (LC_ALL=C, TZ=UTC).
# Data: nav.dat       x nav_total aum_total drawdown_pct status (decimated)
#       nav_exits.dat x nav_at_exit kind (3 TP, 4 SL)
set encoding utf8
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
    set ylabel 'USD'
    set format y '%.0f'
    set grid xtics ytics lc rgb '#dddddd'
    set key top left opaque box lc rgb '#cccccc'
    if (@HAS_NAV@) {
        plot 'nav.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'NAV (futures, nav_total)', \
             for [k=1:@HAS_AUM@] 'nav.dat' using 1:3 with lines lw 2 lc rgb '#ff7f0e' title 'AUM (aum_total)', \
             for [k=1:@HAS_TP_EXITS@] 'nav_exits.dat' using 1:($3 == 3 ? $2 : NaN) with points pt 9 ps 1.4 lc rgb '#2ca02c' title 'exit TP', \
             for [k=1:@HAS_SL_EXITS@] 'nav_exits.dat' using 1:($3 == 4 ? $2 : NaN) with points pt 11 ps 1.4 lc rgb '#d62728' title 'exit SL'
    } else {
        unset key
        set yrange [0:1]
        set label 1 'no NAV data (logs/nav.csv is absent or empty)' at graph 0.5, graph 0.5 center
        plot -1 notitle
    }
    unset output
}

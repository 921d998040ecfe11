# drawdown.gp -- template: drawdown of the futures NAV from its running peak.
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/drawdown.gp and runs `gnuplot --default-settings drawdown.gp`
# in DIR/reports (LC_ALL=C, TZ=UTC).
# Data: nav.dat  x nav_total aum_total drawdown_pct status (drawdown <= 0)
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
    set ylabel 'drawdown from peak NAV (%)'
    set grid xtics ytics lc rgb '#dddddd'
    set key bottom left opaque box lc rgb '#cccccc'
    if (@HAS_NAV@) {
        set yrange [@Y_MIN@:0]
        set style fill transparent solid 0.35 noborder
        plot 'nav.dat' using 1:4 with filledcurves y=0 lc rgb '#d62728' notitle, \
             'nav.dat' using 1:4 with lines lw 1.5 lc rgb '#a01010' title 'drawdown', \
             @MAX_DRAWDOWN_Y@ with lines dt 2 lc rgb '#555555' title 'max drawdown'
    } else {
        unset key
        set yrange [-1:0]
        set label 1 'no NAV data (logs/nav.csv is absent or empty)' at graph 0.5, graph 0.5 center
        plot 1 notitle
    }
    unset output
}

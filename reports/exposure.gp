# exposure.gp -- template: the kernel's exposure over time: open notional
# (K's open_notional, USDT, the sum over positions of |qty| x mark) and
# leverage (open notional / K's equity), each in its own panel.
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/exposure.gp and runs `gnuplot --default-settings exposure.gp`
# in DIR/reports (LC_ALL=C, TZ=UTC). It is drawn only when the run wrote
# reconcile.jsonl (not with --trace none).
# Data: exposure.dat  x open_notional leverage tag (decimated; leverage NaN
#                     while equity <= 0)
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
    set grid xtics ytics lc rgb '#dddddd'
    set offsets 0, 0, graph 0.06, 0
    unset key
    set style fill transparent solid 0.30 noborder
    set tmargin at screen 0.90
    set bmargin at screen 0.53
    set format x ''
    set format y '%.0f'
    set ylabel 'open notional, USDT'
    set yrange [0:*]
    plot 'exposure.dat' using 1:2 with filledcurves y=0 lc rgb '#1f77b4', \
         'exposure.dat' using 1:2 with steps lw 1.5 lc rgb '#1f77b4'
    set tmargin at screen 0.47
    set bmargin at screen 0.12
    set format y '%.2fx'
    set ylabel 'leverage (open notional / equity)'
    if (@TIME_AXIS@) { set format x "@TIME_FORMAT@"; set xlabel 'time (UTC)' } else { set format x '%g'; set xlabel 'ts' }
    plot 'exposure.dat' using 1:3 with steps lw 1.5 lc rgb '#9467bd'
    unset multiplot
    unset output
}

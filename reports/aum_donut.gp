# aum_donut.gp -- template: the AUM donut of seed 000. One slice per
# off-exchange asset with a USD value plus USDT for the futures NAV
# (aum.futures), sized by value; one slice alone is a full ring (0..360).
# The centre shows nav.json aum.total; a negative futures NAV is a debt:
# no slice, listed under the legend and named in the centre (the total is
# net of it). Assets without a mark are listed under the legend.
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/aum_donut.gp and runs `gnuplot --default-settings aum_donut.gp`
# in DIR/reports (LC_ALL=C, TZ=UTC).
# Data: donut.dat        start_deg end_deg rgb label_x label_y "label" "asset"
#       donut_legend.dat x y rgb filled "text"  (filled 0: a listed asset
#                        without a slice)
set datafile commentschars '#'
do for [format in 'png svg'] {
    if (format eq 'png') {
        set terminal pngcairo size @WIDTH@,@HEIGHT@ noenhanced font 'DejaVu Sans,10' background rgb 'white'
    } else {
        set terminal svg size @WIDTH@,@HEIGHT@ fixed noenhanced font 'DejaVu Sans,10' background rgb 'white'
    }
    set output '@STEM@.'.format
    set title '@TITLE@'
    set size ratio -1
    set xrange [-1.25:3.75]
    set yrange [-1.25:1.25]
    unset border
    unset tics
    unset key
    set style fill solid 1.0 border lc rgb 'white'
    if (@HAS_SLICES@) {
        set object 1 circle at 0,0 size 0.58 fc rgb 'white' fillstyle solid noborder front
        set label 1 "@CENTER_TEXT@" at 0,0 center front font ',12'
        plot 'donut.dat' using (0):(0):(1):1:2:3 with circles lc rgb variable, \
             'donut.dat' using 4:5:6 with labels center tc rgb 'white' font ',10', \
             'donut_legend.dat' using 1:($4 == 1 ? $2 : NaN):3 with points pt 5 ps 2.2 lc rgb variable, \
             'donut_legend.dat' using 1:($4 == 0 ? $2 : NaN):3 with points pt 4 ps 2.2 lc rgb variable, \
             'donut_legend.dat' using ($1 + 0.1):2:5 with labels left
    } else {
        set label 1 "@CENTER_TEXT@" at 0,0 center front font ',12'
        plot 'donut_legend.dat' using 1:2:3 with points pt 4 ps 2.2 lc rgb variable, \
             'donut_legend.dat' using ($1 + 0.1):2:5 with labels left
    }
    unset object 1
    unset output
}

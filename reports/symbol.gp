# symbol.gp -- template: one symbol's price with its entries, exits and
# TP/SL levels. The price line is the mark (logs/marks.csv when the run
# wrote one, else the exchange positions' mark_price in reconcile.jsonl,
# which exists only while a position is open).
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/STEM.gp and runs `gnuplot --default-settings STEM.gp` in
# DIR/reports (LC_ALL=C, TZ=UTC).
# Data: STEM_marks.dat  x mark tag (decimated)
#       STEM_entry.dat  x entry_price tag (NaN while flat)
#       STEM_events.dat x y kind x_from tp sl; kind 1 entry long, 2 entry
#                       short, 3 exit TP, 4 exit SL, 5 rejected order,
#                       6 filled order, 7 the ledger's current TP/SL
set encoding utf8
set datafile commentschars '#'
events = '@STEM@_events.dat'
is_exit(k) = k == 3 || k == 4
has_levels(k) = k == 3 || k == 4 || k == 7
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
    set ylabel 'price (USDT)'
    set format y '%g'
    set grid xtics ytics lc rgb '#dddddd'
    set key outside right top vertical font ',9'
    set rmargin 22
    if (@HAS_NOTHING@) {
        set yrange [0:1]
        set label 1 'no price data for this symbol' at graph 0.5, graph 0.5 center
    }
    plot for [k=1:@HAS_MARKS@] '@STEM@_marks.dat' using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'mark', \
         for [k=1:@HAS_ENTRY_LINE@] '@STEM@_entry.dat' using 1:2 with lines lw 1 dt 3 lc rgb '#555555' title 'entry price', \
         for [k=1:@HAS_TP_LEVELS@] events using 4:(has_levels($3) ? $5 : NaN):($1 - $4):(0) with vectors nohead dt 2 lw 1.2 lc rgb '#2ca02c' title 'TP level', \
         for [k=1:@HAS_SL_LEVELS@] events using 4:(has_levels($3) ? $6 : NaN):($1 - $4):(0) with vectors nohead dt 2 lw 1.2 lc rgb '#d62728' title 'SL level', \
         for [k=1:@HAS_ENTRIES@] events using 1:($3 == 1 ? $2 : NaN) with points pt 9 ps 1.3 lc rgb '#1f3b73' title 'entry long', \
         for [k=1:@HAS_SHORT_ENTRIES@] events using 1:($3 == 2 ? $2 : NaN) with points pt 11 ps 1.3 lc rgb '#7b3294' title 'entry short', \
         for [k=1:@HAS_ORDER_FILLS@] events using 1:($3 == 6 ? $2 : NaN) with points pt 13 ps 1.1 lc rgb '#1f3b73' title 'order filled', \
         for [k=1:@HAS_TP_EXITS@] events using 1:($3 == 3 ? $2 : NaN) with points pt 7 ps 1.3 lc rgb '#2ca02c' title 'exit TP', \
         for [k=1:@HAS_SL_EXITS@] events using 1:($3 == 4 ? $2 : NaN) with points pt 7 ps 1.3 lc rgb '#d62728' title 'exit SL', \
         for [k=1:@HAS_REJECTED@] events using 1:($3 == 5 ? $2 : NaN) with points pt 2 ps 1.2 lc rgb '#777777' title 'order rejected', \
         for [k=1:@HAS_NOTHING@] -1 notitle
    unset output
}

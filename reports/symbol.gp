# symbol.gp -- template: one symbol's price with its entries, exits and
# TP/SL levels. The price line is the mark (logs/marks.csv when the run
# wrote one, else the exchange positions' mark_price in reconcile.jsonl,
# which exists only while a position is open).
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/STEM.gp and runs `gnuplot --default-settings STEM.gp` in
# DIR/reports (LC_ALL=C, TZ=UTC).
# Data: STEM_marks.dat  x mark tp sl tag (decimated; tp, sl: the ledger's
#                       levels at that mark when logs/marks.csv has them)
#       STEM_entry.dat  x entry_price tag (NaN while flat)
#       STEM_events.dat x y kind x_from tp sl; kind 1 entry long, 2 entry
#                       short, 3 exit TP, 4 exit SL, 5 rejected order,
#                       6 filled order, 7 the ledger's current TP/SL
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
    set offsets 0, 0, graph 0.06, graph 0.06
    set key outside right top vertical font ',9'
    set rmargin 22
    if (@HAS_NOTHING@) {
        set yrange [0:1]
        set label 1 'no price data for this symbol' at graph 0.5, graph 0.5 center
        plot -1 notitle
    } else {
        # Only the terms with data: gnuplot reads a file even for an empty
        # iteration, so the plot command is assembled and evaluated.
        terms = ''
        if (@HAS_MARKS@) { terms = terms . ", '@STEM@_marks.dat' using 1:2 with lines lw 1.5 lc rgb '#1f77b4' title 'mark'" }
        if (@HAS_ENTRY_LINE@) { terms = terms . ", '@STEM@_entry.dat' using 1:2 with lines lw 1 dt 3 lc rgb '#555555' title 'entry price'" }
        if (@HAS_LEVEL_LINES@) { terms = terms . ", '@STEM@_marks.dat' using 1:3 with steps lw 1 dt 2 lc rgb '#2ca02c' title 'TP (ledger)', '@STEM@_marks.dat' using 1:4 with steps lw 1 dt 2 lc rgb '#d62728' title 'SL (ledger)'" }
        if (@HAS_TP_LEVELS@) { terms = terms . ", events using 4:(has_levels($3) ? $5 : NaN):($1 - $4):(0) with vectors nohead dt 2 lw 1.2 lc rgb '#2ca02c' title 'TP level'" }
        if (@HAS_SL_LEVELS@) { terms = terms . ", events using 4:(has_levels($3) ? $6 : NaN):($1 - $4):(0) with vectors nohead dt 2 lw 1.2 lc rgb '#d62728' title 'SL level'" }
        if (@HAS_ENTRIES@) { terms = terms . ", events using 1:($3 == 1 ? $2 : NaN) with points pt 9 ps 1.3 lc rgb '#1f3b73' title 'entry long'" }
        if (@HAS_SHORT_ENTRIES@) { terms = terms . ", events using 1:($3 == 2 ? $2 : NaN) with points pt 11 ps 1.3 lc rgb '#7b3294' title 'entry short'" }
        if (@HAS_ORDER_FILLS@) { terms = terms . ", events using 1:($3 == 6 ? $2 : NaN) with points pt 13 ps 1.1 lc rgb '#1f3b73' title 'order filled'" }
        if (@HAS_TP_EXITS@) { terms = terms . ", events using 1:($3 == 3 ? $2 : NaN) with points pt 7 ps 1.3 lc rgb '#2ca02c' title 'exit TP'" }
        if (@HAS_SL_EXITS@) { terms = terms . ", events using 1:($3 == 4 ? $2 : NaN) with points pt 7 ps 1.3 lc rgb '#d62728' title 'exit SL'" }
        if (@HAS_REJECTED@) { terms = terms . ", events using 1:($3 == 5 ? $2 : NaN) with points pt 2 ps 1.2 lc rgb '#777777' title 'order rejected'" }
        eval('plot ' . terms[3:])
    }
    unset output
}

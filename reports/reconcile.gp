# reconcile.gp -- template: the reconcile deltas (K minus E) of each rule
# that was evaluated, over time, against its bands: green |delta| <= epsilon
# (OK), amber up to the rule's WARN band, red beyond it (ERROR); all three
# are in the legend. Each panel's Y range is computed from its data and
# epsilon (at least four epsilons, so the bands around a delta of 0 show),
# in USDT; R3 counts positions, and its OK band is drawn as +-0.5 (a whole
# position is the smallest difference). Under them, the reconcile status of
# every snapshot as a colour band (green OK, amber WARN, red ERROR).
# ledgersim report fills the at-sign placeholders, writes the result to
# DIR/reports/reconcile.gp and runs `gnuplot --default-settings reconcile.gp`
# in DIR/reports (LC_ALL=C, TZ=UTC). It is drawn only when the run wrote
# reconcile.jsonl (not with --trace none).
# Data: reconcile_RULE.dat   x delta epsilon warn_band status (decimated)
#       reconcile_RULE_bands.dat the same without the gap rows (the areas)
#       reconcile_status.dat x_from x_to worst_status
set datafile commentschars '#'
panel_count = @PANEL_COUNT@
array panel_files[@PANEL_ARRAY_SIZE@] = [@PANEL_FILES@]
array panel_titles[@PANEL_ARRAY_SIZE@] = [@PANEL_TITLES@]
array panel_ranges[@PANEL_ARRAY_SIZE@] = [@PANEL_RANGES@]
array panel_whole[@PANEL_ARRAY_SIZE@] = [@PANEL_WHOLE@]
status_colour(s) = s == 0 ? 0x2ca02c : (s == 1 ? 0xf0b400 : 0xd62728)
do for [format in 'png svg'] {
    if (format eq 'png') {
        set terminal pngcairo size @WIDTH@,@HEIGHT@ noenhanced font 'DejaVu Sans,10' background rgb 'white'
    } else {
        set terminal svg size @WIDTH@,@HEIGHT@ fixed noenhanced font 'DejaVu Sans,10' background rgb 'white'
    }
    set output '@STEM@.'.format
    set multiplot title '@TITLE@'
    set lmargin at screen 0.10
    set rmargin at screen 0.97
    if (@TIME_AXIS@) {
        set xdata time
        set timefmt '%s'
    }
    set xrange [@X_MIN@:@X_MAX@]
    top = 0.92
    bottom = 0.20
    if (panel_count > 0) {
        height = (top - bottom) / panel_count
        do for [i=1:panel_count] {
            set tmargin at screen top - (i - 1) * height
            set bmargin at screen top - i * height + 0.02
            set format x ''
            set format y '%g'
            set ytics font ',8'
            set grid xtics ytics lc rgb '#dddddd'
            set ylabel panel_titles[i] font ',9'
            reach = panel_ranges[i]
            set yrange [-reach:reach]
            if (i == 1) {
                set key at screen 0.97, screen 0.955 right top horizontal font ',8'
            } else {
                unset key
            }
            # The bands as areas: ERROR beyond the WARN band (to the edge),
            # WARN up to it, OK within epsilon (+-0.5 for R3's counts).
            ok(e) = panel_whole[i] ? 0.5 : e
            bands = panel_files[i][1:strlen(panel_files[i]) - 4] . '_bands.dat'
            plot bands using 1:4:(reach) with filledcurves fc rgb '#f6c6c6' title 'ERROR (beyond the WARN band)', \
                 bands using 1:(-reach):(-$4) with filledcurves fc rgb '#f6c6c6' notitle, \
                 bands using 1:(-$4):4 with filledcurves fc rgb '#fde9a9' title 'WARN (up to the band)', \
                 bands using 1:(-ok($3)):(ok($3)) with filledcurves fc rgb '#c8ecc8' title 'OK (|delta| <= epsilon)', \
                 panel_files[i] using 1:2 with linespoints lw 1.5 pt 7 ps 0.35 lc rgb '#1f3b73' title 'delta (K - E)'
            set yrange [*:*]
        }
    } else {
        set tmargin at screen top
        set bmargin at screen bottom
        set format x ''
        unset key
        set yrange [0:1]
        set label 1 'no reconcile deltas (no snapshot evaluated a rule)' at graph 0.5, graph 0.5 center
        plot -1 notitle
        unset label 1
        set yrange [*:*]
    }
    set tmargin at screen 0.14
    set bmargin at screen 0.08
    unset grid
    unset key
    unset ylabel
    set ytics ('status' 0.5) font ',9'
    set yrange [0:1]
    if (@TIME_AXIS@) {
        set format x "@TIME_FORMAT@"
    } else {
        set format x '%g'
    }
    set xtics font ',9'
    set label 3 'status of each snapshot: green OK, amber WARN, red ERROR' at screen 0.10, screen 0.155 left font ',9'
    if (@HAS_STATUS@) {
        plot 'reconcile_status.dat' using (($1 + $2) / 2):(0.5):(($2 - $1) / 2):(0.5):(status_colour($3)) with boxxyerror fillstyle solid 1.0 noborder lc rgb variable notitle
    } else {
        set label 2 'no reconcile status' at graph 0.5, graph 0.5 center
        plot -1 notitle
        unset label 2
    }
    unset label 3
    unset multiplot
    unset output
}

#!/bin/sh
# report.sh -- `ledgersim report DIR` on real runs, checked end to end:
#   - the bundled backtest (orders, positions, exits) with off-exchange
#     holdings, a replay of exchange facts, and a generated scenario
#     (decimation, many snapshots) are run and reported;
#   - every chart is a valid PNG (signature, IHDR, CRCs, decodable pixels,
#     not blank) of the size index.html declares, and an SVG that parses as
#     XML with that size;
#   - two reports of the same run are byte-identical, and so is the report
#     of a copy of the run in another folder (no path, clock or locale in it);
#   - headless Chromium renders index.html: from the DOM, the ledger table,
#     the consistency badge (green/yellow/red) and one loaded img.chart per
#     chart; the screenshot is not blank;
#   - a ledger with a missing SL gets the yellow badge;
#   - the AUM donut has a slice per valued asset plus USDT, lists the asset
#     without a mark, and its USDT slice grows with the NAV;
#   - without gnuplot on PATH, `report` exits 2 and says so; a missing
#     directory or one that is not a run directory exits 2 naming it;
#     --help exits 0.
# Uses $LEDGERSIM (default bin/ledgersim). Exits non-zero with a message on
# the first failure.
set -u
LEDGERSIM=${LEDGERSIM:-bin/ledgersim}
case "$LEDGERSIM" in /*) ;; *) LEDGERSIM=$(pwd)/$LEDGERSIM ;; esac
SCENARIO=scenarios/backtest_fuzz.csv
REPLAY_SCENARIO=scenarios/exits_tp_sl.csv
HOLDINGS=fixtures/holdings/offexchange_holdings.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

fail() {
    echo "report.sh: FAIL: $*" >&2
    exit 1
}

[ -x "$LEDGERSIM" ] || fail "no executable $LEDGERSIM (run make first)"
command -v gnuplot >/dev/null 2>&1 || fail "gnuplot is not installed (tools/install-deps.sh)"
command -v python3 >/dev/null 2>&1 || fail "python3 is not installed"
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$CHROMIUM" ] || fail "chromium is not installed (tools/install-deps.sh)"
[ -f "$SCENARIO" ] || fail "missing $SCENARIO"
[ -f "$REPLAY_SCENARIO" ] || fail "missing $REPLAY_SCENARIO"
[ -f "$HOLDINGS" ] || fail "missing $HOLDINGS"

# The checks that need more than sh: PNG and SVG files, the rendered DOM,
# the screenshot, the donut data. Standard library only.
cat >"$work/check.py" <<'PYTHON'
import html.parser, json, os, shlex, struct, sys, xml.etree.ElementTree as ElementTree, zlib
from itertools import accumulate

def fail(message):
    print("report.sh: FAIL: " + message, file=sys.stderr)
    sys.exit(1)

def read_png(path, decode):
    """Checks the signature, every chunk CRC, IHDR first and IEND last, and
    that the pixel data inflates to exactly the IHDR's size. Returns (width,
    height, distinct): with decode, distinct is the set of pixel values
    (every row unfiltered: slow in pure Python, used for the screenshots);
    without, the set of byte values of the filtered rows (a blank image
    filters to a handful of values)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(path + ": not a PNG (bad signature)")
    position, chunks, idat = 8, [], b""
    while position < len(data):
        if position + 8 > len(data):
            fail(path + ": truncated chunk header")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        crc = data[position + 8 + length:position + 12 + length]
        if len(body) != length or len(crc) != 4:
            fail(path + ": truncated chunk " + repr(kind))
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body) & 0xFFFFFFFF:
            fail(path + ": bad CRC in chunk " + repr(kind))
        chunks.append(kind)
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        if kind == b"IDAT":
            idat += body
        position += 12 + length
    if not chunks or chunks[0] != b"IHDR" or chunks[-1] != b"IEND":
        fail(path + ": IHDR must come first and IEND last")
    if depth != 8 or colour not in (0, 2, 4, 6) or interlace != 0:
        fail(path + ": unexpected PNG format depth=%d colour=%d interlace=%d" % (depth, colour, interlace))
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * channels
    if len(raw) != height * (stride + 1):
        fail(path + ": pixel data does not match the IHDR size")
    if not decode:
        return width, height, set(raw)
    pixels, previous = set(), bytes(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], raw[start + 1:start + 1 + stride]
        if kind == 1:
            out = bytearray(line)
            for channel in range(channels):
                out[channel::channels] = bytes(accumulate(line[channel::channels], lambda a, b: (a + b) & 0xFF))
            line = bytes(out)
        elif kind == 2:
            line = bytes([(a + b) & 0xFF for a, b in zip(line, previous)])
        elif kind in (3, 4):
            out = bytearray(line)
            for index in range(stride):
                left = out[index - channels] if index >= channels else 0
                up = previous[index]
                if kind == 3:
                    out[index] = (out[index] + ((left + up) >> 1)) & 0xFF
                    continue
                upper_left = previous[index - channels] if index >= channels else 0
                estimate = left + up - upper_left
                a, b, c = abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)
                out[index] = (out[index] + (left if a <= b and a <= c else (up if b <= c else upper_left))) & 0xFF
            line = bytes(out)
        elif kind != 0:
            fail(path + ": unknown filter type %d" % kind)
        pixels.update(line[index:index + channels] for index in range(0, stride, channels))
        previous = line
    return width, height, pixels

class Page(html.parser.HTMLParser):
    """Collects what the tests look at in index.html or the rendered DOM."""
    def __init__(self):
        super().__init__()
        self.charts, self.ids, self.badge_class, self.ledger_rows = [], {}, None, 0
        self.in_ledger, self.in_ledger_body, self.status = False, False, {}
    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if "id" in attributes:
            self.ids[attributes["id"]] = tag
        classes = (attributes.get("class") or "").split()
        if tag == "img" and "chart" in classes:
            self.charts.append(attributes)
        if attributes.get("id") == "consistency-badge":
            self.badge_class = classes
        if attributes.get("id") == "ledger-table":
            self.in_ledger = True
        if self.in_ledger and tag == "tbody":
            self.in_ledger_body = True
        if self.in_ledger_body and tag == "tr" and "empty" not in classes:
            self.ledger_rows += 1
        if attributes.get("id") == "load-status":
            self.status = attributes
    def handle_endtag(self, tag):
        if tag == "table":
            self.in_ledger = self.in_ledger_body = False

def parse(path):
    page = Page()
    page.feed(open(path, encoding="utf-8").read())
    return page

def check_files(reports, minimum_charts):
    """Every chart of index.html: a valid PNG of the declared size with
    enough colours, an SVG that parses with that size; no stray PNG."""
    page = parse(os.path.join(reports, "index.html"))
    if len(page.charts) < minimum_charts:
        fail("%s: %d chart images, expected at least %d" % (reports, len(page.charts), minimum_charts))
    declared = set()
    for chart in page.charts:
        source = chart.get("src", "")
        if "/" in source or not source.endswith(".png"):
            fail("chart src %r is not a relative PNG name" % source)
        declared.add(source)
        width, height, byte_values = read_png(os.path.join(reports, source), False)
        if (width, height) != (int(chart["width"]), int(chart["height"])):
            fail("%s is %dx%d, index.html says %sx%s" % (source, width, height, chart["width"], chart["height"]))
        if len(byte_values) < 32:
            fail("%s looks blank (%d distinct byte values in its rows)" % (source, len(byte_values)))
        svg = os.path.join(reports, source[:-4] + ".svg")
        root = ElementTree.parse(svg).getroot()
        if not root.tag.endswith("svg"):
            fail(svg + ": root element is not svg")
        if (root.get("width"), root.get("height")) != (chart["width"], chart["height"]):
            fail("%s: size %sx%s, expected %sx%s" % (svg, root.get("width"), root.get("height"),
                                                      chart["width"], chart["height"]))
    on_disk = {name for name in os.listdir(reports) if name.endswith(".png")}
    if on_disk != declared:
        fail("PNG files and chart images differ: %s" % sorted(on_disk ^ declared))
    for required in ("ledger-table", "consistency-badge", "kpis", "reconcile-counts", "fault-log"):
        if required not in page.ids:
            fail("index.html has no element with id %s" % required)
    for link in ("http://", "https://", "//"):
        if ('src="' + link) in open(os.path.join(reports, "index.html")).read():
            fail("index.html loads something from the network")
    print("%s: %d charts, PNG and SVG valid" % (os.path.basename(os.path.dirname(reports)), len(page.charts)))

def check_dom(dom_path, reports, state_path):
    """The DOM Chromium rendered: the ledger table with a row per ledger
    entry, the badge of state.json's ledger_consistency, every chart."""
    state = json.load(open(state_path))
    expected_badge = state["ledger_consistency"]["status"]
    page = parse(dom_path)
    source = parse(os.path.join(reports, "index.html"))
    if "ledger-table" not in page.ids or page.ids["ledger-table"] != "table":
        fail("rendered DOM has no table#ledger-table")
    if page.badge_class is None:
        fail("rendered DOM has no #consistency-badge")
    colours = [name for name in page.badge_class if name in ("green", "yellow", "red")]
    if len(colours) != 1:
        fail("consistency badge classes %r: expected one of green/yellow/red" % page.badge_class)
    if expected_badge and colours[0] != expected_badge:
        fail("consistency badge is %s, expected %s" % (colours[0], expected_badge))
    if page.ledger_rows != len(state["positions_ledger"]):
        fail("ledger table has %d rows, state.json positions_ledger %d" % (page.ledger_rows,
                                                                          len(state["positions_ledger"])))
    if sorted(chart["src"] for chart in page.charts) != sorted(chart["src"] for chart in source.charts):
        fail("rendered DOM charts differ from index.html")
    print("DOM: ledger table with %d rows, badge %s, %d charts" % (page.ledger_rows, colours[0], len(page.charts)))

def check_loaded(dom_path, expected):
    """The probe page's verdict: every img.chart loaded at its PNG size."""
    page = parse(dom_path)
    status = page.status
    if not status:
        fail("probe page did not report (no #load-status in the DOM)")
    if status.get("data-loaded") != str(expected) or status.get("data-broken") != "0":
        fail("chart images loaded in Chromium: %s of %d, broken: %s (%s)" % (
            status.get("data-loaded"), expected, status.get("data-broken"), status.get("data-detail")))
    print("Chromium loaded all %d chart images" % expected)

def check_screenshot(path, width, height):
    got_width, got_height, pixels = read_png(path, True)
    if (got_width, got_height) != (width, height):
        fail("screenshot is %dx%d, expected %dx%d" % (got_width, got_height, width, height))
    if len(pixels) < 50:
        fail("screenshot looks blank: %d distinct pixel values" % len(pixels))
    print("screenshot %dx%d, %d distinct pixel values" % (width, height, len(pixels)))

def usdt_share(reports):
    """The USDT slice of donut.dat, in degrees (end - start)."""
    for line in open(os.path.join(reports, "donut.dat")):
        fields = shlex.split(line)
        if not line.startswith("#") and fields[6] == "USDT":
            return float(fields[1]) - float(fields[0])
    fail("donut.dat of %s has no USDT slice" % reports)

command = sys.argv[1]
if command == "files":
    check_files(sys.argv[2], int(sys.argv[3]))
elif command == "dom":
    check_dom(sys.argv[2], sys.argv[3], sys.argv[4])
elif command == "loaded":
    check_loaded(sys.argv[2], int(sys.argv[3]))
elif command == "screenshot":
    check_screenshot(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif command == "charts":
    print(len(parse(os.path.join(sys.argv[2], "index.html")).charts))
elif command == "usdt":
    print("%.6f" % usdt_share(sys.argv[2]))
elif command == "badge":
    page, state = parse(os.path.join(sys.argv[2], "index.html")), json.load(open(sys.argv[3]))
    status = state["ledger_consistency"]["status"]
    if status != sys.argv[4] or page.badge_class is None or status not in page.badge_class:
        fail("badge %r, state.json %s, expected %s" % (page.badge_class, status, sys.argv[4]))
    if 'class="number missing"' not in open(os.path.join(sys.argv[2], "index.html")).read():
        fail("the ledger table does not mark the missing SL")
    print("badge: %s, as state.json says; the missing SL is marked" % status)
elif command == "donut":
    reports = sys.argv[2]
    slices = [shlex.split(line) for line in open(os.path.join(reports, "donut.dat")) if not line.startswith("#")]
    legend = open(os.path.join(reports, "donut_legend.dat")).read()
    names = sorted(fields[6] for fields in slices)
    if names != ["BTC", "USDC", "USDT"]:
        fail("donut slices %r, expected BTC, USDC, USDT" % names)
    if "no mark" not in legend or "XAUT" not in legend:
        fail("the donut legend does not list XAUT under no mark")
    print("donut: slices %s; XAUT listed as no mark" % ", ".join(names))
elif command == "grows":
    small, large = usdt_share(sys.argv[2]), usdt_share(sys.argv[3])
    if not large > small:
        fail("USDT slice did not grow with NAV: %.3f degrees then %.3f" % (small, large))
    print("USDT slice grows with NAV: %.1f -> %.1f degrees" % (small, large))
else:
    fail("unknown check " + command)
PYTHON
check() {
    python3 "$work/check.py" "$@" || exit 1
}

# Runs the scenario into $work/NAME with extra run options.
run_scenario() { # name scenario options...
    name=$1
    scenario=$2
    shift 2
    "$LEDGERSIM" run "$scenario" --out "$work/$name" "$@" >"$work/$name.run.out" 2>&1 ||
        fail "ledgersim run $scenario $*: $(cat "$work/$name.run.out")"
}

report() { # run directory
    "$LEDGERSIM" report "$1" >"$work/report.out" 2>&1 || fail "ledgersim report $1: $(cat "$work/report.out")"
    [ -f "$1/reports/index.html" ] || fail "no $1/reports/index.html"
}

# 1. The bundled backtest (orders, positions, exits) plus holdings; a replay
#    of exchange facts (no orders, no exchange positions); a generated
#    scenario with many snapshots.
run_scenario bundled "$SCENARIO" --holdings "$HOLDINGS"
report "$work/bundled"
check files "$work/bundled/reports" 5
run_scenario replay "$REPLAY_SCENARIO" --holdings "$HOLDINGS"
report "$work/replay"
check files "$work/replay/reports" 5
"$LEDGERSIM" gen --events 30000 --seed 7 --symbols 3 >"$work/generated.csv" 2>"$work/gen.err" ||
    fail "ledgersim gen: $(cat "$work/gen.err")"
run_scenario generated "$work/generated.csv" --holdings "$HOLDINGS"
report "$work/generated"
check files "$work/generated/reports" 5

# 2. Deterministic: the same run twice, and a copy elsewhere, same bytes.
for name in bundled replay generated; do
    cp -R "$work/$name/reports" "$work/$name.first"
    report "$work/$name"
    diff -r "$work/$name.first" "$work/$name/reports" >"$work/diff.out" 2>&1 ||
        fail "two reports of the same run differ: $(head -5 "$work/diff.out")"
done
mkdir "$work/elsewhere"
cp -R "$work/bundled" "$work/elsewhere/bundled"
rm -rf "$work/elsewhere/bundled/reports"
report "$work/elsewhere/bundled"
diff -r "$work/bundled.first" "$work/elsewhere/bundled/reports" >"$work/diff.out" 2>&1 ||
    fail "the report depends on where the run directory is: $(head -5 "$work/diff.out")"
LC_ALL=C.UTF-8 TZ=Asia/Kathmandu report "$work/elsewhere/bundled"
diff -r "$work/bundled.first" "$work/elsewhere/bundled/reports" >"$work/diff.out" 2>&1 ||
    fail "the report depends on the locale or time zone: $(head -5 "$work/diff.out")"
echo "deterministic: same bytes on a second report, in another folder, locale and time zone"

# 3. Headless Chromium: the DOM, the images as loaded, a screenshot.
browse() { # output-flag url output-file
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --disable-default-apps \
        --allow-file-access-from-files --user-data-dir="$profile" --window-size=1280,2000 \
        --virtual-time-budget=10000 "$@" 2>"$work/chromium.err"
}
for name in bundled generated; do
    page="file://$work/$name/reports/index.html"
    browse --dump-dom "$page" >"$work/$name.dom.html" || fail "chromium --dump-dom failed: $(tail -5 "$work/chromium.err")"
    check dom "$work/$name.dom.html" "$work/$name/reports" "$work/$name/logs/state/state.json"
    charts=$(python3 "$work/check.py" charts "$work/$name/reports")
    # A probe page frames index.html and reports, in its own DOM, how many
    # chart images finished loading with the size of their PNG.
    cat >"$work/$name/reports/probe.html" <<'HTML'
<!DOCTYPE html><html><body><div id="load-status"></div>
<iframe id="frame" src="index.html" width="1280" height="2000"></iframe>
<script>
document.getElementById("frame").addEventListener("load", function () {
  var images = this.contentDocument.querySelectorAll("img.chart"), loaded = 0, broken = 0, detail = [];
  images.forEach(function (image) {
    var fine = image.complete && image.naturalWidth == image.getAttribute("width") &&
               image.naturalHeight == image.getAttribute("height");
    if (fine) loaded++; else { broken++; detail.push(image.getAttribute("src")); }
  });
  var status = document.getElementById("load-status");
  status.setAttribute("data-loaded", loaded);
  status.setAttribute("data-broken", broken);
  status.setAttribute("data-detail", detail.join(" "));
});
</script></body></html>
HTML
    browse --dump-dom "file://$work/$name/reports/probe.html" >"$work/$name.probe.html" ||
        fail "chromium probe failed: $(tail -5 "$work/chromium.err")"
    rm -f "$work/$name/reports/probe.html"
    check loaded "$work/$name.probe.html" "$charts"
    (cd "$work" && browse --screenshot="$work/$name.screenshot.png" "$page" >/dev/null) ||
        fail "chromium --screenshot failed: $(tail -5 "$work/chromium.err")"
    [ -f "$work/$name.screenshot.png" ] || fail "chromium wrote no screenshot"
    check screenshot "$work/$name.screenshot.png" 1280 2000
done

# 4. A yellow ledger (a position whose registry entry has no SL): the
#    badge follows state.json, and the missing SL is marked in the table.
cat >"$work/yellow.csv" <<'CSV'
ts,event_id,type,symbol,side,qty,price,entry_price,tp,sl,key,value
3,,tp_sl,BTCUSDT,LONG,,,100,110,,,
4,,fill,BTCUSDT,BUY,1,100,,,,,
5,,mark,BTCUSDT,,,101,,,,,
CSV
run_scenario yellow "$work/yellow.csv"
report "$work/yellow"
check badge "$work/yellow/reports" "$work/yellow/logs/state/state.json" yellow

# 5. The AUM donut at two NAV levels (wallet 10000, then 60000) with the
#    same holdings: BTC and USDC valued, XAUT without a mark. The USDT slice
#    (the futures NAV) grows; XAUT is listed as "no mark", not drawn.
for wallet in 10000 60000; do
    cat >"$work/donut_$wallet.csv" <<CSV
ts,event_id,type,symbol,qty,price,wallet_balance,avg_cost,key,value
,,config,,,,,,seed_capital,10000
1,,holding,BTC,0.5,,,40000,,
1,,holding,XAUT,2,,,2000,,
1,,holding,USDC,5000,,,1,,
2,b1,balance,,,,$wallet,,,
3,,mark,BTCUSDT,,50000,,,,
3,,mark,USDCUSDT,,1,,,,
CSV
    run_scenario "donut_$wallet" "$work/donut_$wallet.csv"
    report "$work/donut_$wallet"
    check donut "$work/donut_$wallet/reports"
done
check grows "$work/donut_10000/reports" "$work/donut_60000/reports"

# 6. Errors: no gnuplot on PATH, a missing directory, not a run directory, --help.
mkdir "$work/empty-path"
status=0
PATH="$work/empty-path" "$LEDGERSIM" report "$work/bundled" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "report without gnuplot on PATH: exit $status, expected 2"
grep -q gnuplot "$work/err" || fail "report without gnuplot does not say so: $(cat "$work/err")"
status=0
"$LEDGERSIM" report "$work/no-such-run" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "report of a missing directory: exit $status, expected 2"
grep -q "$work/no-such-run" "$work/err" || fail "report of a missing directory does not name it: $(cat "$work/err")"
mkdir "$work/not-a-run"
status=0
"$LEDGERSIM" report "$work/not-a-run" >"$work/out" 2>"$work/err" || status=$?
[ "$status" -eq 2 ] || fail "report of a folder that is not a run: exit $status, expected 2"
grep -q "$work/not-a-run" "$work/err" || fail "report of a non-run folder does not name it: $(cat "$work/err")"
[ ! -e "$work/not-a-run/reports" ] || fail "report wrote into a folder that is not a run directory"
"$LEDGERSIM" report --help >"$work/out" 2>&1 || fail "report --help exits non-zero"
grep -q "usage: ledgersim report" "$work/out" || fail "report --help prints no usage"
status=0
"$LEDGERSIM" report >"$work/out" 2>&1 || status=$?
[ "$status" -eq 2 ] || fail "report without a directory: exit $status, expected 2"
echo "errors: no gnuplot, missing and non-run directories exit 2; --help works"
echo "report.sh: all checks passed"

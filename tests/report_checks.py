"""report_checks.py -- the file checks of tests/report.sh, run in one
process: `python3 tests/report_checks.py CHECKS` where CHECKS holds one
check a line ("command path ..."). Standard library only. Exits 1 with a
message on the first failure (explicit checks, no assert)."""
import base64, html.parser, json, math, os, re, shlex, struct, sys, xml.etree.ElementTree as ElementTree, zlib
from itertools import accumulate


def fail(message):
    print("report.sh: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def read_png(data, name, decode):
    """Checks the signature, every chunk CRC, IHDR first and IEND last, and
    that the pixel data inflates to exactly the IHDR's size. Returns (width,
    height, channels, rows): with decode, rows are the unfiltered pixel rows
    (pure Python: used for the screenshot); without, the filtered bytes."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(name + ": not a PNG (bad signature)")
    position, chunks, idat = 8, [], b""
    while position < len(data):
        if position + 8 > len(data):
            fail(name + ": truncated chunk header")
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        crc = data[position + 8 + length:position + 12 + length]
        if len(body) != length or len(crc) != 4:
            fail(name + ": truncated chunk " + repr(kind))
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body) & 0xFFFFFFFF:
            fail(name + ": bad CRC in chunk " + repr(kind))
        chunks.append(kind)
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        if kind == b"IDAT":
            idat += body
        position += 12 + length
    if not chunks or chunks[0] != b"IHDR" or chunks[-1] != b"IEND":
        fail(name + ": IHDR must come first and IEND last")
    if depth != 8 or colour not in (0, 2, 4, 6) or interlace != 0:
        fail(name + ": unexpected PNG format depth=%d colour=%d interlace=%d" % (depth, colour, interlace))
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * channels
    if len(raw) != height * (stride + 1):
        fail(name + ": pixel data does not match the IHDR size")
    if not decode:
        return width, height, channels, raw
    rows, previous = [], bytes(stride)
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
            fail(name + ": unknown filter type %d" % kind)
        rows.append(line)
        previous = line
    return width, height, channels, rows


class Page(html.parser.HTMLParser):
    """Collects what the checks look at in index.html or a rendered DOM."""
    def __init__(self):
        super().__init__()
        self.charts, self.ids, self.badge_class, self.ledger_rows = [], {}, None, 0
        self.in_ledger, self.in_ledger_body, self.status, self.sources = False, False, {}, []
        self.table, self.tables, self.cell, self.row = None, {}, None, None
    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if "id" in attributes:
            self.ids[attributes["id"]] = tag
        for name in ("src", "href"):
            if name in attributes and tag not in ("a",):
                self.sources.append(attributes[name])
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
        if tag == "table":
            self.table = attributes.get("id")
            self.tables[self.table] = []
        if tag == "tr" and self.table is not None:
            self.row = []
            self.tables[self.table].append(self.row)
        if tag in ("td", "th") and self.row is not None:
            self.cell = [attributes.get("title"), ""]
            self.row.append(self.cell)
    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data
    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = None
        if tag == "table":
            self.in_ledger = self.in_ledger_body = False
            self.table, self.row = None, None


def parse(path):
    page = Page()
    page.feed(open(path, encoding="utf-8").read())
    return page


def chart_png(chart, where):
    """The bytes of a chart's data URI PNG."""
    source = chart.get("src", "")
    prefix = "data:image/png;base64,"
    if not source.startswith(prefix):
        fail("%s: chart %s is not an inline PNG (src %r...)" % (where, chart.get("id"), source[:40]))
    return base64.b64decode(source[len(prefix):], validate=True)


def check_files(reports, minimum_charts):
    """index.html is one file: every chart an inline PNG equal to STEM.png,
    of its declared size, not blank; STEM.svg parses with that size; no
    other source; every PNG beside it is a chart of the page."""
    index = os.path.join(reports, "index.html")
    page = parse(index)
    if len(page.charts) < int(minimum_charts):
        fail("%s: %d chart images, expected at least %s" % (reports, len(page.charts), minimum_charts))
    stems = set()
    for chart in page.charts:
        stem = chart.get("id", "")[len("chart-"):]
        stems.add(stem + ".png")
        data = chart_png(chart, reports)
        if data != open(os.path.join(reports, stem + ".png"), "rb").read():
            fail("%s: the inline PNG of %s differs from %s.png" % (reports, stem, stem))
        width, height, _, raw = read_png(data, stem, False)
        if (width, height) != (int(chart["width"]), int(chart["height"])):
            fail("%s is %dx%d, index.html says %sx%s" % (stem, width, height, chart["width"], chart["height"]))
        if len(set(raw)) < 32:
            fail("%s looks blank (%d distinct byte values in its rows)" % (stem, len(set(raw))))
        root = ElementTree.parse(os.path.join(reports, stem + ".svg")).getroot()
        if not root.tag.endswith("svg") or (root.get("width"), root.get("height")) != (chart["width"], chart["height"]):
            fail("%s.svg: not an svg of %sx%s" % (stem, chart["width"], chart["height"]))
    others = [source for source in page.sources if not source.startswith("data:")]
    if others:
        fail("%s: index.html refers to other files: %r" % (reports, others[:5]))
    on_disk = {name for name in os.listdir(reports) if name.endswith(".png")}
    if on_disk != stems:
        fail("PNG files and chart images differ: %s" % sorted(on_disk ^ stems))
    for required in ("ledger-table", "consistency-badge", "kpis", "reconcile-counts", "fault-log", "trading"):
        if required not in page.ids:
            fail("index.html has no element with id %s" % required)
    print("%s: %d charts inline, equal to their PNG, SVG valid" % (os.path.basename(os.path.dirname(reports)),
                                                                   len(page.charts)))


def check_dom(dom_path, reports, state_path):
    """The DOM Chromium rendered: the ledger table with a row per ledger
    entry, the badge of state.json's ledger_consistency, every chart."""
    state = json.load(open(state_path))
    expected_badge = state["ledger_consistency"]["status"]
    page, source = parse(dom_path), parse(os.path.join(reports, "index.html"))
    if page.ids.get("ledger-table") != "table":
        fail("rendered DOM has no table#ledger-table")
    colours = [name for name in (page.badge_class or []) if name in ("green", "yellow", "red")]
    if len(colours) != 1 or colours[0] != expected_badge:
        fail("consistency badge classes %r, expected %s" % (page.badge_class, expected_badge))
    if page.ledger_rows != len(state["positions_ledger"]):
        fail("ledger table has %d rows, state.json positions_ledger %d" % (page.ledger_rows,
                                                                          len(state["positions_ledger"])))
    if sorted(c["id"] for c in page.charts) != sorted(c["id"] for c in source.charts):
        fail("rendered DOM charts differ from index.html")
    print("DOM: ledger table with %d rows, badge %s, %d charts" % (page.ledger_rows, colours[0], len(page.charts)))


def check_loaded(dom_path, index):
    """index.html alone in a folder: Chromium loaded every chart at its size."""
    expected = len(parse(index).charts)
    status = parse(dom_path).status
    if not status:
        fail("probe page did not report (no #load-status in the DOM)")
    if status.get("data-loaded") != str(expected) or status.get("data-broken") != "0":
        fail("charts loaded in Chromium from index.html alone: %s of %d, broken: %s (%s)" % (
            status.get("data-loaded"), expected, status.get("data-broken"), status.get("data-detail")))
    print("Chromium loaded all %d charts of index.html alone in a folder" % expected)


def check_ring(path):
    """The screenshot shows the USDT slice (#26a17b) as a full ring: its
    pixels form a square-ish cluster with a hole, present in all four
    quadrants around its centre, with the area of a ring."""
    width, height, channels, rows = read_png(open(path, "rb").read(), path, True)
    if (width, height) != (1280, 2000):
        fail("screenshot is %dx%d, expected 1280x2000" % (width, height))
    colour = bytes([0x26, 0xA1, 0x7B])
    points = []
    for y, row in enumerate(rows):
        for match in re.finditer(re.escape(colour), row):
            if match.start() % channels == 0:
                points.append((match.start() // channels, y))
    # The ring is the biggest run of columns holding the colour (the legend
    # swatch sits apart, to its right).
    columns = sorted({x for x, _ in points})
    runs, start = [], None
    for index, x in enumerate(columns):
        if start is None:
            start = x
        if index + 1 == len(columns) or columns[index + 1] - x > 10:
            runs.append((start, x))
            start = None
    if not runs:
        fail("screenshot: no USDT-coloured pixel at all (the donut is blank)")
    best = max(runs, key=lambda run: sum(1 for x, _ in points if run[0] <= x <= run[1]))
    ring = [(x, y) for x, y in points if best[0] <= x <= best[1]]
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
    diameter = right - left + 1
    if diameter < 100 or abs((bottom - top + 1) - diameter) > 6:
        fail("screenshot: the USDT pixels span %dx%d, not a ring" % (diameter, bottom - top + 1))
    cx, cy, radius = (left + right) / 2, (top + bottom) / 2, diameter / 2
    quadrants = [0, 0, 0, 0]
    for x, y in ring:
        quadrants[(x >= cx) + 2 * (y >= cy)] += 1
    ring_area = math.pi * radius * radius * (1 - 0.58 * 0.58)
    if min(quadrants) < 0.2 * len(ring) or len(ring) < 0.8 * ring_area:
        fail("screenshot: USDT ring not full: %d pixels by quadrant %r, a full ring has about %d" % (
            len(ring), quadrants, ring_area))
    hole = rows[int(cy)][int(cx) * channels:int(cx) * channels + 3]
    if hole == colour:
        fail("screenshot: the USDT shape has no hole: a disc, not a ring")
    print("screenshot: full USDT ring, diameter %d px, %d pixels (quadrants %r)" % (diameter, len(ring), quadrants))


def gp_value(reports, name, key):
    """The text after 'key' in a filled gnuplot script."""
    text = open(os.path.join(reports, name)).read()
    found = re.search(key, text)
    if not found:
        fail("%s/%s: no %r" % (reports, name, key))
    return found.group(1)


def check_trading(reports, kpis_path):
    """Trades listed with their realized PnL: kpis_v7.json's count and sum;
    PnL per symbol sums to it; a null Sharpe says why; daily returns."""
    kpis = json.load(open(kpis_path))
    page = parse(os.path.join(reports, "index.html"))
    trades = page.tables.get("trades", [])[1:]
    if len(trades) != kpis["trades"]:
        fail("trades table has %d rows, kpis_v7.json trades %d" % (len(trades), kpis["trades"]))
    realized = sum(float(row[7][0]) for row in trades)
    if abs(realized - kpis["realized_pnl"]) > 1e-6 * max(1, abs(kpis["realized_pnl"])):
        fail("trades realize %r, kpis_v7.json realized_pnl %r" % (realized, kpis["realized_pnl"]))
    symbols = page.tables.get("symbol-pnl", [])
    total = [row for row in symbols if row and row[0][1] == "total"]
    if not total or abs(float(total[0][5][0]) - kpis["realized_pnl"]) > 1e-6 * max(1, abs(kpis["realized_pnl"])):
        fail("PnL per symbol does not total kpis_v7.json realized_pnl")
    if kpis["sharpe"] is None and "fewer than two UTC days" not in open(os.path.join(reports, "index.html")).read():
        fail("Sharpe is null and index.html does not say why")
    if len(page.tables.get("daily-returns", [])) < 2:
        fail("no daily returns table")
    if "chart-exposure" not in page.ids:
        fail("no exposure chart")
    print("trading: %d trades realizing %.2f as kpis_v7.json says; PnL per symbol, daily returns, Sharpe reason" % (
        len(trades), realized))


def check_reconcile(reports):
    """All three bands in the legend; each panel's Y range from its data and
    epsilon, not from the WARN band; units."""
    script = open(os.path.join(reports, "reconcile.gp")).read()
    for title in ("title 'ERROR", "title 'WARN", "title 'OK"):
        if title not in script:
            fail("reconcile.gp: no legend entry %s..." % title)
    if "USDT" not in script:
        fail("reconcile.gp: no units")
    files = re.findall(r"'(reconcile_[a-z_]+\.dat)'", gp_value(reports, "reconcile.gp", r"array panel_files\[\d+\] = \[(.*)\]"))
    ranges = [float(v) for v in gp_value(reports, "reconcile.gp", r"array panel_ranges\[\d+\] = \[(.*)\]").split(",")]
    for name, reach in zip(files, ranges):
        rows = [line.split() for line in open(os.path.join(reports, name)) if not line.startswith("#")]
        deltas = [abs(float(row[1])) for row in rows if row[1] != "NaN"]
        epsilons = [float(row[2]) for row in rows if row[2] != "NaN"]
        bands = [float(row[3]) for row in rows if row[3] != "NaN"]
        largest, epsilon = max(deltas), max(epsilons)
        if reach < largest or reach > 1.25 * max(largest, 4 * epsilon, 0.5 if "open_positions" in name else 0) * 1.0001:
            fail("%s: Y half-range %r for deltas up to %r, epsilon %r" % (name, reach, largest, epsilon))
        if largest == 0 and bands and max(bands) > 0 and reach >= max(bands):
            fail("%s: every delta is 0 but the panel spans the WARN band %r" % (name, max(bands)))
    print("reconcile: %d panels scaled to their data, three bands in the legend, USDT" % len(files))


def check_tables(reports):
    """Table cells are for reading: no number with more than 6 decimals."""
    page = parse(os.path.join(reports, "index.html"))
    for table in ("ledger-table", "aum-table", "trades", "symbol-pnl"):
        for row in page.tables.get(table, []):
            for _, text in row:
                if re.search(r"\d\.\d{7,}", text):
                    fail("table %s shows a raw number %r" % (table, text))
    print("tables: money, prices and quantities rounded for reading (exact values in titles)")


def check_trace_none(reports, kpis_path):
    kpis = json.load(open(kpis_path))
    text = open(os.path.join(reports, "index.html")).read()
    page = parse(os.path.join(reports, "index.html"))
    if "chart-reconcile" in page.ids or os.path.exists(os.path.join(reports, "reconcile.png")):
        fail("--trace none: a reconcile chart was drawn without reconcile.jsonl")
    if "no snapshot evaluated a rule" in text or "reconcile-no-trace" not in page.ids:
        fail("--trace none: the report does not say the deltas need the trace")
    rows = page.tables.get("reconcile-kpi-rules", [])[1:]
    worst = {row[0][1].split()[1]: row[5][1] for row in rows}
    for field, count in kpis["reconcile"]["worst_fields"].items():
        if worst.get(field, "").replace(",", "") != str(count):
            fail("--trace none: worst field %s shows %r, kpis_v7.json %d" % (field, worst.get(field), count))
    rules = kpis["reconcile"].get("rules")
    if rules is not None:
        shown = {row[0][1].split()[1]: [cell[1].replace(",", "") for cell in row[1:5]] for row in rows}
        for field, outcome in rules.items():
            expected = [str(outcome[key]) for key in ("evaluated", "ok", "warn", "error")]
            if shown.get(field) != expected:
                fail("--trace none: rule %s shows %r, kpis_v7.json reconcile.rules %r" % (field, shown.get(field),
                                                                                         expected))
    counts = page.tables.get("reconcile-counts", [])[1:]
    if [row[1][1].replace(",", "") for row in counts] != [str(kpis["reconcile"][k]) for k in ("ok", "warn", "error")]:
        fail("--trace none: status counts differ from kpis_v7.json")
    if "exposure-missing" not in page.ids:
        fail("--trace none: no word on the missing exposure chart")
    print("--trace none: no empty chart; counts of kpis_v7.json (ERROR %d)" % kpis["reconcile"]["error"])


def check_aum_axis(reports):
    """One Y axis per panel, and AUM starts where it first differs from NAV."""
    script = open(os.path.join(reports, "nav_aum.gp")).read()
    if "y2" in script.replace("# ", ""):
        fail("nav_aum.gp draws on a second Y axis")
    rows = [line.split() for line in open(os.path.join(reports, "nav.dat")) if not line.startswith("#")]
    if rows[0][2] != "NaN":
        fail("nav.dat: the first AUM point (equal to the NAV, before any mark) is drawn: %r" % rows[0])
    if not any(row[2] != "NaN" for row in rows):
        fail("nav.dat: no AUM point at all")
    print("NAV/AUM: separate labelled panels; AUM from its first value that differs from the NAV")


def donut_rows(reports):
    return [shlex.split(line) for line in open(os.path.join(reports, "donut.dat")) if not line.startswith("#")]


def usdt_share(reports):
    for fields in donut_rows(reports):
        if fields[6] == "USDT":
            return float(fields[1]) - float(fields[0])
    fail("donut.dat of %s has no USDT slice" % reports)


def check_one_slice(reports):
    rows = donut_rows(reports)
    if len(rows) != 1 or rows[0][6] != "USDT" or (rows[0][0], rows[0][1]) != ("0", "360"):
        fail("a run without holdings: donut.dat should be one USDT arc 0..360, got %r" % rows)
    print("donut without holdings: one USDT arc of 0..360 degrees")


def check_negative(reports, nav_path):
    nav = json.load(open(nav_path))
    total = nav["aum"]["total"]
    if nav["aum"]["futures"] >= 0:
        fail("negative.csv did not give a negative futures NAV: %r" % nav["aum"])
    if any(fields[6] == "USDT" for fields in donut_rows(reports)):
        fail("a negative futures NAV is drawn as a slice")
    centre = gp_value(reports, "aum_donut.gp", r'set label 1 "([^"]*)"')
    shown = "{:,.2f}".format(total)
    if shown not in centre or "net of a futures" not in centre:
        fail("donut centre %r does not show nav.json's total %s net of the futures NAV" % (centre, shown))
    page = open(os.path.join(reports, "index.html")).read()
    tile = re.search(r'id="kpi-aum_total" title="([^"]*)">([^<]*)<', page)
    if not tile or float(tile.group(1)) != total or shown not in tile.group(2):
        fail("KPI card AUM %r differs from nav.json %r" % (tile and tile.groups(), total))
    if "a debt" not in open(os.path.join(reports, "donut_legend.dat")).read():
        fail("the donut legend does not list the negative futures NAV as a debt")
    print("negative futures NAV: no slice, a debt in the legend; centre, KPI card and nav.json say %s" % shown)


def check_progress_tty(path):
    text = open(path, "rb").read().decode("utf-8", "replace")
    if not re.search(r"replay progress\.csv +\d+%  [\d,]+ rows  [\d,]+ events/s", text):
        fail("no replay progress line on a terminal: %r" % text[:300])
    report_lines = re.findall(r"report: reading [^\r\n\x1b]*", text)
    if not report_lines:
        fail("no report progress line on a terminal")
    for line in report_lines:
        if re.search(r"\(\d+/\d+\)|bytes", line):
            fail("the report phase shows a byte count: %r" % line)
    print("progress on a terminal: replay rows, events/s, percent; report phase without byte counts")


def check_badge(reports, state_path, expected):
    page, state = parse(os.path.join(reports, "index.html")), json.load(open(state_path))
    status = state["ledger_consistency"]["status"]
    if status != expected or page.badge_class is None or status not in page.badge_class:
        fail("badge %r, state.json %s, expected %s" % (page.badge_class, status, expected))
    if 'class="number missing"' not in open(os.path.join(reports, "index.html")).read():
        fail("the ledger table does not mark the missing SL")
    print("badge: %s, as state.json says; the missing SL is marked" % status)


def check_donut(reports):
    names = sorted(fields[6] for fields in donut_rows(reports))
    legend = open(os.path.join(reports, "donut_legend.dat")).read()
    if names != ["BTC", "USDC", "USDT"]:
        fail("donut slices %r, expected BTC, USDC, USDT" % names)
    if "no mark" not in legend or "XAUT" not in legend:
        fail("the donut legend does not list XAUT under no mark")
    print("donut: slices %s; XAUT listed as no mark" % ", ".join(names))


def check_grows(small_reports, large_reports):
    small, large = usdt_share(small_reports), usdt_share(large_reports)
    if not large > small:
        fail("USDT slice did not grow with NAV: %.3f degrees then %.3f" % (small, large))
    print("USDT slice grows with NAV: %.1f -> %.1f degrees" % (small, large))


COMMANDS = {
    "files": check_files, "dom": check_dom, "loaded": check_loaded, "ring": check_ring,
    "trading": check_trading, "reconcile": check_reconcile, "tables": check_tables,
    "trace_none": check_trace_none, "aum_axis": check_aum_axis, "one_slice": check_one_slice,
    "negative": check_negative, "progress_tty": check_progress_tty, "badge": check_badge,
    "donut": check_donut, "grows": check_grows,
}

for line in open(sys.argv[1]):
    words = line.split()
    if not words:
        continue
    if words[0] not in COMMANDS:
        fail("unknown check " + words[0])
    COMMANDS[words[0]](*words[1:])

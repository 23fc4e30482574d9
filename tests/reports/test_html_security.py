"""Hostile names through ``skreg report``: HTML escaped, JSON strict, text neutralised.

A CSV whose header holds script and attribute-injection payloads (and terminal
escapes, mathtext, very long names), with such a target name and file name, goes
through the command with ``--html`` and ``--json``. No payload may appear
unescaped, the page may load nothing external, and in headless Chromium no payload
may run: neither as shipped (with its Content-Security-Policy) nor with the policy
removed, so that escaping alone is shown to be enough.
"""

import html
import io
import json
import re
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest

from skreg import cli
from skreg.reports._render import CSP, clean_text

pytest.importorskip("matplotlib")

PAYLOADS = [
    '<script>document.body.setAttribute("data-pwned","1")</script>',
    "<img src=x onerror=\"document.title='PWNED'\">",
    '" autofocus onfocus="document.title=\'PWNED\'" x="',
    "' onmouseover='document.title=`PWNED`' '",
    'javascript:document.title="PWNED"',
    "</textarea><svg onload=\"document.title='PWNED'\">",
    '</title><script>document.title="PWNED"</script>',
    "<iframe srcdoc=\"<script>parent.document.title='PWNED'</script>\"></iframe>",
    '<a href="http://evil.example/">click</a>',
    "<style>body{background:url(http://evil.example/x.png)}</style>",
    '<meta http-equiv="refresh" content="0;url=http://evil.example/">',
    "<!-- unterminated comment",
    "&lt;already escaped&gt; &amp;",
    "<base href=//evil.example/>",
]
# Not HTML attacks, but hostile to a terminal, a table or a figure.
ODD = [
    "esc\x1b[2J\x1b[31mred\x1b[0m",
    "cr\rover",
    "new\nline",
    "tab\there",
    "bidi\u202eevil",
    "$\\frac{a}{$",
    "_hidden",
    "a|b`c`",
    "prix_\xe9 \u6570\u636e \U0001f600",
    "x" * 300,
]
TARGET = 'y<script>document.title="PWNED"</script>'
CONSTANT = "<b onclick=alert(1)>constant</b>"  # a constant feature: NaN statistics
FILE_NAME = "evil\"'<img src=x onerror=alert(1)>.csv"
NAMES = [*PAYLOADS, *ODD, CONSTANT]


def _write_csv(path):
    import csv

    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, len(NAMES)))
    X[:, -1] = 1.0
    y = 3 * X[:, 0] - 2 * X[:, 1] + 2 * X[:, len(PAYLOADS) + 5]
    y += 0.1 * rng.standard_normal(40)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([*NAMES, TARGET])
        w.writerows(np.column_stack([X, y]).tolist())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    data = tmp / FILE_NAME
    _write_csv(data)
    page, js = tmp / "report.html", tmp / "report.json"
    out, err = io.StringIO(), io.StringIO()
    status = cli.main(
        [str(data), "--target", TARGET, "--html", str(page), "--json", str(js),
         "--n-bootstrap", "6", "--cv", "3", "--l1-ratio", "1.0"],
        out=out, err=err,
    )  # fmt: skip
    assert status == 0, err.getvalue()
    return {
        "out": out.getvalue(),
        "err": err.getvalue(),
        "page": page,
        "html": page.read_text(encoding="utf-8"),
        "json": js.read_bytes(),
        "data": data,
    }


# -- HTML ------------------------------------------------------------------------------
def test_no_payload_appears_unescaped(hostile):
    page = hostile["html"]
    for name in [*NAMES, TARGET, FILE_NAME]:
        if "<" in name or '"' in name or "'" in name or "&" in name:
            assert name not in page, name
        assert html.escape(clean_text(name), quote=True) in page, name
    assert "&amp;lt;already escaped&amp;gt; &amp;amp;" in page  # escaped once more
    for odd in ODD:
        assert odd not in page or odd.isprintable()


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.styles, self._in_style = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v) for k, v in attrs)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "div", "h1", "h2", "dl", "dt",
    "dd", "table", "thead", "tbody", "tr", "th", "td", "p", "b", "figure", "img",
    "figcaption", "ul", "li",
}  # fmt: skip


def _check_structure(page, expect_csp=True):
    c = _Collector()
    c.feed(page)
    assert set(c.tags) <= ALLOWED_TAGS, set(c.tags) - ALLOWED_TAGS
    assert c.tags.count("style") == 1 and "url(" not in c.styles[0]
    for tag, key, value in c.attrs:
        assert not key.startswith("on"), (tag, key, value)
        assert key not in {"href", "srcdoc", "action", "formaction", "autofocus"}
        if key == "src":
            assert tag == "img" and value.startswith("data:image/png;base64,")
        if key == "style":
            assert "url(" not in value and "expression" not in value
    metas = [(k, v) for t, k, v in c.attrs if t == "meta"]
    if expect_csp:
        assert ("http-equiv", "Content-Security-Policy") in metas
        assert ("content", CSP) in metas
    return c


def test_page_loads_nothing_external_and_runs_no_script(hostile):
    c = _check_structure(hostile["html"])
    assert c.tags.count("img") == 3  # the three figures, inline PNGs
    assert "script" not in c.tags
    assert "default-src 'none'" in CSP and "script-src" not in CSP


# Text never holds a raw "<" (it is escaped as &lt;), so every "<" opens real markup
# and a regex over the tags sees every attribute the browser will see.
_TAG = re.compile(r"<[^>]*>")
_URL_ATTR = re.compile(
    r"""\b(src|href|action|formaction|srcset|poster|background|data|ping|"""
    r"""xlink:href|content)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""",
    re.IGNORECASE,
)
_DATA_PNG = re.compile(r"data:image/png;base64,[A-Za-z0-9+/]+=*")


def test_regex_finds_no_external_url(hostile):
    page = hostile["html"]
    tags = _TAG.findall(page)
    assert len(tags) == page.count("<")
    values = [
        (m[0].lower(), m[1] or m[2] or m[3])
        for tag in tags
        for m in _URL_ATTR.findall(tag)
    ]
    srcs = [v for k, v in values if k != "content"]
    assert len(srcs) == 3 and all(_DATA_PNG.fullmatch(v) for v in srcs), srcs
    assert sorted(v for k, v in values if k == "content") == sorted(
        [CSP, "no-referrer"]
    )
    for tag in tags:
        bare = _DATA_PNG.sub("", tag)
        assert not re.search(r"(?i)https?:|//|javascript:|url\(", bare), tag
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
    assert not re.search(r"(?i)url\(|@import|//|https?:", style)


def test_title_holds_the_escaped_file_name(hostile):
    title = re.search(r"<title>(.*)</title>", hostile["html"]).group(1)
    assert title == "skreg feature-selection report – " + html.escape(FILE_NAME)


def test_notebook_fragment_is_escaped_too(hostile):
    from skreg.reports import FeatureSelectionReport

    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 3))
    y = X[:, 0] + 0.1 * rng.standard_normal(30)
    from skreg import LassoCV

    report = FeatureSelectionReport.from_estimator(
        LassoCV(cv=3),
        X,
        y,
        feature_names=PAYLOADS[:3],
        target_name=TARGET,
        cv=3,
        n_bootstrap=0,
    )
    fragment = report._repr_html_()
    for name in [*PAYLOADS[:3], TARGET]:
        assert name not in fragment
    c = _Collector()
    c.feed(fragment)
    assert "script" not in c.tags
    assert not any(k.startswith("on") for _, k, _ in c.attrs)


# -- JSON ------------------------------------------------------------------------------
def _no_constants(name):
    raise AssertionError(f"non-standard JSON constant {name}")


def test_json_is_strict_utf8_and_keeps_the_names(hostile):
    raw = hostile["json"]
    text = raw.decode("utf-8")  # strict: fails on anything but UTF-8
    data = json.loads(text, parse_constant=_no_constants)
    assert data["feature_names"] == NAMES  # data, so kept exactly
    assert data["provenance"]["target"] == TARGET
    assert data["provenance"]["source"] == FILE_NAME  # the name, not the directory
    assert "prix_\xe9 \u6570\u636e \U0001f600" in text  # UTF-8, not \u escapes
    # The constant feature never enters the path: its statistics are NaN in
    # Python and null in the JSON.
    constant = next(f for f in data["features"] if f["name"] == CONSTANT)
    assert constant["entry_alpha"] is None and constant["sign_consistency"] is None
    assert not re.search(rb"\b(NaN|-?Infinity)\b", raw)


def test_to_json_turns_every_non_finite_value_into_null():
    from skreg.reports._render import _plain

    value = {"a": [np.nan, np.inf, -np.inf, 1.0], "b": np.array([np.nan]), 3: np.inf}
    text = json.dumps(_plain(value), allow_nan=False)
    assert json.loads(text, parse_constant=_no_constants) == {
        "a": [None, None, None, 1.0],
        "b": [None],
        "3": None,
    }


# -- text ------------------------------------------------------------------------------
def test_text_output_reaches_the_terminal_neutralised(hostile):
    out = hostile["out"]
    assert hostile["err"] == ""  # no warnings (missing glyphs, mathtext) either
    bad = {c for c in out if not (c.isprintable() or c == "\n")}
    assert not bad, bad
    assert "esc\\x1b[2J" in out and "cr\\rover" in out and "new\\nline" in out
    assert "tab\\there" in out and "bidi\\u202e" in out
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    # cut in the middle (the end tells names apart), and marked as cut
    assert re.search("x{5,}…x{5,}", out) and "x" * 41 not in out


def test_to_text_neutralises_every_name_it_prints():
    from skreg import LassoCV
    from skreg.reports import FeatureSelectionReport

    rng = np.random.default_rng(2)
    X = rng.standard_normal((40, 4))
    y = X[:, 0] + X[:, 1] + 0.1 * rng.standard_normal(40)
    names = ["nul\x00x", "esc\x1b]0;title\x07", "del\x7f", "z\u2028line"]
    report = FeatureSelectionReport.from_estimator(
        LassoCV(cv=3),
        X,
        y,
        feature_names=names,
        target_name="t\x1b[1m",
        cv=3,
        n_bootstrap=6,
        random_state=0,
    )
    text = report.to_text()
    assert not {c for c in text if not (c.isprintable() or c == "\n")}
    assert "nul\\x00x" in text and "esc\\x1b]0;ti" in text and "del\\x7f" in text
    assert 'target "t\\x1b[1m"' in text and "z\\u2028line" in text


def test_messages_quote_names_on_one_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text('"bad\x1b[31m\nname",y\nabc,1\ndef,2\n', encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    status = cli.main([str(path), "--target", "y"], out=out, err=err)
    assert status == 2 and err.getvalue().count("\n") == 1
    assert "'bad\\x1b[31m\\nname'" in err.getvalue()


# -- figures ---------------------------------------------------------------------------
def test_legend_shows_names_literally():
    from matplotlib.figure import Figure

    from skreg.reports import RegularizationPathDisplay

    names = ["$\\frac{a}{$", "_hidden", "a$b$c", "q" * 80]
    alphas = np.geomspace(1, 0.01, 5)
    display = RegularizationPathDisplay(
        alphas, np.outer(np.arange(1, 5), alphas), feature_names=names
    )
    fig = Figure()
    display.plot(ax=fig.add_subplot())
    fig.savefig(io.BytesIO(), format="png")  # mathtext would raise here
    # the names at the right edge of the path (no legend over the curves)
    texts = [t.get_text() for t in display.labels_]
    assert texts[:4] == [
        "\\$\\frac{a}{\\$",
        " _hidden",
        "a\\$b\\$c",
        "q" * 13 + "…" + "q" * 14,
    ]


# -- in a browser ----------------------------------------------------------------------
def _dump_dom(chromium, tmp_path, page):
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000",
        "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout, res.stderr


def _body_attrs(dom):
    m = re.search(r"<body([^>]*)>", dom)
    assert m, dom[:2000]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', m.group(1)))


def test_no_script_runs_in_chromium(chromium, hostile, tmp_path):
    dom, log = _dump_dom(chromium, tmp_path, hostile["page"])
    # The DOM as the browser built it: only the report's own elements, no handler.
    c = _check_structure(dom)
    assert "script" not in c.tags and "svg" not in c.tags and "iframe" not in c.tags
    title = re.search(r"<title>(.*)</title>", dom).group(1)
    assert html.unescape(title) == "skreg feature-selection report – " + FILE_NAME
    assert _body_attrs(dom) == {}  # no data-pwned
    # No console message at all: nothing ran, and the policy had nothing to block.
    console = [line for line in log.splitlines() if ":CONSOLE" in line]
    assert console == []


def test_escaping_alone_stops_the_payloads(chromium, hostile, tmp_path):
    # Without the Content-Security-Policy, a probe (first in <head>) records
    # dialogs, errors, and after load: the title, the scripts, elements with an
    # on* attribute, and whether the figures decoded.
    probe = (
        "<script>"
        "const mark = (k, v) => document.documentElement.setAttribute(k, v);"
        "for (const f of ['alert', 'confirm', 'prompt', 'print', 'open'])"
        "  window[f] = () => mark('data-dialog', f);"
        "window.addEventListener('error', e => mark('data-error', String(e.message)));"
        "window.addEventListener('load', () => {"
        "  mark('data-title', document.title);"
        "  mark('data-scripts', String(document.scripts.length));"
        "  const on = [...document.querySelectorAll('*')].filter("
        "    el => [...el.attributes].some(a => a.name.startsWith('on')));"
        "  mark('data-on', String(on.length));"
        "  mark('data-images', JSON.stringify([...document.images].map("
        "    i => i.complete && i.naturalWidth > 0)));"
        "  mark('data-done', '1');});"
        "</script>"
    )
    page = hostile["html"]
    stripped, n = re.subn(
        r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", page
    )
    assert n == 1
    probe_page = tmp_path / "probe.html"
    probe_page.write_text(
        stripped.replace("<head>\n", "<head>\n" + probe, 1), encoding="utf-8"
    )
    dom, _ = _dump_dom(chromium, tmp_path, probe_page)
    root = dict(re.findall(r'([\w-]+)="([^"]*)"', re.search(r"<html([^>]*)>", dom)[1]))
    assert root.get("data-done") == "1", dom[:2000]
    assert "data-dialog" not in root and "data-error" not in root
    assert html.unescape(root["data-title"]) == (
        "skreg feature-selection report – " + FILE_NAME
    )
    assert root["data-scripts"] == "1"  # the probe only
    assert root["data-on"] == "0"
    assert html.unescape(root["data-images"]) == "[true,true,true]"
    assert _body_attrs(dom) == {}

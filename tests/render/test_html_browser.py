"""The HTML report in a real headless browser: it renders, and what it draws is not blank.

The unit tests check the page's markup; only a browser shows that the inline CSS and
SVG actually paint something. The test needs Debian's ``chromium`` (``.ci/run``
installs it): without one it is skipped, except in CI (``CI`` set), where a missing
browser must not pass silently. The screenshot is decoded with the standard library
alone (``zlib`` and ``struct``), so the test adds no dependency.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from ipsexpert.cli.commands import main
from tests.conftest import SCENARIOS

pytestmark = pytest.mark.slow

BROWSERS = ("chromium", "chromium-browser")
SATISFIED_GREEN = (0x2F, 0x9E, 0x44)  # render_html.OUTCOME_COLOURS["satisfied"], the chart's bars
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        message = "no chromium or chromium-browser on PATH (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the browser test must run, but {message}")
        pytest.skip(message)
    return found


def screenshot(browser: str, page: Path, tmp_path: Path) -> Path:
    """A 1200×1600 screenshot of ``page``, the browser cut off from the network and any profile."""
    png = tmp_path / "report.png"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--force-color-profile=srgb", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}",
               "--window-size=1200,1600", page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and png.exists(), result.stderr[-2000:]
    return png


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit, non-interlaced RGB or RGBA PNG."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    position, chunks = 8, {}
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunks.setdefault(kind, []).append(data[position + 8:position + 8 + length])
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and interlace == 0 and colour in (2, 6), (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    stride, previous, rows = width * bpp, bytes(width * bpp), []
    for y in range(height):
        start = y * (stride + 1)
        previous = unfilter(raw[start], raw[start + 1:start + 1 + stride], previous, bpp)
        rows.append(previous)
    pixels = b"".join(rows)
    return width, height, list(zip(pixels[0::bpp], pixels[1::bpp], pixels[2::bpp]))


def unfilter(kind: int, line: bytes, above: bytes, bpp: int) -> bytes:
    """Undo one scanline's PNG filter (None, Sub, Up, Average, Paeth)."""
    if kind == 0:
        return line
    if kind == 2:
        return bytes((a + b) & 255 for a, b in zip(line, above))
    out = bytearray(line)
    for i in range(len(out)):
        left = out[i - bpp] if i >= bpp else 0
        if kind == 1:
            out[i] = (out[i] + left) & 255
        elif kind == 3:
            out[i] = (out[i] + ((left + above[i]) >> 1)) & 255
        else:
            out[i] = (out[i] + paeth(left, above[i], above[i - bpp] if i >= bpp else 0)) & 255
    return bytes(out)


def paeth(left: int, up: int, corner: int) -> int:
    estimate = left + up - corner
    distances = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
    if distances[0] <= distances[1] and distances[0] <= distances[2]:
        return left
    return up if distances[1] <= distances[2] else corner


def near(colour: tuple[int, int, int], target: tuple[int, int, int], tolerance: int = 8) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, target))


def test_html_report_renders_in_a_headless_browser(chromium, tmp_path):
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["evaluate", str(SCENARIOS), "--format", "html", "--output", str(page)])
    assert result.exit_code == 0, result.output
    width, height, pixels = png_pixels(screenshot(chromium, page, tmp_path).read_bytes())
    assert (width, height) == (1200, 1600)
    colours = Counter(pixels)
    ink = len(pixels) - colours[(255, 255, 255)]
    assert len(colours) > 100, f"only {len(colours)} colours: the page looks blank"
    assert ink / len(pixels) > 0.01, f"only {ink} non-white pixels"
    green = sum(count for colour, count in colours.items() if near(colour, SATISFIED_GREEN))
    assert green > 500, "the inline SVG chart's 'satisfied' bars were not painted"


def pdf_pages(browser: str, page: Path, tmp_path: Path) -> int:
    """How many A4 pages the browser prints ``page`` on."""
    pdf = tmp_path / "print.pdf"
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
               page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and pdf.exists(), result.stderr[-2000:]
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


@pytest.mark.parametrize("name", ["illustrative-cross-border-evaluation", "illustrative-national-service-delivery",
                                  "digisos-norway"])
def test_the_summary_for_the_committee_prints_on_one_a4_page(chromium, tmp_path, name):
    """The report's first printed page: page header, scenario header and the summary, nothing cut."""
    import ipsexpert
    from ipsexpert.render import html, summary
    report = ipsexpert.evaluate(SCENARIOS / f"{name}.yaml")
    first_page = (html.page_head("Integrated public service report", "intro")
                  .replace("</style>", ".summary { break-after: auto !important; }</style>")
                  + html._scenario_header(report, 0, report.name) + summary.html(report, html.esc)
                  + "</section>\n</main>\n</body>\n</html>\n")
    page = tmp_path / "summary.html"
    page.write_text(first_page, encoding="utf-8")
    assert pdf_pages(chromium, page, tmp_path) == 1


def test_the_whole_report_starts_its_detail_after_the_summary_page(chromium, tmp_path):
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["evaluate", str(SCENARIOS / "illustrative-cross-border-evaluation.yaml"),
                                       "--format", "html", "--output", str(page)])
    assert result.exit_code == 0, result.output
    text = page.read_text()
    assert text.index('<div class="summary">') < text.index("Advice by priority")
    assert pdf_pages(chromium, page, tmp_path) >= 2  # the summary page, then the detail

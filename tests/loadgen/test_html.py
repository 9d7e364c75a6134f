"""The HTML report renders its charts in a real headless browser, offline."""

import re
import shutil
import subprocess

import pytest

from tests.loadgen.conftest import quick_run_args, run_loadgen

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make deps)")
def test_html_charts_render_in_headless_chromium(target, tmp_path):
    html = tmp_path / "r.html"
    r = run_loadgen(*quick_run_args(f"{target.url}/slow?ms=5", "--users", "2", "--html", str(html), "--threshold", "p95<1ms",
                                    duration="2s"))
    assert r.returncode == 99, r.stderr
    page = html.read_text()
    assert "http://" not in re.sub(r"http://127\.0\.0\.1:\d+", "", page).replace("http://www.w3.org/2000/svg", "")
    profile = tmp_path / "chromium-profile"
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
                         capture_output=True, text=True, timeout=60).stdout
    assert 'data-charts-rendered="3"' in dom
    for chart in ("chart-rps", "chart-latency", "chart-errors"):
        svg = re.search(rf'<svg[^>]*data-chart="{chart}".*?</svg>', dom, re.S)
        assert svg, chart
        points = re.findall(r'<polyline[^>]*class="series"[^>]*points="([^"]*)"', svg.group(0))
        assert points and any(p.strip() for p in points), chart
    assert "p95&lt;1ms" in dom and "FAIL" in dom
    png = tmp_path / "r.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}", "--window-size=1200,1400",
                    html.as_uri()], capture_output=True, timeout=60)
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

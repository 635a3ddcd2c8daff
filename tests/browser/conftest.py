"""Playwright fixtures: Debian's chromium, headless, no network beyond the live server — and the
accessibility check every browser test calls on every page it visits.

Accessibility (WCAG 2.2 AA, issue 12 point 10)
----------------------------------------------
``check_a11y(page)`` runs axe-core in the page at phone and desktop size, in the normal and in the
elder mode (长者模式, the ``tb_elder`` cookie), and fails on any *serious* or *critical* violation of the
rules tagged wcag2a, wcag2aa, wcag21a, wcag21aa or wcag22aa. It also checks that the headings keep their
order when the text grows: no level skipped (h2 → h4) and the elder mode's headings are the normal
mode's, in the same order (on a phone, also top to bottom on the screen). Call it in a new browser test
wherever a page is shown, e.g.::

    from .conftest import check_a11y

    page.goto(f"{live_server.url}/guide/")
    check_a11y(page)                    # both modes, phone and desktop
    check_a11y(page, "current")         # only the mode and state shown (after a POST, a dialog opened…)
    check_a11y(page, "elder", sizes=("phone",), exclude=["#board-latest"])

- ``mode``: ``"both"`` (default) checks the page as shown, then opens the same URL again (a GET) in the
  other mode, checks it, and opens it once more in the first mode, so the test carries on where it was —
  but as a fresh GET: call it where the URL shows the state, or use ``"current"``. ``"normal"`` or
  ``"elder"`` checks just that mode (reloading only if the page is in the other one, and switching back).
- ``sizes``: any of ``"phone"`` (390 × 844) and ``"desktop"`` (1366 × 768); the viewport is restored.
- ``exclude``: CSS selectors axe leaves out (say why in the test).
- ``TONGBAN_A11Y_SOFT=1`` turns failures into warnings, to list everything a journey finds in one run.

axe-core comes from npm at the version pinned in ``tests/browser/axe/package-lock.json`` (integrity
hash), installed into the gitignored ``tests/browser/axe/node_modules`` by ``scripts/browser-deps.sh``
(``make test`` runs it; ``check_a11y`` runs it on first use when the file is missing). It is test-only and
never shipped, so its MPL-2.0 licence stays out of Tongban's tree.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import subprocess
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 800}
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}
ELDER_COOKIE = "tb_elder"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAIL_IMPACTS = {"serious", "critical"}

ROOT = Path(__file__).resolve().parents[2]
AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
_axe_source: str | None = None


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh phone-sized page in Chinese; fails the test on any JavaScript error."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(30_000)
    yield page
    context.close()
    assert not errors, errors


# --- accessibility --------------------------------------------------------------------------------------


def axe_source() -> str:
    """axe.min.js, installed on first use (under a lock: xdist workers start together)."""
    global _axe_source
    if _axe_source is None:
        if not AXE_JS.exists():
            AXE_DIR.mkdir(exist_ok=True)
            with open(AXE_DIR / ".install.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not AXE_JS.exists():
                    done = subprocess.run(
                        [str(ROOT / "scripts" / "browser-deps.sh")], capture_output=True, text=True
                    )
                    if done.returncode or not AXE_JS.exists():
                        pytest.fail(
                            "axe-core 未安装，无法做无障碍检查: run scripts/browser-deps.sh\n"
                            + done.stdout
                            + done.stderr,
                            pytrace=False,
                        )
        _axe_source = AXE_JS.read_text(encoding="utf-8")
    return _axe_source


_AXE_RUN = """async ({tags, exclude, include}) => {
  const context = {include: include ? include.map(s => [s]) : [["html"]], exclude: exclude.map(s => [s])};
  const result = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({
      target: n.target.join(" "), summary: n.failureSummary, html: n.html.slice(0, 160),
    })),
  }));
}"""

# The visible headings in document order: level, text, and where they start on the screen.
_HEADINGS = """() => [...document.querySelectorAll("h1,h2,h3,h4,h5,h6,[role=heading]")]
  .filter(h => h.getClientRects().length && getComputedStyle(h).visibility !== "hidden")
  .map(h => {
    const r = h.getBoundingClientRect();
    const level = h.getAttribute("aria-level") || (/^H[1-6]$/.test(h.tagName) ? h.tagName[1] : "2");
    return {level: Number(level), text: h.textContent.trim().replace(/\\s+/g, " ").slice(0, 40),
            top: Math.round(r.top + scrollY), left: Math.round(r.left), width: Math.round(r.width)};
  })"""


def _mode_of(page) -> str:
    cookies = page.context.cookies(page.url)
    return "elder" if any(c["name"] == ELDER_COOKIE and c["value"] == "1" for c in cookies) else "normal"


def _switch(page, mode: str) -> None:
    """Open the page's URL again (GET) in the given mode."""
    host = urlsplit(page.url).hostname
    value = "1" if mode == "elder" else "0"
    page.context.add_cookies([{"name": ELDER_COOKIE, "value": value, "domain": host, "path": "/"}])
    page.goto(page.url)
    assert page.evaluate("document.body.classList.contains('elder')") == (mode == "elder"), page.url


def _heading_problems(headings: list[dict], where: str, *, phone: bool) -> list[str]:
    problems = []
    previous = None
    for h in headings:
        if previous is not None and h["level"] > previous["level"] + 1:
            jump = f"h{previous['level']} → h{h['level']}"
            problems.append(f"{where}: heading level skipped: {jump} “{h['text']}”")
        if phone and previous is not None and h["top"] < previous["top"] and h["left"] >= 0:
            problems.append(f"{where}: “{h['text']}” appears above “{previous['text']}” but follows it")
        previous = h
    return problems


def _check_here(page, mode: str, sizes, exclude) -> tuple[list[str], dict[str, list]]:
    """Violations and headings of the page as shown, at each size (the viewport is put back after)."""
    problems: list[str] = []
    headings: dict[str, list] = {}
    original = page.viewport_size
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    try:
        for size in sizes:
            page.set_viewport_size(SIZES[size])
            where = f"{page.url} [{mode}, {size}]"
            problems += _axe_problems(page, where, exclude)
            if size == "phone":
                problems += _menu_problems(page, where, exclude)
            headings[size] = page.evaluate(_HEADINGS)
            problems += _heading_problems(headings[size], where, phone=size == "phone")
    finally:
        page.set_viewport_size(original)
    return problems, headings


def _axe_problems(page, where: str, exclude, include=None) -> list[str]:
    problems = []
    found = page.evaluate(_AXE_RUN, {"tags": WCAG_TAGS, "exclude": list(exclude), "include": include})
    for v in found:
        if v["impact"] in FAIL_IMPACTS:
            nodes = "\n      ".join(f"{n['target']}: {n['summary']} · {n['html']}" for n in v["nodes"][:6])
            problems.append(f"{where}: {v['impact']} {v['id']} — {v['help']}\n      {nodes}")
    return problems


def _contrast_of_pixels(png: bytes) -> float:
    """The contrast ratio (WCAG 2 relative luminance) between the lightest and darkest pixel of an image."""
    from PIL import Image

    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    with Image.open(io.BytesIO(png)) as image:
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    lum = [0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b) for r, g, b in colours]
    return (max(lum) + 0.05) / (min(lum) + 0.05)


def _menu_problems(page, where: str, exclude) -> list[str]:
    """On a phone the menu is folded behind an icon: the icon must stand out from the bar (WCAG 1.4.11,
    3:1, measured on the screen's pixels) and the unfolded menu must pass axe too."""
    problems = []
    toggler = page.locator(".navbar-toggler-icon:visible")
    if toggler.count():
        ratio = _contrast_of_pixels(toggler.first.screenshot(animations="disabled"))
        if ratio < 3:
            problems.append(f"{where}: the menu icon has contrast {ratio:.2f}:1 against its bar (needs 3:1)")
    fold = "ids => ids.forEach(i => document.getElementById(i).classList.remove('show'))"
    opened = page.evaluate(
        """() => [...document.querySelectorAll(".navbar-collapse.collapse:not(.show)")]
             .map(el => { el.classList.add("show"); return el.id; })"""
    )
    if opened:
        try:
            problems += _axe_problems(page, f"{where} menu open", exclude, [f"#{i}" for i in opened if i])
        finally:
            page.evaluate(fold, opened)
    return problems


def check_a11y(page, mode: str = "both", *, sizes=("phone", "desktop"), exclude=()) -> None:
    """Fail on serious/critical WCAG 2.2 AA violations and on headings out of order (see module doc)."""
    if mode not in {"both", "current", "normal", "elder"}:
        raise ValueError(f"mode must be both, current, normal or elder, not {mode!r}")
    page.wait_for_load_state()
    shown = _mode_of(page)
    wanted = [shown] if mode == "current" else (["normal", "elder"] if mode == "both" else [mode])
    wanted.sort(key=lambda m: m != shown)  # the page as shown first: no reload for it
    problems: list[str] = []
    headings: dict[str, dict] = {}
    for m in wanted:
        if m != _mode_of(page):
            _switch(page, m)
        found, headings[m] = _check_here(page, m, sizes, exclude)
        problems += found
    if _mode_of(page) != shown:
        _switch(page, shown)
    if "normal" in headings and "elder" in headings:
        for size in sizes:
            # digits masked: a clock or a count in a heading may tick between the two loads
            normal = [(h["level"], re.sub(r"\d", "0", h["text"])) for h in headings["normal"][size]]
            elder = [(h["level"], re.sub(r"\d", "0", h["text"])) for h in headings["elder"][size]]
            if normal != elder:
                problems.append(f"{page.url} [{size}]: headings differ when text grows: {normal} → {elder}")
    if problems:
        message = "无障碍检查未通过 (WCAG 2.2 AA):\n  " + "\n  ".join(problems)
        if os.environ.get("TONGBAN_A11Y_SOFT"):
            warnings.warn(message, stacklevel=2)
            _soft_log(message)
        else:
            pytest.fail(message, pytrace=False)


def _soft_log(message: str) -> None:
    path = os.environ.get("TONGBAN_A11Y_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(message, ensure_ascii=False) + "\n")

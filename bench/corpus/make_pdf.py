"""Print a corpus PDF from its HTML source: `python -m bench.corpus.make_pdf DIR [DIR ...]`.

Each DIR holds `source.html` (the document: CSS columns, tables) and gets `article.pdf`,
printed by headless Chromium through Playwright (both already in requirements-dev.txt), with
the running header and footer Chromium draws on every page from the source's
`<template id="header">` and `<template id="footer">` (Chromium's header/footer templates:
`<span class="pageNumber">` and `<span class="totalPages">` are filled in). The PDF is
committed; the bench reads only article.pdf, so this runs only when a source changes.
Chromium: REEX_CHROMIUM, else Playwright's own.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path


def _template(html: str, name: str) -> str:
    m = re.search(rf'<template id="{name}">(.*?)</template>', html, re.S)
    return m.group(1).strip() if m else "<span></span>"


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        exe = os.environ.get("REEX_CHROMIUM") or None
        browser = pw.chromium.launch(executable_path=exe)
        page = browser.new_page()
        for folder in map(Path, argv):
            html = (folder / "source.html").read_text(encoding="utf-8")
            page.set_content(html, wait_until="load")
            page.pdf(
                path=str(folder / "article.pdf"),
                format="A4",
                display_header_footer=True,
                header_template=_template(html, "header"),
                footer_template=_template(html, "footer"),
                margin={"top": "22mm", "bottom": "20mm", "left": "16mm", "right": "16mm"},
                print_background=True,
            )
            print(folder / "article.pdf")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

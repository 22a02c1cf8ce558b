"""Vietnamese is the source language of the UI; the English catalogue must keep up with it."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).parent.parent
CATALOG = ROOT / "kiosk_server" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _catalog():
    with CATALOG.open("rb") as fh:
        return read_po(fh)


def test_every_ui_text_is_in_the_english_catalogue(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True,
    )
    with pot.open("rb") as fh:
        source_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    catalog_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    missing = sorted(source_ids - catalog_ids)
    assert not missing, f"run `make extract-messages` and translate: {missing[:10]}"


def test_every_entry_has_its_english():
    untranslated = [m.id for m in _catalog() if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, f"translate these in {CATALOG.name}: {untranslated[:10]}"

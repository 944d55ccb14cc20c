"""The package fingerprint moves when any package file changes, and only then."""

import shutil

from xaibook import fingerprint


def test_fingerprint_changes_with_any_file(tmp_path):
    root = tmp_path / "pkg"
    shutil.copytree(fingerprint.PACKAGE_DIR, root, ignore=shutil.ignore_patterns("__pycache__"))
    before = fingerprint.compute_fingerprint(root)
    assert fingerprint.compute_fingerprint(root) == before
    (root / "__pycache__").mkdir(exist_ok=True)
    (root / "__pycache__" / "junk.pyc").write_bytes(b"x")
    assert fingerprint.compute_fingerprint(root) == before, "bytecode must not count"
    (root / "render.py").write_text((root / "render.py").read_text() + "\n# edit\n")
    assert fingerprint.compute_fingerprint(root) != before


def test_installed_fingerprint_is_stable():
    assert fingerprint.package_fingerprint() == fingerprint.compute_fingerprint()

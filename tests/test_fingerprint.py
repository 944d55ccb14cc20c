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


def test_site_only_files_do_not_re_execute_chapters(tmp_path):
    """JavaScript, CSS, the Sphinx extension and the handout change the site, not what cells compute."""
    root = tmp_path / "pkg"
    shutil.copytree(fingerprint.PACKAGE_DIR, root, ignore=shutil.ignore_patterns("__pycache__"))
    before, static_before = fingerprint.compute_fingerprint(root), fingerprint.static_fingerprint(root)
    (root / "static" / "xaibook.css").write_text((root / "static" / "xaibook.css").read_text() + "\n/* edit */\n")
    (root / "handout.py").write_text((root / "handout.py").read_text() + "\n# edit\n")
    assert fingerprint.compute_fingerprint(root) == before
    assert fingerprint.static_fingerprint(root) != static_before, "the site must still copy the new CSS"

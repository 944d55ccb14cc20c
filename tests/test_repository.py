"""One home for the repository: everything that names it follows ``repository.url`` in _config.yml."""

from __future__ import annotations

import html
import re
import shutil
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from conftest import HTML_DIR, REPO, toc_files
from xaibook import repository

URL = repository.repository_url(REPO)


def test_config_has_a_github_repository_url():
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", URL)
    assert repository.repository_name(URL) == URL.rsplit("/", 1)[1]


def test_citation_cff_follows_the_config():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert citation["repository-code"] == URL
    assert citation["preferred-citation"]["url"] == URL


def test_readme_names_no_other_home():
    readme = (REPO / "README.md").read_text()
    found = set(repository.GITHUB_URL_IN_TEXT.findall(readme))
    assert found == {URL}, f"README names {sorted(found)}; _config.yml says {URL}"


@pytest.mark.parametrize("name", toc_files())
def test_pages_use_the_placeholder_not_a_literal_url(name):
    """A page that names the book's home writes {{ repository_url }}, filled in at build time."""
    text = (REPO / f"{name}.md").read_text()
    assert URL not in text, f"{name} types the repository URL; write {repository.URL_PLACEHOLDER}"


def test_cite_and_running_pages_use_the_placeholders():
    assert repository.URL_PLACEHOLDER in (REPO / "book" / "cite.md").read_text()
    running = (REPO / "book" / "running.md").read_text()
    assert f"git clone {repository.URL_PLACEHOLDER}" in running
    assert f"cd {repository.NAME_PLACEHOLDER}" in running


def test_fill_placeholders():
    text = "git clone {{ repository_url }}\ncd {{ repository_name }}\n"
    assert repository.fill_placeholders(text, "https://github.com/a/b-c") == \
        "git clone https://github.com/a/b-c\ncd b-c\n"


@pytest.mark.parametrize("bad", ["", "github.com/a/b", "https://github.com/a/b/", "https://github.com/a/b.git/x",
                                 "https://gitlab.com/a/b", None])
def test_bad_url_is_refused_naming_the_argument(bad):
    with pytest.raises(ValueError, match="url must look like https://github.com/<owner>/<name>"):
        repository.check_url(bad)


def test_a_fork_sets_its_home_with_one_command(tmp_path, capsys, monkeypatch):
    for name in repository.LITERAL_FILES:
        shutil.copy(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    fork = "https://github.com/someone/xai-fork"
    assert repository.main([fork]) == 0
    assert "updated: _config.yml, CITATION.cff, README.md" in capsys.readouterr().out
    assert repository.repository_url(tmp_path) == fork
    citation = yaml.safe_load((tmp_path / "CITATION.cff").read_text())
    assert citation["repository-code"] == citation["preferred-citation"]["url"] == fork
    assert set(repository.GITHUB_URL_IN_TEXT.findall((tmp_path / "README.md").read_text())) == {fork}
    assert URL not in "".join((tmp_path / n).read_text() for n in repository.LITERAL_FILES)
    assert repository.main([]) == 2


# --- The built site ------------------------------------------------------------------------------

def test_built_pages_follow_the_config(built_site):
    owner_name = urlparse(URL).path.strip("/")
    def text_of(page):  # the page without its tags (code blocks are split into spans)
        return html.unescape(re.sub(r"<[^>]+>", "", (HTML_DIR / "book" / page).read_text()))

    cite, running = text_of("cite.html"), text_of("running.html")
    assert f"url       = {{{URL}}}," in cite
    assert f"git clone {URL}" in running and f"cd {repository.repository_name(URL)}" in running
    branch = yaml.safe_load((REPO / "_config.yml").read_text())["repository"]["branch"]
    checked = 0
    for name in toc_files():
        page = (HTML_DIR / f"{name}.html").read_text().replace("&amp;", "&")
        assert "{{ repository_" not in page, f"{name}: a placeholder was not filled"
        assert f'href="{URL}"' in page, f"{name}: the repository button does not point at {URL}"
        for link in re.findall(r'href="(https://mybinder\.org/[^"]+)"', page):
            assert urlparse(link).path.startswith(f"/v2/gh/{owner_name}/{branch}"), link
            assert parse_qs(urlparse(link).query)["urlpath"][0].startswith("lab/tree/"), link
            checked += 1
    assert checked, "no Binder link on any page"

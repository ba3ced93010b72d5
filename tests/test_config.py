"""sources.toml: loaded into frozen settings, every mistake named with file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import DEFAULT_USER_AGENT, CrawlConfig, load_config, with_overrides
from scraper.errors import ConfigError

FULL = r"""
[defaults]
user_agent = "harbor-archiver/1.0 (+mailto:ops@example.org)"
delay = 1.5
concurrency = 6
timeout = 15
max_pages = 500

[[sources]]
name = "politsturm-us"
start = ["https://us.politsturm.com/"]
feeds = ["https://us.politsturm.com/feed/"]
sitemaps = []
allow = ['^https://us\.politsturm\.com/\d{4}/']
deny = ['/tag/', '/author/']
follow = ['/page/\d+/']
delay = 2.0

[[sources]]
name = "harbor"
sitemaps = ["https://www.Harbor.example/sitemap.xml?utm_source=x"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_example_loads_with_defaults_merged(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert isinstance(config, CrawlConfig)
    first, second = config.sources
    assert first.name == "politsturm-us"
    assert first.delay == 2.0  # source override
    assert first.timeout == 15.0 and first.concurrency == 6 and first.max_pages == 500
    assert first.user_agent.startswith("harbor-archiver/")
    assert first.feeds == ("https://us.politsturm.com/feed/",)
    assert first.allow[0].pattern == r"^https://us\.politsturm\.com/\d{4}/"
    assert second.delay == 1.5
    assert second.sitemaps == ("https://www.harbor.example/sitemap.xml",)
    assert second.refresh_days == 7.0 and second.block_private is True


def test_defaults_table_is_optional(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[[sources]]\nname = "a"\nstart = ["http://a.example/"]'))
    source = config.sources[0]
    assert source.user_agent == DEFAULT_USER_AGENT
    assert source.delay == 1.0 and source.concurrency == 4 and source.max_pages == 1000


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    with pytest.raises(AttributeError):
        config.sources[0].delay = 0  # type: ignore[misc]


def test_default_allow_is_same_site_and_deny_wins(tmp_path: Path) -> None:
    source = load_config(write(tmp_path, FULL)).sources[1]
    assert source.is_article("https://harbor.example/2026/a")
    assert source.is_article("https://www.harbor.example/2026/a")
    assert not source.is_article("https://elsewhere.example/2026/a")
    first = load_config(write(tmp_path, FULL)).sources[0]
    assert first.is_article("https://us.politsturm.com/2026/04/x/")
    assert not first.is_article("https://us.politsturm.com/about/")
    assert not first.is_article("https://us.politsturm.com/2026/tag/x/")
    assert first.is_followed("https://us.politsturm.com/page/2/")
    assert not first.is_followed("https://other.example/page/2/")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[defaults]\ndelay = "fast"\n[[sources]]\nname="a"\nstart=["http://a.example/"]',
         "defaults.delay: expected a number, got a string ('fast')"),
        ('[defaults]\nconcurency = 3\n[[sources]]\nname="a"\nstart=["http://a.example/"]',
         "defaults.concurency: unknown key"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\n'
         '[[sources]]\nname="b"\nstart=["http://b.example/"]\nallow=["ok", "(unclosed"]',
         "sources[1].allow[1]: bad regular expression '(unclosed'"),
        ('[[sources]]\nname="a"\nstart="http://a.example/"',
         'sources[0].start: expected an array of URLs'),
        ('[[sources]]\nname="a"\nstart=["ftp://a.example/"]',
         "sources[0].start[0]: not an absolute http(s) URL"),
        ('[[sources]]\nname="a"\nfeeds=["/relative"]', "sources[0].feeds[0]: not an absolute"),
        ('[[sources]]\nname="a"', "sources[0]: give at least one URL"),
        ('[[sources]]\nstart=["http://a.example/"]', "sources[0].name: required"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\nconcurrency=true',
         "sources[0].concurrency: expected an integer, got a boolean"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\nmax_pages=0',
         "sources[0].max_pages: must be between 1"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\ndelay=-1',
         "sources[0].delay: must be a finite number >= 0"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\ntimeout=0',
         "sources[0].timeout: must be greater than 0"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\nblock_private="no"',
         "sources[0].block_private: expected true or false"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\ndeny="/tag/"',
         "sources[0].deny: expected an array of regexes"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\nextra=1',
         "sources[0].extra: unknown key"),
        ('[[sources]]\nname="a"\nstart=["http://a.example/"]\n[[sources]]\nname="a"\n'
         'start=["http://b.example/"]', "sources[1].name: duplicate source name 'a'"),
        ("[defaults]\ndelay = 1\n", "sources: missing"),
        ("[[sources]\nname=", "invalid TOML"),
        ('[source]\nname="a"', "source: unknown key"),
    ],
)  # fmt: skip
def test_mistakes_name_the_file_the_key_and_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.toml")


def test_select_sources_by_name(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert [s.name for s in config.select(["harbor"])] == ["harbor"]
    assert len(config.select(None)) == 2
    with pytest.raises(ConfigError, match="no source named 'nope'"):
        config.select(["nope"])


def test_overrides_apply_to_every_source(tmp_path: Path) -> None:
    config = with_overrides(load_config(write(tmp_path, FULL)), max_pages=3)
    assert {s.max_pages for s in config.sources} == {3}

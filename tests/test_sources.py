"""Every figure in data/ rests on a source a planning meeting can open: each row cites at least one URL, and
every URL's domain is on the reviewed allow-list in data/source_domains.csv (vendors, standards, model hubs,
code hosts, the TechPowerUp database, review sites, shops and providers' price pages)."""

from __future__ import annotations

import csv
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from core.csvdata import DATA_DIR, split_list

ROOT = DATA_DIR.parent
KINDS = {"vendor", "standards", "model_hub", "code_host", "database", "review", "shop", "provider_price", "news",
         "paper", "government"}
URL_COLUMNS = ("source_url", "source_urls")


def allowed_domains() -> dict[str, str]:
    with (DATA_DIR / "source_domains.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["kind"] in KINDS and row["why"] for row in rows)
    return {row["domain"]: row["kind"] for row in rows}


def allowed(url: str, domains: dict[str, str]) -> bool:
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def cited(path: Path) -> list[tuple[int, list[str]]]:
    """(line, URLs) for every row of a data file that has a URL column."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        column = next((c for c in URL_COLUMNS if c in (reader.fieldnames or [])), None)
        if column is None:
            return []
        return [(reader.line_num, split_list(row[column] or "")) for row in reader]


DATA_FILES = sorted(p for p in DATA_DIR.glob("*.csv") if cited(p))


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_every_row_cites_an_allowed_source(path: Path) -> None:
    domains = allowed_domains()
    bad = [f"{path.name}:{line}: {urls or 'no source'}" for line, urls in cited(path)
           if not urls or not all(url.startswith(("https://", "http://")) and allowed(url, domains) for url in urls)]
    assert bad == []


def test_the_allow_list_rejects_what_it_should() -> None:
    domains = allowed_domains()
    assert allowed("https://www.techpowerup.com/gpu-specs/geforce-rtx-4090.c3889", domains)
    assert allowed("https://images.nvidia.com/aem-dam/Solutions/geforce/ada/ada-lovelace-architecture.pdf", domains)
    assert not allowed("https://example-ai-written-specs.net/rtx-4090", domains)
    assert not allowed("https://nvidia.com.evil.example/", domains)


def test_team_notes_cited_by_the_tiers_are_in_the_repository() -> None:
    with (DATA_DIR / "team_tiers.csv").open(encoding="utf-8", newline="") as handle:
        assert all((ROOT / row["source"]).is_file() for row in csv.DictReader(handle))

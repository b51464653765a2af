"""``warta compare``: the story view of stored articles, rich or JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from warta.article import Article
from warta.cli import cli
from warta.store import open_store

WIB = timezone(timedelta(hours=7))
T0 = datetime(2025, 6, 18, 15, tzinfo=WIB)


def stored(tmp_path, *articles: Article) -> str:
    """A store holding ``articles``; returns its path."""
    db = tmp_path / "w.db"
    store = open_store(f"sqlite:///{db}")
    store.write_batch(list(articles), [], [])
    store.close()
    return str(db)


def test_compare_stored_articles(tmp_path):
    db = stored(tmp_path,
                Article(source="a", id=1, outlet="detik.com", published=T0, language="id",
                        text="Gempa bermagnitudo 4,8 mengguncang Kabupaten Garut pada Rabu sore."),
                Article(source="b", id=2, outlet="okezone.com", published=T0, language="id",
                        text="Gempa magnitudo 4,9 mengguncang wilayah Kabupaten Garut, Rabu sore."))
    runner = CliRunner()
    out = runner.invoke(cli, ["--db", db, "compare", "1", "2", "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    (fact,) = report["facts"]
    assert fact["status"] == "conflicting" and fact["conflicts"][0]["unit"] == "magnitudo"
    shown = runner.invoke(cli, ["--db", db, "compare", "1", "2"])
    assert shown.exit_code == 0 and "conflicting" in shown.output and "4,9" in shown.output
    missing = runner.invoke(cli, ["--db", db, "compare", "1", "9"])
    assert missing.exit_code != 0 and "no stored article with id 9" in missing.output


def test_stories_show_carries_the_comparison(tmp_path):
    db = stored(tmp_path,
                Article(source="a", id=1, outlet="detik.com", published=T0, language="id",
                        title="Gempa magnitudo 4,8 guncang Garut",
                        text="Gempa magnitudo 4,8 mengguncang Kabupaten Garut pada Rabu sore, kata BMKG."),
                Article(source="b", id=2, outlet="okezone.com", published=T0 + timedelta(hours=1), language="id",
                        title="Gempa magnitudo 4,8 guncang Garut Jawa Barat",
                        text="BMKG: gempa magnitudo 4,8 mengguncang Kabupaten Garut, Jawa Barat, Rabu sore."))
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "stories", "rebuild", "--quiet"]).exit_code == 0
    listed = json.loads(runner.invoke(cli, ["--db", db, "stories", "list", "--json"]).output)
    story_id = str(listed[0]["id"] if isinstance(listed, list) else listed["stories"][0]["id"])
    out = runner.invoke(cli, ["--db", db, "stories", "show", story_id, "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert {"facts", "quotes", "timeline", "summary"} <= set(report)
    assert report["facts"][0]["status"] == "corroborated"
    shown = runner.invoke(cli, ["--db", db, "stories", "show", story_id])
    assert shown.exit_code == 0 and "1 corroborated" in shown.output

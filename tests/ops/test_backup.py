import io
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.factories import ArticleFactory, AuthorFactory, RegionFactory, SectionFactory

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPT = BASE_DIR / "scripts" / "backup.py"

TABLE_FINGERPRINTS = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1
"""


def conninfo(dbname: str) -> str:
    s = connection.settings_dict
    parts = {"host": s["HOST"], "port": s["PORT"], "user": s["USER"], "dbname": dbname}
    if s["PASSWORD"]:
        parts["password"] = s["PASSWORD"]
    return " ".join(f"{k}='{v}'" for k, v in parts.items() if v)


def fingerprint(info: str) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row's text, per table."""
    result = {}
    with psycopg.connect(info) as conn:
        tables = [row[0] for row in conn.execute(TABLE_FINGERPRINTS)]
        for table in tables:
            count, digest = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \"{table}\" t"  # noqa: E501
            ).fetchone()
            result[table] = (count, digest)
    return result


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_with_identical_content(tmp_path, fresh_database):
    region = RegionFactory(name="Korean Peninsula", slug="korean-peninsula")
    article = ArticleFactory(
        title="Extended deterrence", regions=[region], authors=[AuthorFactory()], tags=["nuclear"]
    )
    SectionFactory(article=article, heading="Allies", body="Text with **Markdown**.")
    article.refresh_derived()
    media = tmp_path / "media"
    (media / "authors").mkdir(parents=True)
    (media / "authors" / "portrait.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    source = conninfo(connection.settings_dict["NAME"])

    made = run_script(
        "--database-url", source, "--media-root", str(media), "backup", "--out", str(tmp_path)
    )
    assert made.returncode == 0, made.stderr
    archive = Path(made.stdout.strip())
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["database.dump", "manifest.json", "media.tar.gz"]

    restored_media = tmp_path / "restored-media"
    target = conninfo(fresh_database)
    done = run_script(
        "--database-url", target, "--media-root", str(restored_media), "restore", str(archive)
    )
    assert done.returncode == 0, done.stderr

    before, after = fingerprint(source), fingerprint(target)
    assert before["articles_article"][0] == 1
    assert before["articles_section"][0] == 1
    assert after == before
    restored_file = restored_media / "authors" / "portrait.jpg"
    assert restored_file.read_bytes() == b"\xff\xd8 not really a jpeg"


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_replaced(tmp_path, fresh_database):
    media = tmp_path / "media"
    media.mkdir()
    source = conninfo(connection.settings_dict["NAME"])
    made = run_script(
        "--database-url", source, "--media-root", str(media), "backup", "--out", str(tmp_path)
    )
    archive = Path(made.stdout.strip())
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as original, tarfile.open(damaged, "w") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name == "database.dump":
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "existing.txt").write_text("still here")

    done = run_script(
        "--database-url",
        conninfo(fresh_database),
        "--media-root",
        str(keep),
        "restore",
        str(damaged),
    )

    assert done.returncode != 0
    assert "damaged" in done.stderr
    assert (keep / "existing.txt").read_text() == "still here"

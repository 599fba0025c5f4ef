"""`manage.py translations`: the message catalogues under locale/, brought up to date with the
code (`make messages`), or checked (`make lint`: `manage.py translations --check`).

Updating runs Django's makemessages for every language of settings.LANGUAGES but the one the
code is written in, over the whole project (--no-location, --no-obsolete: the catalogue holds
exactly the strings the code marks, without line numbers that change with every edit), then
compiles each .po into the .mo beside it, which is committed so that `make run` needs no
gettext.

The check makes the same catalogues from a copy of locale/ in a temporary folder (beside links
to the source, so that nothing is written into locale/) and fails when
the committed ones differ (a string was added, changed or removed since `make messages`), when a
string has no translation or a fuzzy one (msgmerge's guess after an English string changed),
or when a committed .mo is not the compiled .po. See docs/i18n.md.
"""

from __future__ import annotations

import ast
import gettext
import os
import shutil
import subprocess  # nosec B404: msgfmt, with fixed arguments
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

# What makemessages does not read: no marked strings live there (docs, tests, benchmarks,
# vendored and collected static files, lock files), and the catalogues themselves (a folder
# named "locale" would otherwise become the place the strings are written to).
IGNORE = [
    "bench",
    "docs",
    "locale",
    "locale_parts",
    "node_modules",
    "requirements",
    "static",
    "tests",
    "var",
]
FIX = (
    "Run `make messages`, translate what it reports in locale/<language>/LC_MESSAGES/django.po "
    "(no msgstr may stay empty or fuzzy), run `make messages` again and commit the .po and .mo."
)


@dataclass(frozen=True)
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    translations: tuple[str, ...]
    fuzzy: bool

    @property
    def key(self) -> tuple:
        return (self.context, self.msgid, self.plural)

    def label(self) -> str:
        text = " ".join(self.msgid.split())
        text = text if len(text) <= 70 else text[:67] + "..."
        return f"[{self.context}] {text}" if self.context else text


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header and obsolete #~ entries left out)."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    flags: set[str] = set()
    current = None

    def finish() -> None:
        nonlocal fields, flags, current
        if "msgid" in fields and fields["msgid"] != "":
            plural_forms = sorted(k for k in fields if k.startswith("msgstr["))
            translations = tuple(fields[k] for k in plural_forms) or (fields.get("msgstr", ""),)
            entries.append(
                Entry(
                    context=fields.get("msgctxt"),
                    msgid=fields["msgid"],
                    plural=fields.get("msgid_plural"),
                    translations=translations,
                    fuzzy="fuzzy" in flags,
                )
            )
        fields, flags, current = {}, set(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if "msgid" in fields:
                finish()
            flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue  # comments, previous msgids (#|) and obsolete entries (#~)
        elif line.startswith('"'):
            if current is not None:
                fields[current] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and "msgstr" in "".join(fields):
                finish()
            current = keyword
            fields[current] = ast.literal_eval(value)
    finish()
    return entries


def translated_languages() -> list[str]:
    """Every language of settings.LANGUAGES but the code's own (LANGUAGE_CODE's)."""
    source = settings.LANGUAGE_CODE.split("-")[0]
    return [code for code, _name in settings.LANGUAGES if code.split("-")[0] != source]


def catalogue(locale_dir: Path, language: str, suffix: str) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"django.{suffix}"


def make_messages(
    *, root: Path, locale_dir: Path, languages: list[str], verbosity: int, symlinks: bool = False
) -> None:
    """Django's makemessages over `root`, writing into `locale_dir`. Django writes the strings
    of every file below a folder holding a `locale` folder into that one, whatever
    LOCALE_PATHS says: `root/locale` when it exists (see _check for writing elsewhere)."""
    previous = Path.cwd()
    os.chdir(root)
    try:
        with override_settings(LOCALE_PATHS=[str(locale_dir)]):
            call_command(
                "makemessages",
                locale=languages,
                no_location=True,
                no_obsolete=True,
                ignore_patterns=IGNORE,
                symlinks=symlinks,
                verbosity=verbosity,
            )
    finally:
        os.chdir(previous)


def source_view(root: Path, into: Path) -> Path:
    """`into`/source: a folder of links to what `root` holds but its catalogues (and hidden and
    ignored folders), so that makemessages run there writes into `into`/source/locale, a copy,
    and never into root/locale (the check changes nothing)."""
    view = into / "source"
    view.mkdir()
    for entry in root.iterdir():
        if entry.name.startswith(".") or entry.name in IGNORE:
            continue
        (view / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return view


def compile_messages(po: Path, mo: Path) -> None:
    """msgfmt as Django's compilemessages runs it (--check-format: every placeholder of the
    English string in its translation)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise CommandError("msgfmt not found: install GNU gettext (apt-get install gettext).")
    result = subprocess.run(  # noqa: S603  # nosec B603: a fixed program, our own paths
        [msgfmt, "--check-format", "-o", str(mo), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise CommandError(f"msgfmt refused {po}:\n{result.stderr}")


def read_mo(path: Path) -> dict:
    with path.open("rb") as file:
        return dict(gettext.GNUTranslations(file)._catalog)


class Command(BaseCommand):
    help = "Update the message catalogues from the code, or --check that they are up to date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; fail if a catalogue is stale, incomplete or not compiled.",
        )
        parser.add_argument(
            "--root", default=str(settings.BASE_DIR), help="The source tree (default: ours)."
        )
        parser.add_argument(
            "--locale-dir",
            default=str(settings.LOCALE_PATHS[0]),
            help="The committed catalogues (default: LOCALE_PATHS[0]).",
        )

    def handle(self, *args, check: bool, root: str, locale_dir: str, verbosity: int, **options):
        languages = translated_languages()
        if check:
            self._check(Path(root), Path(locale_dir), languages)
            return
        make_messages(
            root=Path(root), locale_dir=Path(locale_dir), languages=languages, verbosity=verbosity
        )
        missing = 0
        for language in languages:
            po = catalogue(Path(locale_dir), language, "po")
            compile_messages(po, catalogue(Path(locale_dir), language, "mo"))
            todo = [entry for entry in read_po(po) if _untranslated(entry)]
            missing += len(todo)
            for entry in todo:
                self.stdout.write(f"{language}: to translate: {entry.label()}")
        self.stdout.write(
            f"Catalogues updated and compiled ({', '.join(languages)}); "
            f"{missing} string(s) to translate."
        )

    def _check(self, root: Path, locale_dir: Path, languages: list[str]) -> None:
        problems: list[str] = []
        with tempfile.TemporaryDirectory(prefix="rapport-translations-") as scratch:
            view = source_view(root, Path(scratch))
            fresh_dir = view / "locale"
            if locale_dir.is_dir():
                shutil.copytree(locale_dir, fresh_dir)
            else:
                fresh_dir.mkdir()
            make_messages(
                root=view, locale_dir=fresh_dir, languages=languages, verbosity=0, symlinks=True
            )
            for language in languages:
                problems += self._check_language(locale_dir, fresh_dir, language, Path(scratch))
        if problems:
            raise CommandError("\n".join([*problems, FIX]))
        self.stdout.write(f"Translations complete and up to date: {', '.join(languages)}.")

    def _check_language(
        self, locale_dir: Path, fresh_dir: Path, language: str, scratch: Path
    ) -> list[str]:
        problems = []
        po = catalogue(locale_dir, language, "po")
        if not po.exists():
            return [f"{language}: {po} is missing."]
        fresh = read_po(catalogue(fresh_dir, language, "po"))
        committed = read_po(po)
        # The same entries in another order (a string moved to another file) are up to date.
        if {entry.key: entry for entry in committed} != {entry.key: entry for entry in fresh}:
            known = {entry.key for entry in committed}
            current = {entry.key for entry in fresh}
            added = [entry.label() for entry in fresh if entry.key not in known]
            removed = [entry.label() for entry in committed if entry.key not in current]
            problems.append(
                f"{language}: {po} is not what the code marks now "
                f"({len(added)} new, {len(removed)} gone"
                + (f"; new: {'; '.join(added[:10])}" if added else "")
                + (f"; gone: {'; '.join(removed[:10])}" if removed else "")
                + ")."
            )
        for entry in fresh:
            if _untranslated(entry):
                state = "fuzzy" if entry.fuzzy else "untranslated"
                problems.append(f"{language}: {state}: {entry.label()}")
        mo = catalogue(locale_dir, language, "mo")
        compiled = scratch / f"{language}.mo"
        try:
            compile_messages(po, compiled)
        except CommandError as error:
            return [*problems, f"{language}: {error}"]
        if not mo.exists():
            problems.append(f"{language}: {mo} is missing.")
        elif read_mo(mo) != read_mo(compiled):
            problems.append(f"{language}: {mo} is not the compiled {po.name}.")
        return problems


def _untranslated(entry: Entry) -> bool:
    return entry.fuzzy or any(not text for text in entry.translations)

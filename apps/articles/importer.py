"""Turn a plain-text or Markdown analysis into a draft article.

The document's first non-empty line is the title. Sections start at headings; whatever comes
before the first heading is the lead. A Markdown file that marks its headings (`#`, `##`, or a
setext underline) is split at those headings only. A plain-text file has no markup, so a heading
is recognised the way a reader recognises one: a short line standing alone between blank lines,
without the punctuation that ends a sentence, that is not a list item, a byline or a date, and
that introduces some text. A metadata block at the top (YAML `---` or TOML `+++` front matter)
is skipped; its `title`, if any, is the title.

Reading, parsing and saving are separate steps so each can be tested on its own; every refusal is
an `ImportFileError` with a message meant for the person who ran the import.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import Article, Author, Byline, Format, Section

MAX_FILE_BYTES = 5 * 1024 * 1024
TITLE_MAX_LENGTH = Article._meta.get_field("title").max_length
HEADING_MAX_LENGTH = Section._meta.get_field("heading").max_length
# A plain-text heading is a phrase, not a sentence.
PLAIN_HEADING_MAX_CHARS = 100
PLAIN_HEADING_MAX_WORDS = 14
WRAPPED_LINE_MAX_CHARS = 120

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]\s|\d{1,3}[.)]\s)")
# "2. Background" or "IV. Options" between paragraphs numbers a heading, not a list item.
_NUMBERED_HEADING = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.)\s+[A-Z]")
_NOT_PROSE_START = re.compile(r"^\s*(?:[>|<]|!\[|\[\^|https?://|www\.)")
# "By Jane Doe" is a byline; "By the Numbers" is a heading.
_BYLINE = re.compile(r"^(?i:(?:written\s+)?by)\s+(?!(?i:the|a|an|way|design|contrast)\b)[A-ZÀ-Þ]")
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
_DATE_LINE = re.compile(
    rf"^(?:(?:updated|published|posted)\b.*|[\d\s./-]+|.*\b(?:{_MONTHS})\b\.?\s+\d{{1,2}},?\s+"
    rf"\d{{4}}.*|.*\b\d{{1,2}}\s+(?:{_MONTHS})\b\.?\s+\d{{4}}.*|(?:{_MONTHS})\s+\d{{4}})$",
    re.IGNORECASE,
)
_SENTENCE_END = (".", ",", ";", ":")
_CLOSERS = "\"')]*_\u201d\u2019"
_EMPHASIS = re.compile(r"^(\*\*|__|\*|_)(.+)\1$")
# "…in Seoul. It …" is two sentences; "…,” he said" is reported speech: neither is a heading.
_TWO_SENTENCES = re.compile("[a-z]{2}[.!?][\"'\u201d\u2019]?\\s+[A-Z]")
_REPORTED_SPEECH = re.compile('[,.!?]["\u201d]\\s')
# Jekyll/Hugo metadata: a YAML (---) or TOML (+++) block at the very top.
_FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n(.*?)\n\1[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_MATTER_TITLE = re.compile(r"^title[ \t]*[:=][ \t]*(.+)$", re.MULTILINE)
_CONTROL = re.compile(r"[\x01-\x08\x0e-\x1f\x7f]")


class ImportFileError(Exception):
    """The file cannot be imported; the message says why and what to do."""


@dataclass(frozen=True)
class ParsedSection:
    heading: str
    body: str


@dataclass(frozen=True)
class ParsedDocument:
    title: str
    lead: str
    sections: list[ParsedSection] = field(default_factory=list)


@dataclass
class _Block:
    """Consecutive non-blank lines (a paragraph, a list, a table, a fenced code block)."""

    lines: list[str]
    line_number: int
    fenced: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str


def read_text(path: Path) -> str:
    """The file's text, or an ImportFileError if it is missing, empty, binary or not UTF-8."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ImportFileError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise ImportFileError(f"{path} is a folder; give the path of a text file.") from None
    except OSError as error:
        raise ImportFileError(f"{path} cannot be read: {error.strerror}.") from None
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise ImportFileError(f"{path} is larger than {limit} MB; is it really one article?")
    if b"\x00" in data:
        raise ImportFileError(
            f"{path} looks like a binary file (it contains NUL bytes); "
            "import a plain-text or Markdown file."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        raise ImportFileError(
            f"{path} is not UTF-8 text (byte 0x{byte:02x} on line {line} cannot be decoded); "
            "save it as UTF-8 and import it again."
        ) from None
    text = _normalise_newlines(text)
    if control := _CONTROL.search(text):
        line = text.count("\n", 0, control.start()) + 1
        raise ImportFileError(
            f"{path} looks like a binary file (control character "
            f"U+{ord(control.group()):04X} on line {line}); import a plain-text or Markdown file."
        )
    if not text.strip():
        raise ImportFileError(f"{path} is empty; there is nothing to import.")
    return text


def parse(text: str) -> ParsedDocument:
    """Split a document into title, lead and sections (see the module docstring)."""
    text, front_title = _strip_front_matter(_normalise_newlines(text).removeprefix("\ufeff"))
    blocks = _blocks(text)
    if not blocks and not front_title:
        raise ImportFileError("The document is empty; there is nothing to import.")

    first = None if front_title else blocks.pop(0)
    marked = first and _marked_heading(first)
    if first is None:
        title = front_title
    elif marked:
        title = marked.text
    else:
        title = _strip_emphasis(first.lines[0].strip())
        if len(first.lines) > 1:
            blocks.insert(0, _Block(first.lines[1:], first.line_number + 1))
    title = " ".join(title.split())
    if not any(ch.isalnum() for ch in title):
        raise ImportFileError(
            "The document has no title: its first line should be the title, on a line of its own."
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise ImportFileError(
            f"The first line is {len(title)} characters long, too long for a title (at most "
            f"{TITLE_MAX_LENGTH}); put the title on the first line, on its own."
        )

    marked_up = any(_marked_heading(block) for block in blocks)
    if not marked_up:
        blocks = [part for block in blocks for part in _paragraph_per_line(block)]
    # Pages saved from the web often repeat the title as the page's own headline.
    while blocks and _same_text(_one_line_text(blocks[0]), title):
        blocks.pop(0)

    if marked_up:
        return _assemble_marked(title, blocks, [_marked_heading(block) for block in blocks])
    return _assemble_plain(title, blocks)


def _assemble_marked(
    title: str, blocks: list[_Block], headings: list[_Heading | None]
) -> ParsedDocument:
    """Markdown: sections start at the top heading level used (`#`/`##`, or deeper if only
    deeper levels are used); deeper headings stay inside the section, as sub-headings."""
    split_level = max(2, min(h.level for h in headings if h))
    parts: list[tuple[str | None, str, int]] = []
    for block, heading in zip(blocks, headings, strict=True):
        if heading is None:
            parts.append((None, block.text, block.line_number))
        elif not heading.text:
            continue  # an empty heading marker (`##` alone) heads nothing
        elif heading.level <= split_level:
            parts.append((heading.text, "", block.line_number))
        else:
            level = min(6, max(3, heading.level - split_level + 2))
            parts.append((None, f"{'#' * level} {heading.text}", block.line_number))
    return _assemble(title, parts)


def _assemble_plain(title: str, blocks: list[_Block]) -> ParsedDocument:
    candidates = [_looks_like_heading(block) for block in blocks]
    for i, block in enumerate(blocks):
        # Short lines after "…as follows:" are the items of a list.
        if block.lines[-1].rstrip().endswith(":"):
            j = i + 1
            while j < len(blocks) and candidates[j]:
                candidates[j] = False
                j += 1
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and candidates[j]:
            j += 1
        if j - i >= 3:  # three short lines in a row are a list, not three empty sections
            candidates[i:j] = [False] * (j - i)
        i = j + 1
    # A heading introduces text: a short line at the very end is a sign-off, not a heading.
    if candidates:
        candidates[-1] = False

    parts = [
        (_strip_emphasis(block.lines[0].strip()) if is_heading else None, block.text,
         block.line_number)
        for block, is_heading in zip(blocks, candidates, strict=True)
    ]  # fmt: skip
    return _assemble(title, [(h, "" if h else text, n) for h, text, n in parts])


def _assemble(title: str, parts: list[tuple[str | None, str, int]]) -> ParsedDocument:
    lead: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for heading, text, line_number in parts:
        if heading is not None:
            heading = " ".join(heading.split())
            if len(heading) > HEADING_MAX_LENGTH:
                raise ImportFileError(
                    f"The heading on line {line_number} is {len(heading)} characters long; "
                    f"a section heading may have at most {HEADING_MAX_LENGTH}."
                )
            sections.append((heading, []))
        elif sections:
            sections[-1][1].append(text)
        else:
            lead.append(text)
    return ParsedDocument(
        title=title,
        lead="\n\n".join(lead),
        sections=[ParsedSection(h, "\n\n".join(body)) for h, body in sections],
    )


def _strip_front_matter(text: str) -> tuple[str, str]:
    """Drop a static-site generator's metadata block; keep its title, if it has one."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, ""
    title = _FRONT_MATTER_TITLE.search(match.group(2))
    return text[match.end() :], title.group(1).strip().strip("\"'") if title else ""


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n")


def _blocks(text: str) -> list[_Block]:
    """Group lines into blocks separated by blank lines; a fenced code block (blank lines and
    all) is one block, and a `#` heading line is always a block of its own."""
    blocks: list[_Block] = []
    current: _Block | None = None
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if fence is not None and current is not None:
            current.lines.append(line)
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence, current = None, None
            continue
        if match := _FENCE.match(line):
            fence = match.group(1)
            current = _Block([line], number, fenced=True)
            blocks.append(current)
        elif not line.strip():
            current = None
        elif _ATX.match(line):
            blocks.append(_Block([line], number))
            current = None
        elif current is None:
            current = _Block([line], number)
            blocks.append(current)
        else:
            current.lines.append(line)
    return blocks


def _paragraph_per_line(block: _Block) -> list[_Block]:
    """Hard-wrapped text keeps lines short; in text whose lines run on, each line is a
    paragraph, even without blank lines between them (as word processors export it)."""
    if block.fenced or max(len(line) for line in block.lines) <= WRAPPED_LINE_MAX_CHARS:
        return [block]
    if any(line.lstrip().startswith("|") for line in block.lines):
        return [block]  # a table's rows belong together however long they are
    return [_Block([line], block.line_number + i) for i, line in enumerate(block.lines)]


def _marked_heading(block: _Block) -> _Heading | None:
    """A Markdown heading: `## Text`, or a line underlined with `===` or `---`."""
    if block.fenced:
        return None
    if len(block.lines) == 1 and (match := _ATX.match(block.lines[0])):
        return _Heading(len(match.group(1)), _strip_emphasis((match.group(2) or "").strip()))
    if (
        len(block.lines) == 2
        and (underline := _SETEXT_UNDERLINE.match(block.lines[1]))
        and not _LIST_ITEM.match(block.lines[0])
        and not _NOT_PROSE_START.match(block.lines[0])
    ):
        level = 1 if underline.group(1).startswith("=") else 2
        return _Heading(level, _strip_emphasis(block.lines[0].strip()))
    return None


def _looks_like_heading(block: _Block) -> bool:
    """A plain-text heading: a short phrase alone on its line, not a sentence, item or date."""
    if block.fenced or len(block.lines) != 1:
        return False
    raw = block.lines[0]
    text = _strip_emphasis(raw.strip())
    if not text or len(text) > PLAIN_HEADING_MAX_CHARS:
        return False
    if len(text.split()) > PLAIN_HEADING_MAX_WORDS:
        return False
    if not (text[0].isalnum() or text[0] in "\"'\u201c\u2018"):
        return False
    if _LIST_ITEM.match(raw) and not _NUMBERED_HEADING.match(raw):
        return False
    if _NOT_PROSE_START.match(raw):
        return False
    if text.rstrip(_CLOSERS).endswith(_SENTENCE_END):
        return False
    if _TWO_SENTENCES.search(text) or _REPORTED_SPEECH.search(text):
        return False
    return not (_BYLINE.match(text) or _DATE_LINE.match(text))


def _strip_emphasis(text: str) -> str:
    while match := _EMPHASIS.match(text):
        text = match.group(2).strip()
    return text


def _one_line_text(block: _Block) -> str | None:
    heading = _marked_heading(block)
    if heading:
        return heading.text
    if len(block.lines) == 1 and not block.fenced:
        return _strip_emphasis(block.lines[0].strip())
    return None


def _same_text(a: str | None, b: str) -> bool:
    return a is not None and " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def import_file(
    path: Path, *, format_slug: str = "analysis", author_slug: str | None = None
) -> Article:
    """Create a draft article from the file at `path`; nothing is saved if anything is wrong."""
    document = parse(read_text(path))
    article_format = Format.objects.filter(slug=format_slug).first()
    if article_format is None:
        known = ", ".join(Format.objects.values_list("slug", flat=True)) or "none yet"
        raise ImportFileError(f"Unknown format {format_slug!r}; known formats: {known}.")
    author = None
    if author_slug is not None:
        author = Author.objects.filter(slug=author_slug).first()
        if author is None:
            raise ImportFileError(
                f"No author with the slug {author_slug!r}; add the author in the admin first."
            )

    with transaction.atomic():
        article = Article(
            title=document.title,
            lead=document.lead,
            format=article_format,
            status=Article.Status.DRAFT,
        )
        article.save()
        taken: set[str] = set()
        for position, parsed in enumerate(document.sections):
            section = Section(
                article=article, position=position, heading=parsed.heading, body=parsed.body
            )
            section.anchor = section.derive_anchor(taken)
            taken.add(section.anchor)
            section.save()
        if author is not None:
            Byline.objects.create(article=article, author=author, position=0)
        article.refresh_derived()
    return article

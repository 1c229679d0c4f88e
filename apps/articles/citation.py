""" "Cite this": one article in Chicago, APA, MLA, BibTeX and RIS, plus Highwire meta tags.

The styles follow the web-page forms of Chicago (17th, notes-bibliography), APA (7th) and
MLA (9th). Every version carries the permalink and the access date. HTML versions come back
escaped and safe to render; BibTeX and RIS are plain text for a <pre>.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
MLA_MONTHS = [
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
    "Dec.",
]  # fmt: skip


@dataclass(frozen=True)
class Name:
    first: str
    last: str

    @classmethod
    def parse(cls, full: str) -> "Name":
        parts = full.split()
        if len(parts) < 2:
            return cls("", full.strip())
        return cls(" ".join(parts[:-1]), parts[-1])

    @property
    def inverted(self) -> str:
        return f"{self.last}, {self.first}" if self.first else self.last

    @property
    def natural(self) -> str:
        return f"{self.first} {self.last}".strip()

    @property
    def initials(self) -> str:
        return " ".join(
            "-".join(f"{piece[0].upper()}." for piece in part.split("-") if piece)
            for part in self.first.split()
        )


def long_date(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


def mla_date(d: date) -> str:
    return f"{d.day} {MLA_MONTHS[d.month - 1]} {d.year}"


def _join(names: list[str], conjunction: str = "and") -> str:
    if len(names) <= 1:
        return "".join(names)
    if len(names) == 2:
        return f"{names[0]} {conjunction} {names[1]}"
    return f"{', '.join(names[:-1])}, {conjunction} {names[-1]}"


def access_text(style: str, d: date) -> str:
    """The access date as citation style `style` writes it (cite.js has the same table)."""
    if style == "mla":
        return mla_date(d)
    if style == "iso":
        return d.isoformat()
    if style == "ris":
        return d.strftime("%Y/%m/%d")
    return long_date(d)


def _access(style: str, d: date) -> SafeString:
    # Stored pages get the day's date when served (rendering.with_access_date); cite.js then
    # rewrites it to the reader's own date (the page may come from a cache).
    return format_html(
        '<span class="access-date" data-style="{}">{}</span>', style, access_text(style, d)
    )


@dataclass(frozen=True)
class Citation:
    title: str
    authors: list[str]
    published: date
    url: str
    publisher: str
    accessed: date

    @property
    def names(self) -> list[Name]:
        return [Name.parse(a) for a in self.authors]

    def chicago(self) -> SafeString:
        names = self.names
        people = [names[0].inverted, *(n.natural for n in names[1:])] if names else []
        lead = format_html("{}. ", _join(people)) if people else ""
        return format_html(
            "{}“{}.” {}, {}. Accessed {}. {}.",
            lead,
            self.title,
            self.publisher,
            long_date(self.published),
            _access("chicago", self.accessed),
            self.url,
        )

    def apa(self) -> SafeString:
        people = [f"{n.last}, {n.initials}".rstrip(", ") for n in self.names]
        if len(people) > 1:
            authors = f"{', '.join(people[:-1])}, & {people[-1]}"
        else:
            authors = "".join(people)
        d = self.published
        return format_html(
            "{}({}, {} {}). <i>{}</i>. {}. Retrieved {}, from {}",
            format_html("{} ", authors) if authors else "",
            d.year,
            MONTHS[d.month - 1],
            d.day,
            self.title,
            self.publisher,
            _access("apa", self.accessed),
            self.url,
        )

    def mla(self) -> SafeString:
        names = self.names
        if len(names) >= 3:
            authors = f"{names[0].inverted}, et al."
        elif len(names) == 2:
            authors = f"{names[0].inverted}, and {names[1].natural}."
        elif names:
            authors = f"{names[0].inverted}."
        else:
            authors = ""
        return format_html(
            "{}“{}.” <i>{}</i>, {}, {}. Accessed {}.",
            format_html("{} ", authors) if authors else "",
            self.title,
            self.publisher,
            mla_date(self.published),
            self.url,
            _access("mla", self.accessed),
        )

    @property
    def key(self) -> str:
        first = self.names[0].last if self.names else self.publisher
        word = "".join(ch for ch in (self.title.split() or ["article"])[0] if ch.isalnum())
        base = f"{first}{self.published.year}{word}".lower()
        return "".join(ch for ch in base if ch.isascii() and ch.isalnum()) or "article"

    def bibtex(self) -> SafeString:
        def braced(value: str) -> str:
            return value.replace("\\", "\\textbackslash{}").replace("{", "\\{").replace("}", "\\}")

        lines = [
            ("author", braced(" and ".join(n.inverted for n in self.names) or self.publisher)),
            ("title", "{" + braced(self.title) + "}"),
            ("howpublished", braced(self.publisher)),
            ("year", str(self.published.year)),
            ("month", MONTHS[self.published.month - 1][:3].lower()),
            ("url", self.url),
        ]
        body = format_html_join("", "  {} = {{{}}},\n", lines)
        return format_html(
            "@misc{{{},\n{}  urldate = {{{}}},\n  note = {{Accessed {}}}\n}}",
            self.key,
            body,
            _access("iso", self.accessed),
            _access("iso", self.accessed),
        )

    def ris(self) -> SafeString:
        p = self.published
        rows = [("TY", "ELEC"), *(("AU", n.inverted) for n in self.names)]
        rows += [
            ("TI", self.title),
            ("PB", self.publisher),
            ("PY", str(p.year)),
            ("DA", f"{p.year}/{p.month:02d}/{p.day:02d}"),
            ("UR", self.url),
        ]
        head = format_html_join("", "{}  - {}\n", rows)
        return format_html("{}Y2  - {}\nER  - ", head, _access("ris", self.accessed))

    def styles(self) -> list[tuple[str, str, SafeString, bool]]:
        """(id, label, text, preformatted) for the "Cite this" panel."""
        return [
            ("chicago", "Chicago", self.chicago(), False),
            ("apa", "APA", self.apa(), False),
            ("mla", "MLA", self.mla(), False),
            ("bibtex", "BibTeX", self.bibtex(), True),
            ("ris", "RIS", self.ris(), True),
        ]

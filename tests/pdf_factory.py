"""Write real PDFs (and files that only pretend to be PDFs) for the ingest stage's tests.

Every function writes one file at ``path`` (creating parent folders) and returns that path.
Text is set in fpdf2's built-in Helvetica when it fits the cp1252 code page and in an embedded
DejaVu Sans otherwise (ligatures such as "ﬁ", Hebrew, Arabic); DejaVu Sans comes with
matplotlib, which the project already requires, so no system font package is needed.
"""

from __future__ import annotations

import importlib.util
import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

#: Fixed so that the same call writes the same bytes (fpdf2 output; pypdf adds a random /ID).
CREATION_DATE = datetime(2025, 1, 1, tzinfo=UTC)
FONT_FAMILY = "Helvetica"
UNICODE_FAMILY = "DejaVu"

DEFAULT_TEXT = (
    "Model owner means the named manager who is accountable for an AI system. Teams should "
    "record every override of a model recommendation and review the overrides each quarter."
)
#: Pure right-to-left text (no digits or Latin), so its visual order is the exact reverse.
HEBREW_TEXT = "מדיניות שימוש בבינה מלאכותית בארגון"
DEFAULT_COLUMNS = (
    "Left column: suppliers must disclose every subprocessor and hosting location before "
    "the contract is signed, and must give thirty days notice of any material change.",
    "Right column: incidents affecting residents are reported within seventy two hours, and "
    "security breaches within twenty four hours, to the procurement lead.",
)
DEFAULT_FIELDS: Mapping[str, str] = {"applicant_name": "Ada Lovelace", "team": "Model Risk"}
DEFAULT_SECTIONS = (
    ("1 Purpose and scope", "This guideline applies to every model in the inventory."),
    ("2 Definitions", "Near miss means an error that was caught before it caused harm."),
    ("3 Incident reporting", "Severity 1 incidents are reported within one hour."),
)

_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


def unicode_font_path() -> Path:
    """A TTF with Latin ligatures, Hebrew and Arabic glyphs (matplotlib's DejaVu Sans first)."""
    candidates = list(_FONT_CANDIDATES)
    spec = importlib.util.find_spec("matplotlib")
    if spec and spec.submodule_search_locations:
        bundled = Path(spec.submodule_search_locations[0]) / "mpl-data/fonts/ttf/DejaVuSans.ttf"
        candidates.insert(0, bundled)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "no DejaVuSans.ttf found: pip install matplotlib or apt-get install fonts-dejavu-core"
    )


def _fits_core_font(text: str) -> bool:
    try:
        text.encode("windows-1252")
    except UnicodeEncodeError:
        return False
    return True


class _Document(FPDF):
    """A4 document with an optional running header and an optional "Page n of N" footer."""

    def __init__(self, header: str | None = None, footer_page_numbers: bool = False) -> None:
        super().__init__(format="A4")
        self.running_header = header
        self.footer_page_numbers = footer_page_numbers
        #: Known page count for the footer; None = fpdf2's {nb} alias (fine below 1,000 pages).
        self.page_total: int | None = None
        self.core_fonts_encoding = "windows-1252"
        self.set_creation_date(CREATION_DATE)
        self.set_margins(20, 25, 20)
        self.set_auto_page_break(auto=True, margin=20)
        self.alias_nb_pages()

    def use_font_for(self, text: str, size: float = 11) -> None:
        if _fits_core_font(text):
            self.set_font(FONT_FAMILY, size=size)
            return
        if UNICODE_FAMILY.lower() not in self.fonts:
            self.add_font(UNICODE_FAMILY, fname=str(unicode_font_path()))
        self.set_font(UNICODE_FAMILY, size=size)

    def header(self) -> None:
        if self.running_header:
            self.set_y(10)
            self.use_font_for(self.running_header, size=8)
            self.cell(0, 5, self.running_header)
            self.set_y(self.t_margin)

    def footer(self) -> None:
        if self.footer_page_numbers:
            self.set_y(-15)
            self.set_font(FONT_FAMILY, size=8)
            total = self.page_total or "{nb}"
            self.cell(0, 5, f"Page {self.page_no()} of {total}", align="C")

    def write_text(self, text: str, width: float = 0, size: float = 11) -> None:
        self.use_font_for(text, size=size)
        self.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")

    def to_bytes(self) -> bytes:
        return bytes(self.output())


def _write(path: str | Path, data: bytes) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _save(path: str | Path, writer: PdfWriter) -> Path:
    buffer = io.BytesIO()
    writer.write(buffer)
    return _write(path, buffer.getvalue())


def _text_pdf_bytes(
    pages: Sequence[str], header: str | None = None, footer_page_numbers: bool = True
) -> bytes:
    doc = _Document(header=header, footer_page_numbers=footer_page_numbers)
    for text in pages:
        doc.add_page()
        if text:
            doc.write_text(text)
    return doc.to_bytes()


def _writer_for(pages: Sequence[str]) -> PdfWriter:
    """A pypdf writer holding a text PDF, for the features fpdf2 cannot write itself."""
    return PdfWriter(clone_from=io.BytesIO(_text_pdf_bytes(pages, footer_page_numbers=False)))


def text_pdf(
    path: str | Path,
    pages: Sequence[str],
    header: str | None = None,
    footer_page_numbers: bool = True,
) -> Path:
    """One page per string ("" gives a blank page; overlong text flows onto extra pages)."""
    return _write(path, _text_pdf_bytes(pages, header, footer_page_numbers))


def encrypted_pdf(
    path: str | Path,
    user_password: str,
    text: str = DEFAULT_TEXT,
    owner_password: str | None = None,
    algorithm: str = "AES-256",
) -> Path:
    """Encrypted with pypdf; opening it needs ``user_password`` (or the owner password)."""
    writer = _writer_for([text])
    writer.encrypt(
        user_password=user_password,
        owner_password=owner_password or f"{user_password}-owner",
        algorithm=algorithm,
    )
    return _save(path, writer)


def encrypted_empty_password_pdf(
    path: str | Path, text: str = DEFAULT_TEXT, owner_password: str = "owner-secret"
) -> Path:
    """Encrypted with an empty user password: readers open it without asking (common)."""
    return encrypted_pdf(path, "", text, owner_password=owner_password)


def truncated_pdf(path: str | Path, text: str = DEFAULT_TEXT) -> Path:
    """The first half of a real three-page PDF: no cross-reference table, trailer or %%EOF."""
    data = _text_pdf_bytes([text] * 3)
    return _write(path, data[: len(data) // 2])


def _scan_image(lines: Sequence[str]) -> Image.Image:
    image = Image.new("L", (1240, 1754), color=255)  # A4 at 150 dpi
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(unicode_font_path()), 28)
    for row, line in enumerate(lines):
        draw.text((120, 160 + row * 48), line, fill=30, font=font)
    return image


def image_only_pdf(
    path: str | Path, lines: Sequence[str] = ("SCANNED POLICY PAGE", DEFAULT_TEXT[:60])
) -> Path:
    """A "scan": one page that is a single raster image of text, with no text layer."""
    doc = _Document()
    doc.add_page()
    doc.image(_scan_image(lines), x=0, y=0, w=doc.w, h=doc.h)
    return _write(path, doc.to_bytes())


def not_a_pdf(path: str | Path, text: str = "This is a plain text file, not a PDF.\n") -> Path:
    """A text file with a .pdf name."""
    return _write(path, text.encode("utf-8"))


def empty_file(path: str | Path) -> Path:
    """Zero bytes."""
    return _write(path, b"")


def multi_column_pdf(path: str | Path, columns: Sequence[str] = DEFAULT_COLUMNS) -> Path:
    """One page with the texts set side by side in equal columns."""
    doc = _Document()
    doc.add_page()
    gap = 8.0
    width = (doc.w - doc.l_margin - doc.r_margin - gap * (len(columns) - 1)) / len(columns)
    for index, text in enumerate(columns):
        doc.set_xy(doc.l_margin + index * (width + gap), doc.t_margin)
        doc.use_font_for(text)
        doc.multi_cell(width, 6, text)
    return _write(path, doc.to_bytes())


def form_pdf(
    path: str | Path,
    fields: Mapping[str, str] = DEFAULT_FIELDS,
    text: str = "Model change request form",
) -> Path:
    """A page of text plus filled AcroForm text fields (fpdf2 cannot write forms, so pypdf does)."""
    writer = _writer_for([text])
    field_refs = ArrayObject()
    for index, (name, value) in enumerate(fields.items()):
        top = 700 - index * 40
        widget = writer.add_annotation(
            0,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Widget"),
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/T"): TextStringObject(name),
                    NameObject("/V"): TextStringObject(value),
                    NameObject("/DA"): TextStringObject("/Helv 10 Tf 0 g"),
                    NameObject("/F"): NumberObject(4),
                    NameObject("/Rect"): ArrayObject(
                        [FloatObject(v) for v in (150, top, 450, top + 20)]
                    ),
                }
            ),
        )
        field_refs.append(widget.indirect_reference)
    helvetica = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {
            NameObject("/Fields"): field_refs,
            # Viewers draw the values themselves: the widgets have no appearance streams.
            NameObject("/NeedAppearances"): BooleanObject(True),
            NameObject("/DA"): TextStringObject("/Helv 10 Tf 0 g"),
            NameObject("/DR"): DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/Helv"): helvetica})}
            ),
        }
    )
    return _save(path, writer)


def annotated_pdf(
    path: str | Path,
    text: str = DEFAULT_TEXT,
    note: str = "Reviewer: confirm the quarterly review date.",
    url: str = "https://example.org/policy",
) -> Path:
    """Text with a sticky note (/Text), a highlight (/Highlight) and a web link (/Link)."""
    doc = _Document()
    doc.add_page()
    doc.use_font_for(text)
    with doc.highlight(note):
        doc.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    doc.text_annotation(x=doc.w - 30, y=30, text=note)
    doc.cell(0, 6, "Policy home page", link=url)
    return _write(path, doc.to_bytes())


def attachment_pdf(
    path: str | Path,
    text: str = DEFAULT_TEXT,
    name: str = "risk_register.csv",
    data: bytes = b"risk,owner\nvendor lock-in,procurement lead\n",
) -> Path:
    """Text plus an embedded file (a document-level attachment)."""
    doc = _Document()
    doc.add_page()
    doc.write_text(text)
    doc.embed_file(bytes=data, basename=name, modification_date=CREATION_DATE, desc="attached data")
    return _write(path, doc.to_bytes())


def outline_pdf(path: str | Path, sections: Sequence[tuple[str, str]] = DEFAULT_SECTIONS) -> Path:
    """One page per (title, text) section, each a top-level bookmark in the outline."""
    doc = _Document()
    for title, text in sections:
        doc.add_page()
        doc.use_font_for(title, size=14)
        doc.start_section(title)
        doc.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        doc.write_text(text)
    return _write(path, doc.to_bytes())


def rtl_pdf(path: str | Path, text: str = HEBREW_TEXT) -> Path:
    """Right-to-left text in an embedded DejaVu Sans.

    fpdf2 stores the glyphs in visual order, as most producers do, so ``extract_text`` gives
    each line reversed (for pure RTL text, ``text[::-1]``). Arabic renders unjoined without
    a shaping engine (uharfbuzz), which is why Hebrew is the default.
    """
    doc = _Document()
    doc.add_page()
    doc.write_text(text, size=14)
    return _write(path, doc.to_bytes())


def rotated_pdf(path: str | Path, text: str = DEFAULT_TEXT, rotation: int = 90) -> Path:
    """One text page whose /Rotate entry is ``rotation`` (the content itself is upright)."""
    writer = _writer_for([text])
    writer.pages[0].rotate(rotation)
    return _save(path, writer)


def _gradient(size: int = 64) -> Image.Image:
    return Image.frombytes(
        "RGB", (size, size), bytes(v for i in range(size * size) for v in (i % 256, 90, 160))
    )


#: A 4x4 greyscale inline image (BI ... ID ... EI) drawn with the page's content stream.
INLINE_IMAGE_OPS = (
    b"q 60 0 0 60 420 600 cm\n"
    b"BI /W 4 /H 4 /BPC 8 /CS /G ID\n" + bytes([0, 80, 160, 240] * 4) + b"\nEI\nQ\n"
)


def inline_image_pdf(path: str | Path, text: str = DEFAULT_TEXT) -> Path:
    """Text, an image XObject, and an inline image in the content stream itself."""
    doc = _Document(footer_page_numbers=False)
    doc.add_page()
    doc.write_text(text)
    doc.image(_gradient(), x=doc.l_margin, y=doc.get_y() + 5, w=40)
    writer = PdfWriter(clone_from=io.BytesIO(doc.to_bytes()))
    page = writer.pages[0]
    contents = page.get_contents()
    assert contents is not None
    # fpdf2 only writes image XObjects, so the inline image is appended to the content stream.
    stream = DecodedStreamObject()
    stream.set_data(contents.get_data() + b"\n" + INLINE_IMAGE_OPS)
    page.replace_contents(stream)
    return _save(path, writer)


def large_pdf(path: str | Path, pages: int, lines_per_page: int = 10) -> Path:
    """``pages`` pages of text; page n starts with "Page marker n." so tests can find it."""
    doc = _Document(footer_page_numbers=True)
    doc.page_total = pages
    doc.set_font(FONT_FAMILY, size=11)
    line_text = DEFAULT_TEXT.split(". ")[0] + "."
    for number in range(1, pages + 1):
        doc.add_page()
        doc.text(doc.l_margin, doc.t_margin, f"Page marker {number}.")
        # Plain text() lines rather than multi_cell: several times faster for big files.
        for line in range(1, lines_per_page + 1):
            doc.text(doc.l_margin, doc.t_margin + 7 * line, line_text)
    return _write(path, doc.to_bytes())


def page_texts(path: str | Path, password: str | None = None) -> list[str]:
    """Extracted text of every page (a convenience for assertions)."""
    reader = PdfReader(path, password=password)
    return [page.extract_text() or "" for page in reader.pages]

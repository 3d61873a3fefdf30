"""Each factory in pdf_factory writes what it claims, as pypdf (the ingest parser) sees it."""

from __future__ import annotations

from pathlib import Path

import pdf_factory as factory
import pytest
from pypdf import PasswordType, PdfReader
from pypdf.errors import EmptyFileError, FileNotDecryptedError, PdfReadError, PyPdfError


def _text(reader: PdfReader, index: int = 0, **kwargs: object) -> str:
    return reader.pages[index].extract_text(**kwargs) or ""


def test_text_pdf_pages_header_and_footer(tmp_path: Path) -> None:
    pages = ["First page about model owners.", "", "Third page on ﬁnancial controls."]
    path = factory.text_pdf(tmp_path / "nested" / "doc.pdf", pages, header="ACME | AI Policy")
    assert path == tmp_path / "nested" / "doc.pdf"
    reader = PdfReader(path)
    assert len(reader.pages) == 3
    for number in range(3):
        lines = _text(reader, number).splitlines()
        assert lines[0] == "ACME | AI Policy"
        assert lines[-1] == f"Page {number + 1} of 3"
    assert "First page about model owners." in _text(reader, 0)
    assert _text(reader, 1).splitlines() == ["ACME | AI Policy", "Page 2 of 3"]
    # Text outside cp1252 (a real ligature) goes through the embedded Unicode font.
    assert "ﬁnancial" in _text(reader, 2)


def test_text_pdf_without_header_or_footer(tmp_path: Path) -> None:
    path = factory.text_pdf(tmp_path / "plain.pdf", ["Only body text."], footer_page_numbers=False)
    assert _text(PdfReader(path)).strip() == "Only body text."


def test_encrypted_pdf_needs_the_password(tmp_path: Path) -> None:
    path = factory.encrypted_pdf(tmp_path / "enc.pdf", "s3cret", "Confidential risk register.")
    reader = PdfReader(path)
    assert reader.is_encrypted
    with pytest.raises(FileNotDecryptedError):
        _text(reader)
    assert reader.decrypt("wrong") == PasswordType.NOT_DECRYPTED
    assert PdfReader(path).decrypt("s3cret-owner") == PasswordType.OWNER_PASSWORD
    assert reader.decrypt("s3cret") == PasswordType.USER_PASSWORD
    assert "Confidential risk register." in _text(reader)


def test_encrypted_empty_password_pdf_opens_with_empty_string(tmp_path: Path) -> None:
    path = factory.encrypted_empty_password_pdf(tmp_path / "empty_pw.pdf", "Open to all readers.")
    reader = PdfReader(path)
    assert reader.is_encrypted
    assert reader.decrypt("") == PasswordType.USER_PASSWORD
    assert "Open to all readers." in _text(reader)
    assert PdfReader(path).decrypt("owner-secret") == PasswordType.OWNER_PASSWORD


def test_truncated_pdf_is_half_a_pdf_that_does_not_open(tmp_path: Path) -> None:
    path = factory.truncated_pdf(tmp_path / "cut.pdf")
    whole = factory.text_pdf(tmp_path / "whole.pdf", [factory.DEFAULT_TEXT] * 3)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" not in data
    assert len(data) == whole.stat().st_size // 2
    with pytest.raises(PyPdfError):
        PdfReader(path)


def test_image_only_pdf_has_an_image_and_no_text(tmp_path: Path) -> None:
    reader = PdfReader(factory.image_only_pdf(tmp_path / "scan.pdf"))
    assert len(reader.pages) == 1
    assert _text(reader).strip() == ""
    images = reader.pages[0].images
    assert len(images) == 1
    assert images[0].image is not None
    assert images[0].image.size == (1240, 1754)


def test_not_a_pdf_and_empty_file_fail_to_open(tmp_path: Path) -> None:
    fake = factory.not_a_pdf(tmp_path / "notes.pdf")
    assert not fake.read_bytes().startswith(b"%PDF")
    with pytest.raises(PdfReadError):
        PdfReader(fake)
    empty = factory.empty_file(tmp_path / "empty.pdf")
    assert empty.stat().st_size == 0
    with pytest.raises(EmptyFileError):
        PdfReader(empty)


def test_multi_column_pdf_sets_columns_side_by_side(tmp_path: Path) -> None:
    reader = PdfReader(factory.multi_column_pdf(tmp_path / "columns.pdf"))
    words = _text(reader).split()
    for column in factory.DEFAULT_COLUMNS:
        assert set(column.split()) <= set(words)
    # In layout mode the first visual line holds the start of both columns.
    first_line = _text(reader, extraction_mode="layout").strip().splitlines()[0]
    assert "Left column:" in first_line
    assert "Right column:" in first_line


def test_form_pdf_has_filled_acroform_fields(tmp_path: Path) -> None:
    reader = PdfReader(factory.form_pdf(tmp_path / "form.pdf"))
    assert "/AcroForm" in reader.trailer["/Root"]
    assert reader.get_form_text_fields() == dict(factory.DEFAULT_FIELDS)
    assert "Model change request form" in _text(reader)


def test_annotated_pdf_has_note_highlight_and_link(tmp_path: Path) -> None:
    note = "Check clause 5.5 with Legal."
    reader = PdfReader(factory.annotated_pdf(tmp_path / "annotated.pdf", note=note))
    page = reader.pages[0]
    assert "/Annots" in page
    annotations = [ref.get_object() for ref in page["/Annots"]]
    by_type = {a["/Subtype"]: a for a in annotations}
    assert set(by_type) == {"/Text", "/Highlight", "/Link"}
    assert by_type["/Text"]["/Contents"] == note
    assert by_type["/Link"]["/A"]["/URI"] == "https://example.org/policy"
    text = _text(reader)
    assert factory.DEFAULT_TEXT.split(".")[0] in " ".join(text.split())
    assert note not in text  # annotation text is not page text


def test_attachment_pdf_embeds_the_file(tmp_path: Path) -> None:
    data = b"a,b\n1,2\n"
    path = factory.attachment_pdf(tmp_path / "attached.pdf", name="table.csv", data=data)
    reader = PdfReader(path)
    assert reader.attachments == {"table.csv": [data]}
    assert "Model owner" in _text(reader)


def test_outline_pdf_has_one_bookmark_per_section(tmp_path: Path) -> None:
    reader = PdfReader(factory.outline_pdf(tmp_path / "outline.pdf"))
    outline = reader.outline
    assert [item.title for item in outline] == [title for title, _ in factory.DEFAULT_SECTIONS]
    assert [reader.get_destination_page_number(item) for item in outline] == [0, 1, 2]
    assert "3 Incident reporting" in _text(reader, 2)


def test_rtl_pdf_holds_hebrew_in_visual_order(tmp_path: Path) -> None:
    reader = PdfReader(factory.rtl_pdf(tmp_path / "rtl.pdf"))
    assert _text(reader).strip() == factory.HEBREW_TEXT[::-1]
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert any("DejaVu" in font.get_object()["/BaseFont"] for font in fonts.values())


def test_rotated_pdf_has_rotate_90(tmp_path: Path) -> None:
    reader = PdfReader(factory.rotated_pdf(tmp_path / "rotated.pdf"))
    page = reader.pages[0]
    assert page["/Rotate"] == 90
    assert page.rotation == 90
    assert "Model owner" in _text(reader)


def test_inline_image_pdf_has_text_xobject_and_inline_image(tmp_path: Path) -> None:
    reader = PdfReader(factory.inline_image_pdf(tmp_path / "inline.pdf"))
    page = reader.pages[0]
    assert b"BI /W 4" in page.get_contents().get_data()
    names = [image.name for image in page.images]
    assert len(names) == 2
    assert any(name.startswith("~") for name in names)  # pypdf's naming of inline images
    assert any(not name.startswith("~") for name in names)
    assert "Model owner" in _text(reader)


def test_large_pdf_has_the_pages_asked_for(tmp_path: Path) -> None:
    reader = PdfReader(factory.large_pdf(tmp_path / "large.pdf", pages=300))
    assert len(reader.pages) == 300
    lines = _text(reader, 149).splitlines()
    assert lines[0] == "Page marker 150."
    assert lines[-1] == "Page 150 of 300"


def test_page_texts_helper(tmp_path: Path) -> None:
    path = factory.encrypted_pdf(tmp_path / "enc.pdf", "pw", "Hello.")
    assert [t.strip() for t in factory.page_texts(path, password="pw")] == ["Hello."]

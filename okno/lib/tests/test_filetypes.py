"""File types come from the bytes; names are made safe and honest."""

import io
import zipfile

import pytest

from okno.lib.filetypes import RejectedFile, safe_filename, sniff


def zipped(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/").replace("_ct_", "[Content_Types].xml"), content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "x.bin", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "photo.jpg", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 30, "a", "image/jpeg"),
        ("Счёт за март".encode("cp1251"), "note.txt", "text/plain"),
        ("дата;сумма\n01.03;100\n".encode(), "выписка.csv", "text/csv"),
        (
            zipped(_ct_="x", word__document_xml="x"),
            "a.zip",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            zipped(_ct_="x", xl__workbook_xml="x"),
            "a",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (zipped(mimetype="application/vnd.oasis.opendocument.text"), "a", "application/vnd.oasis.opendocument.text"),
        (zipped(readme_txt="hi"), "a.docx", "application/zip"),
    ],
)
def test_the_content_decides(data, name, mime):
    assert sniff(data, name).mime == mime


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00\x03" + b"\0" * 60,
        b"\x7fELF\x02\x01\x01" + b"\0" * 60,
        b"<!DOCTYPE html><html><script>x</script></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
        b"\x00\x01\x02\x03binary junk\x00",
        b"",
    ],
)
def test_programs_pages_and_unknown_binaries_are_refused(data):
    with pytest.raises(RejectedFile):
        sniff(data, "file.pdf")


def test_safe_names_keep_cyrillic_and_lose_paths():
    pdf = sniff(b"%PDF-1.4\n", "x")
    assert safe_filename("C:\\Users\\Иван\\Претензия №5.pdf", pdf) == "Претензия №5.pdf"
    assert safe_filename("../../etc/passwd", pdf) == "passwd.pdf"
    assert safe_filename("\x00\n", pdf) == "file.pdf"

"""Files: type from content, size limit, stored once, name made safe."""

import pytest
from django.core.files.storage import default_storage

from okno.appeals import services
from okno.appeals.services import IncomingFile
from okno.core.errors import InvalidInput, NotFound

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_the_type_comes_from_the_content_not_the_name(org):
    note = services.add_note(org.anna, org.appeal(), body_text="скан", files=[IncomingFile("scan.pdf", PNG)])
    attachment = note.attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.filename == "scan.pdf.png"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 100),
        ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 100),
        ("page.txt", b"<html><body><script>alert(1)</script></body></html>"),
        ("empty.txt", b""),
    ],
)
def test_programs_pages_and_empty_files_are_refused(org, name, content):
    appeal = org.appeal()
    with pytest.raises(InvalidInput, match=r"not accepted|empty"):
        services.add_note(org.anna, appeal, body_text="файл", files=[IncomingFile(name, content)])
    assert not appeal.messages.exists()


def test_the_size_limit_holds(org, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(InvalidInput, match="larger"):
        services.add_note(org.anna, org.appeal(), body_text="x", files=[IncomingFile("big.pdf", PDF + b"0" * 2000)])


def test_the_same_bytes_are_stored_once_under_their_hash(org):
    appeal = org.appeal()
    a = services.add_note(org.anna, appeal, body_text="1", files=[IncomingFile("a.pdf", PDF)]).attachments.get()
    b = services.add_note(org.anna, appeal, body_text="2", files=[IncomingFile("b.pdf", PDF)]).attachments.get()
    assert a.file.name == b.file.name == f"attachments/{a.sha256[:2]}/{a.sha256[2:4]}/{a.sha256}"
    assert default_storage.open(a.file.name).read() == PDF


def test_path_parts_and_odd_characters_leave_the_name(org):
    note = services.add_note(
        org.anna, org.appeal(), body_text="x", files=[IncomingFile("..\\..\\etc/Акт <сверки>.pdf", PDF)]
    )
    assert note.attachments.get().filename == "Акт сверки.pdf"


def test_a_two_step_upload_is_bound_to_the_reply(org):
    appeal = org.appeal()
    uploaded = services.upload(org.anna, appeal, IncomingFile("ответ.pdf", PDF))
    message = services.reply(org.anna, appeal, body_text="Ответ во вложении", attachments=[uploaded])
    uploaded.refresh_from_db()
    assert uploaded.message == message


def test_an_upload_cannot_be_reused_on_another_appeal(org):
    uploaded = services.upload(org.anna, org.appeal(), IncomingFile("a.pdf", PDF))
    with pytest.raises(InvalidInput):
        services.reply(org.anna, org.appeal(), body_text="x", attachments=[uploaded])


def test_an_outsider_cannot_upload(org):
    with pytest.raises(NotFound):
        services.upload(org.boris, org.appeal(), IncomingFile("a.pdf", PDF))

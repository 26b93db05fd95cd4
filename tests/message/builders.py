"""Fixture builders: messages and documents made in the test, so nothing opaque is committed."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from corpora.builders import xlsx, zip_of  # noqa: F401  (re-exported for the tests here)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def message(
    body: str = "Hello",
    *,
    subject: str = "Test",
    to: str = "Alice <alice@example.org>",
    cc: str | None = None,
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Sender <sender@dept.example.gov.uk>"
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Message-ID"] = "<test-1@dept.example.gov.uk>"
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, data, ctype in attachments or []:
        maintype, _, subtype = ctype.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=SMTP)


def _w(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<w:body>{body}</w:body></w:document>"
    )


def w_p(*runs: str) -> str:
    return "<w:p>" + "".join(f"<w:r><w:t xml:space=\"preserve\">{r}</w:t></w:r>" for r in runs) + "</w:p>"


def w_table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<w:tr>" + "".join(f"<w:tc>{w_p(c)}</w:tc>" for c in row) + "</w:tr>" for row in rows
    )
    return f"<w:tbl>{cells}</w:tbl>"


REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def rels(links: dict[str, str]) -> str:
    """A part's .rels with external hyperlinks {rId: target}."""
    from xml.sax.saxutils import quoteattr

    return f'<?xml version="1.0"?><Relationships xmlns="{REL_NS}">' + "".join(
        f'<Relationship Id="{rid}" Type="{HYPERLINK_REL}" Target={quoteattr(target)} TargetMode="External"/>'
        for rid, target in links.items()
    ) + "</Relationships>"


def docx(body: str, extra: dict[str, str] | None = None, links: dict[str, str] | None = None) -> bytes:
    """A DOCX built from WordprocessingML fragments (awkward places are easy to put in);
    `links` {rId: target} go to word/_rels/document.xml.rels (for `<w:hyperlink r:id>`)."""
    part = _w(body)
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"/>',
        "word/document.xml": part,
    }
    if links:
        members["word/_rels/document.xml.rels"] = rels(links)
    for name, inner in (extra or {}).items():
        root = name.rsplit("/", 1)[-1].removesuffix(".xml")
        tag = {"footnotes": "footnotes", "endnotes": "endnotes", "comments": "comments"}.get(root, "hdr")
        members[name] = f'<?xml version="1.0"?><w:{tag} xmlns:w="{W_NS}">{inner}</w:{tag}>'
    return zip_of(members)


A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"


def pptx(slides: list[str], notes: dict[int, str] | None = None) -> bytes:
    members: dict[str, bytes | str] = {"ppt/presentation.xml": f'<p:presentation xmlns:p="{P_NS}"/>'}
    for i, text in enumerate(slides, 1):
        members[f"ppt/slides/slide{i}.xml"] = (
            f'<p:sld xmlns:p="{P_NS}" xmlns:a="{A_NS}"><p:cSld><p:spTree><p:sp><p:txBody>'
            + "".join(f"<a:p><a:r><a:t>{line}</a:t></a:r></a:p>" for line in text.split("\n"))
            + "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    for i, text in (notes or {}).items():
        members[f"ppt/notesSlides/notesSlide{i}.xml"] = (
            f'<p:notes xmlns:p="{P_NS}" xmlns:a="{A_NS}"><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:notes>'
        )
    return zip_of(members)


ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)


def odt(body: str, header: str = "") -> bytes:
    content = (
        f"<office:document-content {ODF_NS}><office:body><office:text>{body}</office:text>"
        "</office:body></office:document-content>"
    )
    styles = (
        f'<office:document-styles {ODF_NS}><office:master-styles><style:master-page>'
        f"<style:header><text:p>{header}</text:p></style:header></style:master-page>"
        "</office:master-styles></office:document-styles>"
    )
    return zip_of({
        "mimetype": "application/vnd.oasis.opendocument.text",
        "content.xml": content,
        "styles.xml": styles,
        "META-INF/manifest.xml": "<manifest/>",
    })


def pdf(pages: list[str], *, annotation: str = "", attach: tuple[str, bytes] | None = None,
        password: str | None = None) -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.set_font("helvetica", size=12)
    for text in pages:
        doc.add_page()
        doc.multi_cell(0, 8, text)
    if annotation:
        doc.text_annotation(10, 10, annotation)
    if attach is not None:
        doc.embed_file(bytes=attach[1], basename=attach[0])
    if password is not None:
        doc.set_encryption(owner_password="owner", user_password=password)
    return bytes(doc.output())

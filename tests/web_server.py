"""A small web site for reference-fetching tests: stdlib only, in a thread, on
127.0.0.1 at a free port. It serves the awkward cases the product must survive:

    /article.html      an article wrapped in navigation, ads and a footer
    /plain.html        an article without headings, long enough for several parts
    /paper.pdf         a small valid PDF with text on two pages
    /latin1.html       a page in ISO-8859-1, declared in the Content-Type header
    /redirect          301 -> /article.html
    /loop              302 -> /loop (forever)
    /to-file           302 -> file:///etc/passwd
    /missing           404
    /image.png         a PNG (not text)
    /slow              sends its body one byte every 0.2 s (for 20 s at most)
    /huge              100 MB with Content-Length, generated lazily while sent
    /huge-chunked      100 MB without Content-Length (until the connection closes)

``server.pages[path] = Page(...)`` adds or replaces a page; ``server.requests``
records (path, headers) of every request."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HUGE_BYTES = 100_000_000
CHUNK = 64 * 1024

ARTICLE_FACT = (
    "The quokka gradient theorem states that momentum halves the oscillation of "
    "stochastic updates in narrow ravines of the loss surface."
)
BIAS_FACT = (
    "High bias makes the learner miss relevant relations between features and targets; "
    "statisticians call this underfitting of the zebrafish dataset."
)
BOILERPLATE = ["Subscribe to our newsletter", "BUY CHEAP WATCHES", "Copyright 2024 Example Corp"]
PDF_LINES = [
    "Lecture notes on the Frobenius norm.",
    "The Frobenius norm of a matrix is the square root of the sum of squared entries.",
]
PDF_PAGE2 = ["Second page: the nuclear norm sums the singular values."]
LATIN1_TEXT = "Un café pour le modèle naïf: la régression logistique reste très utilisée."


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def article_html(title: str, sections: list[tuple[str, str]], lead: str = "") -> str:
    """An HTML page whose article sits among navigation, ads and a footer."""
    body = "".join(f"<h2>{h}</h2><p>{p}</p>" for h, p in sections)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title} - Example Wiki</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/about">About</a> <a href="/news">News</a>
<a href="/subscribe">{BOILERPLATE[0]}</a></nav></header>
<aside class="advert sidebar"><p>{BOILERPLATE[1]}</p><p>Advertisement</p></aside>
<main><article><h1>{title}</h1><p>{lead}</p>{body}</article></main>
<footer><p>{BOILERPLATE[2]}. Privacy policy. Terms of use. Contact.</p></footer>
</body></html>"""


def minimal_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A valid PDF (Helvetica text, one line per string), built by hand so that the
    tests need no PDF writer."""
    objects: list[bytes] = []
    n_pages = len(pages)
    font_id = 3 + 2 * n_pages
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    for i, lines in enumerate(pages):
        content_id = 4 + 2 * i
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    info_ref = b""
    if title is not None:
        objects.append(f"<< /Title ({title}) >>".encode("latin-1"))
        info_ref = f" /Info {len(objects)} 0 R".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R".encode() + info_ref + b" >>\n"
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def default_pages() -> dict[str, Page]:
    article = article_html(
        "Quokka optimisation",
        [
            ("Momentum", ARTICLE_FACT),
            ("Bias", BIAS_FACT),
        ],
        lead="This article explains optimisation ideas with the help of quokkas and zebrafish.",
    )
    plain_paragraphs = "".join(
        f"<p>Paragraph {i} about kernel density estimation: the bandwidth of the kernel "
        f"controls how smooth the estimate is, and item {i} of this list repeats that idea "
        "with a little more detail so that the page grows long enough to need parts.</p>"
        for i in range(40)
    )
    plain = (
        "<html><head><title>Kernel density notes</title></head><body><nav>Menu Home About</nav>"
        f"<article>{plain_paragraphs}</article><footer>Footer text here</footer></body></html>"
    )
    latin1 = (
        "<html><head><title>Caf\u00e9 et r\u00e9gression</title></head><body><article>"
        f"<h1>Caf\u00e9 et r\u00e9gression</h1><p>{LATIN1_TEXT}</p><p>{LATIN1_TEXT}</p>"
        "</article></body></html>"
    )
    return {
        "/article.html": Page(article.encode()),
        "/plain.html": Page(plain.encode()),
        "/paper.pdf": Page(minimal_pdf([PDF_LINES, PDF_PAGE2], title="Norms"), "application/pdf"),
        "/latin1.html": Page(latin1.encode("latin-1"), "text/html; charset=ISO-8859-1"),
        "/redirect": Page(b"", status=301, headers={"Location": "/article.html"}),
        "/loop": Page(b"", status=302, headers={"Location": "/loop"}),
        "/to-file": Page(b"", status=302, headers={"Location": "file:///etc/passwd"}),
        "/missing": Page(b"<html><body>Not here</body></html>", status=404),
        "/image.png": Page(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        self.server.owner.requests.append((path, dict(self.headers.items())))
        try:
            if path == "/slow":
                self._slow()
            elif path == "/huge":
                self._huge(declare_length=True)
            elif path == "/huge-chunked":
                self._huge(declare_length=False)
            else:
                self._page(path)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should for the endless pages

    def _page(self, path: str) -> None:
        page = self.server.owner.pages.get(path) or Page(b"not found", "text/plain", 404)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(page.body)

    def _slow(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(b"<html><body><p>")
        self.wfile.flush()
        for _ in range(100):
            if self.server.owner.stopping.wait(0.2):
                return
            self.wfile.write(b"a")
            self.wfile.flush()

    def _huge(self, declare_length: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if declare_length:
            self.send_header("Content-Length", str(HUGE_BYTES))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        block = b"<p>" + b"x" * (CHUNK - 7) + b"</p>\n"
        sent = 0
        while sent < HUGE_BYTES and not self.server.owner.stopping.is_set():
            piece = block[: HUGE_BYTES - sent]
            self.wfile.write(piece)
            sent += len(piece)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: WebServer


class WebServer:
    def __init__(self) -> None:
        self.pages = default_pages()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    def start(self) -> WebServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # a manual look: python -m tests.web_server
    with WebServer() as server, contextlib.suppress(KeyboardInterrupt):
        print(f"serving on {server.base}")
        while True:
            time.sleep(1)

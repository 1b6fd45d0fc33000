"""A tiny SMTP server on 127.0.0.1 that keeps every message it receives (stdlib only)."""

from __future__ import annotations

import email
import socketserver
import threading
from email.message import Message


class _Handler(socketserver.StreamRequestHandler):
    """Speak just enough SMTP for smtplib: greet, accept every command, collect DATA."""

    def handle(self) -> None:
        self.wfile.write(b"220 sink ready\r\n")
        lines: list[bytes] | None = None
        for raw in self.rfile:
            if lines is not None:
                if raw == b".\r\n":
                    self.server.messages.append(email.message_from_bytes(b"".join(lines)))
                    lines = None
                    self.wfile.write(b"250 stored\r\n")
                else:
                    lines.append(raw[1:] if raw.startswith(b"..") else raw)
                continue
            command = raw[:4].upper()
            if command == b"DATA":
                lines = []
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


class SmtpSink(socketserver.ThreadingTCPServer):
    """Start with ``with SmtpSink() as sink:``; read ``sink.messages`` and ``sink.port``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.messages: list[Message] = []
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


def configure(app, monkeypatch, sink: SmtpSink) -> None:
    """Point the app's mail settings at ``sink`` for one test."""
    monkeypatch.setitem(app.config, "REM_MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "REM_MAIL_PORT", sink.port)
    monkeypatch.setitem(app.config, "REM_MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "REM_MAIL_USERNAME", None)
    monkeypatch.setitem(app.config, "REM_MAIL_FROM", "rem@example.org")


def body_of(message: Message) -> str:
    """Return the plain-text body of ``message``."""
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def deliver(app) -> str:
    """Run the mail worker once, as cron would (``flask --app rem mail send``)."""
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    return result.output

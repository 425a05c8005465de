#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A counting SMTP server for end-to-end tests (Debian's python3-aiosmtpd).

Every accepted message appends one line to LOG:
    <sha256 of the body as received> <body length> <mail from> <rcpt count>
so a test can compare what arrived with what was sent, byte for byte.
With --tls it offers STARTTLS (a throw-away self-signed certificate).
With --auth it offers AUTH PLAIN LOGIN over plain text, accepts any
credentials, and takes AUTH and SASL lines of RFC 4954's 12,288 octets.
Runs until SIGTERM.
"""
import hashlib
import os
import signal
import ssl
import subprocess
import sys
import tempfile

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult


class Recorder:
    def __init__(self, path):
        self.out = open(path, "a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        body = envelope.original_content or envelope.content
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogateescape")
        self.out.write("%s %d %s %d\n" % (hashlib.sha256(body).hexdigest(), len(body),
                                          envelope.mail_from, len(envelope.rcpt_tos)))
        return "250 2.0.0 Ok: queued"


class AuthSMTP(SMTP):
    """RFC 4954 4: AUTH command and SASL response lines of 12,288 octets."""
    line_length_limit = 1 << 16

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.command_size_limits["AUTH"] = 12288


class AuthController(Controller):
    def factory(self):
        return AuthSMTP(self.handler, **self.SMTP_kwargs)


def any_credentials(server, session, envelope, mechanism, auth_data):
    return AuthResult(success=True)


def tls_context():
    """A self-signed certificate, so that the server offers STARTTLS."""
    d = tempfile.mkdtemp(prefix="smtp-sink-tls.")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=mail.test", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    host, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    handler = Recorder(log)
    kwargs = {"data_size_limit": 64 << 20}
    if "--tls" in sys.argv[4:]:
        kwargs["tls_context"] = tls_context()
    ctl = Controller
    if "--auth" in sys.argv[4:]:
        kwargs.update(authenticator=any_credentials, auth_require_tls=False)
        ctl = AuthController
    # Many recipients and long lines are what the tests send on purpose.
    controller = ctl(handler, hostname=host, port=port, ready_timeout=10, server_kwargs=kwargs)
    controller.start()
    print("smtp_sink: listening on %s:%d" % (host, port), flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    controller.stop()


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    main()

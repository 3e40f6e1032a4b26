#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd) that keeps every message as a file.

    python3 smtp_sink.py --port 0 --dir DIR [--auth user:pass] [--reject-rcpt ADDRESS]... [--greylist ADDRESS]...
                         [--close-at-rcpt ADDRESS]...
                         [--require-starttls yes --cert CERT.pem --key KEY.pem] [--implicit-tls]
                         [--exit-on-stdin-eof]

Binds 127.0.0.1 (port 0: a free one), prints "listening on 127.0.0.1:PORT" once ready, and writes
each accepted message as DIR/<n>.eml (the bytes received, dot-stuffing removed) with its
envelope in DIR/<n>.json ({"mail_from": ..., "rcpt_tos": [...]}). The .json is written first and
both are written to a temporary name then renamed, so a reader that sees <n>.eml sees it whole
and finds its envelope. Numbering continues after the files already in DIR, so a restarted sink
never overwrites what an earlier run received.
"""
import argparse
import asyncio
import json
import logging
import os
import re
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, directory, rejected, greylisted=(), closing=()):
        self.directory = directory
        self.rejected = {address.lower() for address in rejected}
        # Greylisting as servers do it: the first attempt for a recipient is deferred, a retry passes.
        self.greylisted = {address.lower() for address in greylisted}
        self.closing = {address.lower() for address in closing}
        numbers = [int(m.group(1)) for name in os.listdir(directory)
                   if (m := re.fullmatch(r"(\d+)\.(eml|json)", name))]
        self.counter = max(numbers, default=0)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        if address.lower() in self.closing:
            # A server going down mid-dialogue: 421, then the connection closes (after the reply,
            # which aiosmtpd writes before this task next yields).
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.3.2 Service shutting down, closing transmission channel"
        if address.lower() in self.greylisted:
            self.greylisted.discard(address.lower())
            return "451 4.7.1 <%s>: Recipient address rejected: Greylisted, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # The event loop runs one handler step at a time: the counter needs no lock.
        self.counter += 1
        base = os.path.join(self.directory, str(self.counter))
        envelope_json = json.dumps({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}).encode()
        write_atomically(base + ".json", envelope_json)
        write_atomically(base + ".eml", envelope.original_content)
        return "250 Message accepted for delivery"


def write_atomically(path, data):
    temporary = path + ".tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


class Authenticator:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == self.user and auth_data.password == self.password)
        return AuthResult(success=ok, handled=False)


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--auth", help="user:password; AUTH PLAIN/LOGIN then required before MAIL")
    parser.add_argument("--reject-rcpt", action="append", default=[], help="answer 550 for this recipient")
    parser.add_argument("--greylist", action="append", default=[],
                        help="answer 451 to this recipient's first RCPT TO, accept it afterwards")
    parser.add_argument("--close-at-rcpt", action="append", default=[],
                        help="answer 421 to this recipient's RCPT TO and close the connection")
    parser.add_argument("--require-starttls", choices=["yes", "no"], default="no")
    parser.add_argument("--cert", help="PEM certificate for STARTTLS")
    parser.add_argument("--key", help="PEM private key for STARTTLS")
    parser.add_argument("--implicit-tls", action="store_true",
                        help="TLS from the first byte (smtps, port 465 style) with --cert/--key, instead of STARTTLS")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when standard input closes (the test process that started us died)")
    args = parser.parse_args()
    # Plain AUTH on loopback is deliberate here: keep aiosmtpd's warnings about it out of the log.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)

    os.makedirs(args.dir, exist_ok=True)
    handler = Sink(args.dir, args.reject_rcpt, args.greylist, args.close_at_rcpt)
    tls_context = None
    if args.cert and args.key:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)
    elif args.require_starttls == "yes" or args.implicit_tls:
        parser.error("--require-starttls yes and --implicit-tls need --cert and --key")

    options = {}
    if args.auth:
        user, _, password = args.auth.partition(":")
        options.update(authenticator=Authenticator(user, password), auth_required=True,
                       auth_require_tls=False)  # loopback tests: plain AUTH is fine here

    def factory():
        # A fixed hostname avoids a slow reverse lookup (socket.getfqdn) per connection.
        return SMTP(handler, hostname="relais-smtp-sink",
                    tls_context=None if args.implicit_tls else tls_context,
                    require_starttls=args.require_starttls == "yes", **options)

    loop = asyncio.get_running_loop()
    # reuse_address (the default on Unix) lets a restarted sink bind the same port at once.
    server = await loop.create_server(factory, host="127.0.0.1", port=args.port, reuse_address=True,
                                      ssl=tls_context if args.implicit_tls else None)
    port = server.sockets[0].getsockname()[1]
    print("listening on 127.0.0.1:%d" % port, flush=True)

    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if args.exit_on_stdin_eof:
        def on_stdin():
            if not os.read(sys.stdin.fileno(), 4096):
                loop.remove_reader(sys.stdin.fileno())
                stop.set()
        loop.add_reader(sys.stdin.fileno(), on_stdin)

    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())

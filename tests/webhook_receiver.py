"""A webhook receiver for the end-to-end tests, run with the Python that scripts/test gives the
standardwebhooks package (a verifier nobody here wrote). Each POST is checked with the secret
read from SECRET_FILE at that moment, recorded as one JSON line in LOG_FILE, and answered 500 for
the first FAIL_FIRST requests and 204 afterwards. The port it listens on is written to PORT_FILE.

Usage: webhook_receiver.py PORT_FILE LOG_FILE SECRET_FILE FAIL_FIRST
"""

import http.server
import json
import sys

import standardwebhooks

PORT_FILE, LOG_FILE, SECRET_FILE, FAIL_FIRST = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
received = 0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global received
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            with open(SECRET_FILE, encoding="utf-8") as f:
                secret = f.read().strip()
            standardwebhooks.Webhook(secret).verify(body, headers)
            verified, error = True, None
        except Exception as e:  # recorded, never raised: the test reads why
            verified, error = False, repr(e)
        received += 1
        status = 500 if received <= FAIL_FIRST else 204
        with open(LOG_FILE, "a", encoding="utf-8") as f:
            f.write(json.dumps({
                "path": self.path,
                "verified": verified,
                "error": error,
                "id": headers.get("webhook-id"),
                "body": body.decode("utf-8", "replace"),
                "answered": status,
            }) + "\n")
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE, "w", encoding="utf-8") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()

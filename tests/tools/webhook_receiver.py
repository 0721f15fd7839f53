#!/usr/bin/env python3
"""A webhook receiver for the integration tests: listens on 127.0.0.1 (an ephemeral port,
printed as "port=N" on stdout), answers 200 to every POST and appends each body, one per
line, to the file named by its only argument."""
import http.server
import sys

out_path = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with open(out_path, "ab") as out:
            out.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(f"port={server.server_address[1]}", flush=True)
server.serve_forever()

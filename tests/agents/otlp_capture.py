#!/usr/bin/env python3
"""A minimal OTLP sink that records what a client sends, byte for byte (Python 3 standard library;
gRPC through Debian's python3-grpcio when asked for).

OTLP/HTTP: any POST (the clients use /v1/metrics, /v1/logs, /v1/traces) is answered 200 with an
empty Export*ServiceResponse in the request's own encoding (zero bytes of protobuf, or `{}`).
OTLP/gRPC (--grpc-port): any unary method is answered with an empty response message.

Each request's body is stored as it came (still gzipped when the client gzipped it) in
DIR/NNNN-<signal>.<json|pb>[.gz], and a line is appended to DIR/index.jsonl:
  {"seq", "time", "transport": "http"|"grpc", "path" (or the gRPC method), "signal",
   "content_type", "content_encoding", "user_agent", "bytes", "file"}
"""

import argparse
import itertools
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 * 1024 * 1024


def signal_of(path):
    lowered = path.lower()
    for signal, words in (("metrics", ("metric",)), ("logs", ("log",)), ("traces", ("trace", "span"))):
        if any(w in lowered for w in words):
            return signal
    return "unknown"


class Recorder:
    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.lock = threading.Lock()
        self.sequence = itertools.count(1)

    def record(self, transport, path, content_type, content_encoding, user_agent, body):
        signal = signal_of(path)
        json_body = "json" in (content_type or "")
        with self.lock:
            seq = next(self.sequence)
            name = f"{seq:04d}-{signal}.{'json' if json_body else 'pb'}"
            if (content_encoding or "").lower() == "gzip":
                name += ".gz"
            with open(os.path.join(self.directory, name), "wb") as f:
                f.write(body)
            entry = {"seq": seq, "time": time.time(), "transport": transport, "path": path, "signal": signal,
                     "content_type": content_type, "content_encoding": content_encoding, "user_agent": user_agent,
                     "bytes": len(body), "file": name}
            with open(os.path.join(self.directory, "index.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")


class HttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
            body = bytes(body)
        elif length > MAX_BODY:
            self.send_response(413)
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            return
        else:
            body = self.rfile.read(length)
        content_type = self.headers.get("Content-Type", "")
        self.server.recorder.record("http", self.path, content_type, self.headers.get("Content-Encoding"),
                                    self.headers.get("User-Agent"), body)
        if "json" in content_type:
            answer, answer_type = b"{}", "application/json"
        else:
            answer, answer_type = b"", "application/x-protobuf"
        self.send_response(200)
        self.send_header("Content-Type", answer_type)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_grpc(recorder, host, port):
    import grpc  # Debian's python3-grpcio
    from concurrent import futures

    class AnyMethod(grpc.GenericRpcHandler):
        def service(self, details):
            metadata = dict(details.invocation_metadata)

            def export(request, context):
                recorder.record("grpc", details.method, metadata.get("content-type", "application/grpc"),
                                metadata.get("grpc-encoding"), metadata.get("user-agent"), request)
                return b""

            # No (de)serializers: the request arrives as the raw protobuf bytes, the empty answer is
            # a valid empty Export*ServiceResponse.
            return grpc.unary_unary_rpc_method_handler(export)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=[AnyMethod()])
    bound = server.add_insecure_port(f"{host}:{port}")
    server.start()
    return server, bound


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="where to store the bodies and index.jsonl")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--grpc-port", type=int, help="also listen for OTLP/gRPC (0: any free port)")
    parser.add_argument("--port-file", help="where to write {\"http\": port, \"grpc\": port} once listening")
    args = parser.parse_args()
    recorder = Recorder(args.dir)
    http = HttpServer((args.host, args.http_port), HttpHandler)
    http.recorder = recorder
    ports = {"http": http.server_address[1]}
    if args.grpc_port is not None:
        _, ports["grpc"] = start_grpc(recorder, args.host, args.grpc_port)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            json.dump(ports, f)
        os.replace(args.port_file + ".tmp", args.port_file)
    print(f"otlp capture on {args.host} {ports}", file=sys.stderr, flush=True)
    try:
        http.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

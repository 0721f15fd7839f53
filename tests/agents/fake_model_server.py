#!/usr/bin/env python3
"""A scripted model server for the real coding agents, on loopback (Python 3 standard library only).

It speaks the four wire formats the agents use:
  POST /v1/messages           Anthropic Messages API (Claude Code), streamed (SSE) or not
  POST /v1/responses          OpenAI Responses API (Codex), streamed
  POST /v1/chat/completions   OpenAI Chat Completions (opencode's openai-compatible provider), streamed or not
  POST /v1beta/models/{model}:streamGenerateContent?alt=sse, :generateContent, :countTokens
                              the Gemini API (Gemini CLI), streamed (SSE) or not
and answers the few side endpoints the clients call at start minimally (GET /v1/models, HEAD /).

What it answers comes from a script (a JSON file):
  {
    "model": "claude-sonnet-4-5-20250929",        # reported back when the request names none
    "turns": [                                     # consumed in order by the requests that offer tools
      {"text": "Hello.", "usage": {"input": 120, "output": 9, "cache_read": 300, "cache_write": 40}},
      {"tool": {"name": "Bash", "input": {"command": "echo hi"}}, "usage": {...}},
      {"tools": [{"name": ...}, {"name": ...}], "text": "optional words before the calls", "usage": {...}},
      {"tool": {"name": "apply_patch", "custom_input": "*** Begin Patch ..."}}  # a freeform tool (Responses API)
      {"error": {"status": 500, "type": "api_error", "message": "boom"}, "times": 2}
    ],
    "side": {"text": "Side answer", "usage": {...}},   # requests without tools (titles, summaries)
    "exhausted": {"text": "Done."}                     # once the turns are used up (default: an error 500)
  }
Usage is given once per turn in neutral terms and written in each API's own convention:
  input       input tokens that were neither read from nor written to the cache
  cache_read  input tokens read from the prompt cache
  cache_write input tokens written to the prompt cache (Anthropic only; OpenAI and Gemini have no such field)
  output      output tokens (reasoning included)
  reasoning   of which reasoning (OpenAI, Gemini)
Anthropic reports input_tokens = input, cache_read_input_tokens, cache_creation_input_tokens; OpenAI
reports input_tokens / prompt_tokens = input + cache_read + cache_write with the cached share in
*_tokens_details.cached_tokens, as the real APIs do. Gemini's usageMetadata has promptTokenCount =
input + cache_read + cache_write with cachedContentTokenCount = cache_read, candidatesTokenCount =
output - reasoning (the visible answer), thoughtsTokenCount = reasoning, and totalTokenCount = the sum.

A Gemini request offers tools in "tools": [{"functionDeclarations": [...]}]; one without (Gemini CLI's
checks and classifiers, which ask for JSON by generationConfig.responseJsonSchema) gets the script's
`side` answer, or, when the request asks for JSON and `side` has no "json", an object built from the
schema: the first enum value or a short string for each required property.

An error turn answers `times` requests (default 1) with its status, then the script moves on, so a
client's retry of a 5xx can be answered by the next turn. "times": 0 means every request from then on.

Every request is appended to a JSONL log (--log): method, path, headers (credentials replaced by
"<redacted>"), the body (JSON when it parses), what it was (turn, side, other), and what was
answered (status, the usage in the API's own fields, the neutral usage). Tests read the log to
assert what the client sent (its system prompt, its tools) and what it was told.
"""

import argparse
import itertools
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_HEADERS = {"authorization", "x-api-key", "cookie", "proxy-authorization", "openai-organization", "chatgpt-account-id",
                  "x-goog-api-key"}
MAX_BODY = 64 * 1024 * 1024  # a request larger than this is refused, not read


def neutral_usage(turn):
    u = turn.get("usage", {})
    return {k: int(u.get(k, 0)) for k in ("input", "output", "cache_read", "cache_write", "reasoning")}


def anthropic_usage(u):
    return {
        "input_tokens": u["input"],
        "cache_creation_input_tokens": u["cache_write"],
        "cache_read_input_tokens": u["cache_read"],
        "output_tokens": u["output"],
    }


def openai_prompt_tokens(u):
    return u["input"] + u["cache_read"] + u["cache_write"]


def responses_usage(u):
    prompt = openai_prompt_tokens(u)
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": u["cache_read"]},
        "output_tokens": u["output"],
        "output_tokens_details": {"reasoning_tokens": u["reasoning"]},
        "total_tokens": prompt + u["output"],
    }


def chat_usage(u):
    prompt = openai_prompt_tokens(u)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": u["output"],
        "total_tokens": prompt + u["output"],
        "prompt_tokens_details": {"cached_tokens": u["cache_read"]},
        "completion_tokens_details": {"reasoning_tokens": u["reasoning"]},
    }


def gemini_usage(u):
    prompt = openai_prompt_tokens(u)
    return {
        "promptTokenCount": prompt,
        "candidatesTokenCount": u["output"] - u["reasoning"],
        "cachedContentTokenCount": u["cache_read"],
        "thoughtsTokenCount": u["reasoning"],
        "totalTokenCount": prompt + u["output"],
    }


def json_from_schema(schema):
    """A small value that satisfies a JSON schema (Gemini CLI's classifiers and checks ask for one)."""
    if not isinstance(schema, dict):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    kind = str(schema.get("type", "object")).lower()
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: json_from_schema(properties.get(name, {})) for name in schema.get("required", list(properties))}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return 0
    if kind == "boolean":
        return False
    return "fake"


def tool_calls(turn):
    calls = list(turn.get("tools", []))
    if "tool" in turn:
        calls.insert(0, turn["tool"])
    return calls


def sse(events):
    """An SSE body from (event name or None, data) pairs."""
    out = []
    for name, data in events:
        if name:
            out.append(f"event: {name}\n")
        out.append("data: " + (data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))) + "\n\n")
    return "".join(out).encode()


def chunks(text, size=24):
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


class Script:
    """The turns, consumed under a lock: requests may come in parallel (a subagent, a title)."""

    def __init__(self, spec):
        self.spec = spec
        self.turns = list(spec.get("turns", []))
        self.position = 0
        self.used_of_current = 0
        self.lock = threading.Lock()
        self.ids = itertools.count(1)

    def next_turn(self):
        with self.lock:
            if self.position >= len(self.turns):
                return None, self.spec.get("exhausted", {"error": {"status": 500, "type": "api_error",
                                                                    "message": "the fake model's script is exhausted"}})
            index, turn = self.position, self.turns[self.position]
            if "error" in turn:
                times = int(turn.get("times", 1))
                self.used_of_current += 1
                if times and self.used_of_current >= times:
                    self.position += 1
                    self.used_of_current = 0
            else:
                self.position += 1
            return index, turn

    def next_id(self):
        return next(self.ids)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-model/1"

    # The standard library logs every request to stderr; the JSONL log is the record.
    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        self.handle_any()

    def do_HEAD(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def read_body(self):
        length = self.headers.get("Content-Length")
        if length is not None:
            n = int(length)
            if n > MAX_BODY:
                raise ValueError(f"body of {n} bytes is over the limit")
            return self.rfile.read(n)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > MAX_BODY:
                    raise ValueError("chunked body over the limit")
        return b""

    def handle_any(self):
        started = time.time()
        try:
            raw = self.read_body()
        except ValueError as error:
            self.reply(413, "application/json", json.dumps({"error": str(error)}).encode(), {"kind": "refused"})
            return
        path, _, query = self.path.partition("?")
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                body = raw[:4096].decode("utf-8", "replace")
        record = {
            "time": started,
            "method": self.command,
            "path": path,
            "query": query,
            "headers": {k.lower(): ("<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in self.headers.items()},
            "body": body,
        }
        answer = self.route(path, body if isinstance(body, dict) else {})
        status, content_type, payload, summary = answer
        record.update(summary)
        record["status"] = status
        self.server.write_log(record)
        self.reply(status, content_type, payload, None)

    def reply(self, status, content_type, payload, summary):
        if summary is not None:
            self.server.write_log({"time": time.time(), "method": self.command, "path": self.path, "status": status, **summary})
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        if content_type == "text/event-stream":
            self.send_header("Cache-Control", "no-cache")
        self.send_header("request-id", f"req_fake_{self.server.script.next_id():04d}")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    # -- routing --------------------------------------------------------------------------------

    def route(self, path, body):
        if self.command == "POST" and ":" in path.rsplit("/", 1)[-1]:  # the Gemini API: /v1beta/models/{model}:{method}
            model, _, method = path.rsplit("/", 1)[-1].partition(":")
            if method in ("streamGenerateContent", "generateContent"):
                return self.answer("gemini", dict(body, model=model, stream=method == "streamGenerateContent"))
            if method == "countTokens":
                return 200, "application/json", json.dumps({"totalTokens": 1000}).encode(), {"kind": "other", "api": "gemini"}
        if self.command == "POST" and path.endswith("/messages"):
            return self.answer("anthropic", body)
        if self.command == "POST" and path.endswith("/responses"):
            return self.answer("responses", body)
        if self.command == "POST" and path.endswith("/chat/completions"):
            return self.answer("chat", body)
        if self.command == "POST" and path.endswith("/messages/count_tokens"):
            return 200, "application/json", json.dumps({"input_tokens": 1000}).encode(), {"kind": "other"}
        if self.command == "GET" and path.endswith("/models"):
            model = self.server.script.spec.get("model", "fake-model")
            data = {"object": "list", "data": [{"id": model, "object": "model", "created": 0, "owned_by": "fake"}], "models": []}
            return 200, "application/json", json.dumps(data).encode(), {"kind": "other"}
        if self.command in ("GET", "HEAD") and path in ("/", ""):
            return 200, "text/plain", b"fake model server\n", {"kind": "other"}
        return 404, "application/json", json.dumps({"error": {"message": f"no such endpoint: {path}"}}).encode(), {"kind": "other"}

    def answer(self, api, body):
        offers_tools = bool(body.get("tools"))
        script = self.server.script
        if offers_tools:
            index, turn = script.next_turn()
            kind = "turn" if index is not None else "exhausted"
        else:
            index, turn = None, script.spec.get("side", {"text": "Side answer."})
            kind = "side"
            config = body.get("generationConfig") or {}
            if api == "gemini" and "error" not in turn and "json" not in turn and (
                    config.get("responseJsonSchema") or config.get("responseSchema")):
                turn = dict(turn, json=json_from_schema(config.get("responseJsonSchema") or config.get("responseSchema")))
        summary = {"kind": kind, "api": api, "turn": index}
        model = body.get("model") or script.spec.get("model", "fake-model")
        if "error" in turn:
            error = turn["error"]
            status = int(error.get("status", 500))
            summary["error"] = {"status": status, "type": error.get("type", "api_error")}
            return status, "application/json", self.error_body(api, error, status), summary
        usage = neutral_usage(turn)
        summary["usage"] = usage
        summary["tools_called"] = [c["name"] for c in tool_calls(turn)]
        stream = bool(body.get("stream", api == "responses"))
        summary["stream"] = stream
        n = script.next_id()
        if api == "anthropic":
            summary["reported"] = anthropic_usage(usage)
            payload = self.anthropic(turn, model, usage, stream, n)
        elif api == "gemini":
            summary["reported"] = gemini_usage(usage)
            payload = self.gemini(turn, model, usage, stream, n)
        elif api == "responses":
            summary["reported"] = responses_usage(usage)
            payload = self.openai_responses(turn, model, usage, n)
            stream = True
        else:
            summary["reported"] = chat_usage(usage)
            payload = self.chat(turn, model, usage, stream, n)
        return 200, ("text/event-stream" if stream else "application/json"), payload, summary

    @staticmethod
    def error_body(api, error, status):
        message = error.get("message", f"fake error {status}")
        if api == "anthropic":
            return json.dumps({"type": "error", "error": {"type": error.get("type", "api_error"), "message": message}}).encode()
        if api == "gemini":  # google.rpc.Status, as the Gemini API answers
            statuses = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                        429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
            return json.dumps({"error": {"code": status, "message": message,
                                         "status": error.get("type") or statuses.get(status, "UNKNOWN")}}).encode()
        return json.dumps({"error": {"message": message, "type": error.get("type", "server_error"), "code": error.get("code")}}).encode()

    # -- Anthropic Messages ---------------------------------------------------------------------

    def anthropic(self, turn, model, usage, stream, n):
        blocks = []
        if turn.get("text"):
            blocks.append({"type": "text", "text": turn["text"]})
        for i, call in enumerate(tool_calls(turn)):
            blocks.append({"type": "tool_use", "id": f"toolu_fake_{n:04d}_{i}", "name": call["name"], "input": call.get("input", {})})
        stop = "tool_use" if tool_calls(turn) else "end_turn"
        message_id = f"msg_fake_{n:04d}"
        full_usage = anthropic_usage(usage)
        if not stream:
            return json.dumps({"id": message_id, "type": "message", "role": "assistant", "model": model, "content": blocks,
                               "stop_reason": stop, "stop_sequence": None, "usage": full_usage}).encode()
        # As the real API: message_start carries the input side and a first output count, the final
        # output count comes in message_delta.
        start_usage = dict(full_usage, output_tokens=min(1, usage["output"]))
        events = [("message_start", {"type": "message_start", "message": {
            "id": message_id, "type": "message", "role": "assistant", "model": model, "content": [],
            "stop_reason": None, "stop_sequence": None, "usage": start_usage}}),
                  ("ping", {"type": "ping"})]
        for index, block in enumerate(blocks):
            if block["type"] == "text":
                events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                       "content_block": {"type": "text", "text": ""}}))
                for piece in chunks(block["text"]):
                    events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                                           "delta": {"type": "text_delta", "text": piece}}))
            else:
                events.append(("content_block_start", {"type": "content_block_start", "index": index,
                                                       "content_block": {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}))
                for piece in chunks(json.dumps(block["input"]), 40):
                    events.append(("content_block_delta", {"type": "content_block_delta", "index": index,
                                                           "delta": {"type": "input_json_delta", "partial_json": piece}}))
            events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
        events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                         "usage": {"output_tokens": usage["output"]}}))
        events.append(("message_stop", {"type": "message_stop"}))
        return sse(events)

    # -- Gemini ---------------------------------------------------------------------------------

    def gemini(self, turn, model, usage, stream, n):
        """generateContent's GenerateContentResponse; streamed, the same object in pieces, each an SSE
        `data:` line without an event name, the usage and finishReason on the last. The function calls
        carry no id, as the Gemini API's do not."""
        text = json.dumps(turn["json"]) if "json" in turn else turn.get("text", "")
        calls = [{"functionCall": {"name": c["name"], "args": c.get("input", {})}} for c in tool_calls(turn)]
        base = {"modelVersion": model, "responseId": f"resp_fake_{n:04d}"}
        final = {"finishReason": "STOP", "index": 0}
        if not stream:
            parts = ([{"text": text}] if text else []) + calls
            return json.dumps(dict(base, candidates=[dict(final, content={"role": "model", "parts": parts})],
                                   usageMetadata=gemini_usage(usage))).encode()
        pieces = [[{"text": piece}] for piece in chunks(text)] if text else []
        if calls:
            pieces.append(calls)
        pieces = pieces or [[{"text": ""}]]
        events = []
        for i, parts in enumerate(pieces):
            candidate = {"content": {"role": "model", "parts": parts}, "index": 0}
            chunk = dict(base, candidates=[candidate])
            if i == len(pieces) - 1:
                candidate.update(final)
                chunk["usageMetadata"] = gemini_usage(usage)
            events.append((None, chunk))
        return sse(events)

    # -- OpenAI Responses -----------------------------------------------------------------------

    def openai_responses(self, turn, model, usage, n):
        response_id = f"resp_fake_{n:04d}"
        items = []
        if turn.get("text"):
            items.append({"type": "message", "role": "assistant", "id": f"msg_fake_{n:04d}", "status": "completed",
                          "content": [{"type": "output_text", "text": turn["text"], "annotations": []}]})
        for i, call in enumerate(tool_calls(turn)):
            if "custom_input" in call:  # a freeform tool (Codex's apply_patch): the input is raw text
                items.append({"type": "custom_tool_call", "id": f"ctc_fake_{n:04d}_{i}", "call_id": f"call_fake_{n:04d}_{i}",
                              "name": call["name"], "input": call["custom_input"], "status": "completed"})
                continue
            arguments = call.get("arguments")
            if arguments is None:
                arguments = json.dumps(call.get("input", {}))
            items.append({"type": "function_call", "id": f"fc_fake_{n:04d}_{i}", "call_id": f"call_fake_{n:04d}_{i}",
                          "name": call["name"], "arguments": arguments, "status": "completed"})
        base = {"id": response_id, "object": "response", "created_at": int(time.time()), "model": model}
        events = [("response.created", {"type": "response.created", "response": dict(base, status="in_progress", output=[])})]
        for index, item in enumerate(items):
            added = dict(item, status="in_progress")
            if item["type"] == "message":
                added["content"] = []
            events.append(("response.output_item.added", {"type": "response.output_item.added", "output_index": index, "item": added}))
            if item["type"] == "message":
                for piece in chunks(turn["text"]):
                    events.append(("response.output_text.delta", {"type": "response.output_text.delta", "item_id": item["id"],
                                                                  "output_index": index, "content_index": 0, "delta": piece}))
            events.append(("response.output_item.done", {"type": "response.output_item.done", "output_index": index, "item": item}))
        events.append(("response.completed", {"type": "response.completed",
                                              "response": dict(base, status="completed", output=items, usage=responses_usage(usage))}))
        return sse(events)

    # -- OpenAI Chat Completions ----------------------------------------------------------------

    def chat(self, turn, model, usage, stream, n):
        completion_id = f"chatcmpl-fake-{n:04d}"
        calls = [{"index": i, "id": f"call_fake_{n:04d}_{i}", "type": "function",
                  "function": {"name": c["name"], "arguments": c.get("arguments") or json.dumps(c.get("input", {}))}}
                 for i, c in enumerate(tool_calls(turn))]
        finish = "tool_calls" if calls else "stop"
        created = int(time.time())
        if not stream:
            message = {"role": "assistant", "content": turn.get("text") or None}
            if calls:
                message["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in calls]
            return json.dumps({"id": completion_id, "object": "chat.completion", "created": created, "model": model,
                               "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                               "usage": chat_usage(usage)}).encode()

        def chunk(delta, finish_reason=None, **extra):
            return (None, dict({"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}, **extra))

        events = [chunk({"role": "assistant", "content": ""})]
        if turn.get("text"):
            events += [chunk({"content": piece}) for piece in chunks(turn["text"])]
        for call in calls:
            events.append(chunk({"tool_calls": [call]}))
        events.append(chunk({}, finish))
        # The usage chunk, as OpenAI sends it with stream_options.include_usage: no choices.
        events.append((None, {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": model,
                              "choices": [], "usage": chat_usage(usage)}))
        events.append((None, "[DONE]"))
        return sse(events)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, script, log_path):
        super().__init__(address, Handler)
        self.script = script
        self.log_lock = threading.Lock()
        self.log_file = open(log_path, "a", encoding="utf-8") if log_path else None
        self.sequence = itertools.count(1)

    def write_log(self, record):
        with self.log_lock:
            record = dict(record, seq=next(self.sequence))
            if self.log_file:
                self.log_file.write(json.dumps(record, ensure_ascii=False) + "\n")
                self.log_file.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--script", required=True, help="the script (JSON)")
    parser.add_argument("--log", required=True, help="the JSONL log of every request")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--port-file", help="where to write the port once listening")
    args = parser.parse_args()
    with open(args.script, encoding="utf-8") as f:
        script = Script(json.load(f))
    server = Server((args.host, args.port), script, args.log)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"fake model server on {args.host}:{port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A stand-in for Claude Code's headless mode, for tests.

It is started with the same command line as Claude Code:

    fake-agent.py -p --output-format stream-json --verbose --input-format stream-json \
        --permission-prompt-tool mcp__interlock__approval_prompt --mcp-config FILE \
        [--include-partial-messages] [--permission-mode MODE] [--resume SESSION]

reads one user message as a stream-json line on stdin, answers in stream-json on stdout
(system/init, stream_event, assistant, user, result), and asks for permissions by calling
the permission prompt tool over MCP Streamable HTTP, as Claude Code does. What it does is
scripted by the message, one directive per line:

    SAY <text>                 assistant text (streamed as 2+ deltas with partial messages)
    THINK <text>               a thinking block
    TOOL <name> [json input]   a tool_use and its successful tool_result
    ASK <tool> [json input]    a tool_use, then the permission prompt over MCP; on allow a
                               successful tool_result and "Allowed <tool>" (+ " with answers
                               <json>" when updatedInput.answers exists); on deny a failed
                               tool_result and "Denied <tool>: <message>"
    SLEEP <seconds>            sleeps (output so far is flushed)
    SESSION                    assistant text "session <id>"
    STDERR <text>              writes the text to stderr
    EXIT <code>                exits at once with that code, without a result line
    FAILRESULT <text>          ends the turn with an error result (error_during_execution)
    PWD                        assistant text "cwd <working directory>"
    ENV <NAME>                 assistant text "<NAME>=<value or empty>"
    PID                        assistant text "pid <its process id>"

Any other non-empty line is echoed as assistant text "You said: <line>". After its result
the agent, like Claude Code with --input-format stream-json, keeps reading stdin and exits
only at end of input: a runner that never closes stdin waits forever.

Standard library only (Python 3.11).
"""

import argparse
import http.client
import json
import os
import sys
import time
import urllib.parse
import uuid

# A permission prompt waits for a person, possibly for minutes: the read timeout is long.
MCP_READ_TIMEOUT_SECONDS = 24 * 60 * 60
MCP_PROTOCOL_VERSION = "2025-06-18"


class McpConnectionLost(Exception):
    """The MCP server closed the connection, or could not be reached, before it answered."""


class McpError(Exception):
    """A JSON-RPC error answer."""


def fail(message, code):
    sys.stdout.flush()
    print(f"fake-agent: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def parse_args():
    parser = argparse.ArgumentParser(prog="fake-agent", allow_abbrev=False)
    parser.add_argument("-p", "--print", action="store_true")
    parser.add_argument("--output-format")
    parser.add_argument("--input-format")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--permission-prompt-tool")
    parser.add_argument("--mcp-config")
    parser.add_argument("--include-partial-messages", action="store_true")
    parser.add_argument("--permission-mode")
    parser.add_argument("--resume")
    args = parser.parse_args()  # unknown flags: argparse exits 2 with a message on stderr
    missing = []
    if not args.print:
        missing.append("-p")
    if args.output_format != "stream-json":
        missing.append("--output-format stream-json")
    if args.input_format != "stream-json":
        missing.append("--input-format stream-json")
    if not args.verbose:
        missing.append("--verbose")
    if not args.permission_prompt_tool:
        missing.append("--permission-prompt-tool")
    if not args.mcp_config:
        missing.append("--mcp-config")
    if missing:
        fail("missing or wrong flags: " + ", ".join(missing), 2)
    return args


def message_text(line):
    """The text of a stream-json user message; content may be a string or a list of blocks."""
    try:
        message = json.loads(line)
    except json.JSONDecodeError as e:
        fail(f"the input line is not JSON: {e}", 1)
    if message.get("type") != "user":
        fail(f"expected a user message, got type {message.get('type')!r}", 1)
    content = message.get("message", {}).get("content", "")
    if isinstance(content, str):
        return content
    return "".join(block.get("text", "") for block in content if block.get("type") == "text")


class McpClient:
    """Just enough of an MCP Streamable HTTP client to call one tool."""

    def __init__(self, url, headers):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            fail(f"unsupported MCP server URL {url!r}", 1)
        self.parts = parts
        self.path = parts.path or "/"
        if parts.query:
            self.path += "?" + parts.query
        self.headers = dict(headers or {})
        self.session_id = None
        self.protocol_version = None
        self.next_id = 0

    def initialize(self):
        result = self.request("initialize", {
            "protocolVersion": MCP_PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "fake-agent", "version": "1.0.0"},
        })
        self.protocol_version = result.get("protocolVersion", MCP_PROTOCOL_VERSION)
        self.notify("notifications/initialized")

    def call_tool(self, name, arguments):
        return self.request("tools/call", {"name": name, "arguments": arguments})

    def request(self, method, params):
        self.next_id += 1
        request_id = self.next_id
        response, connection = self.post(
            {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        try:
            if method == "initialize":
                self.session_id = response.getheader("Mcp-Session-Id")
            if response.status != 200:
                body = response.read().decode("utf-8", "replace")
                fail(f"MCP {method} answered HTTP {response.status}: {body}", 1)
            content_type = (response.getheader("Content-Type") or "").split(";")[0].strip()
            if content_type == "text/event-stream":
                answer = self.read_sse(response, request_id)
            else:
                body = response.read()
                if not body:
                    raise McpConnectionLost(f"empty answer to {method}")
                answer = json.loads(body)
        except (http.client.HTTPException, OSError) as e:
            raise McpConnectionLost(f"{method}: {e!r}") from e
        except ValueError as e:
            fail(f"MCP {method}: the answer is not JSON: {e}", 1)
        finally:
            connection.close()
        if answer.get("id") != request_id:
            fail(f"MCP {method}: answer for id {answer.get('id')!r}, expected {request_id}", 1)
        if "error" in answer:
            raise McpError(answer["error"].get("message", "JSON-RPC error"))
        return answer.get("result", {})

    def notify(self, method):
        response, connection = self.post({"jsonrpc": "2.0", "method": method})
        try:
            response.read()
            if response.status not in (200, 202):
                fail(f"MCP {method} answered HTTP {response.status}", 1)
        except (http.client.HTTPException, OSError) as e:
            raise McpConnectionLost(f"{method}: {e!r}") from e
        finally:
            connection.close()

    def post(self, message):
        if self.parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                self.parts.hostname, self.parts.port, timeout=MCP_READ_TIMEOUT_SECONDS)
        else:
            connection = http.client.HTTPConnection(
                self.parts.hostname, self.parts.port, timeout=MCP_READ_TIMEOUT_SECONDS)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json, text/event-stream",
            **self.headers,
        }
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        try:
            connection.request("POST", self.path, body=json.dumps(message).encode("utf-8"),
                               headers=headers)
            return connection.getresponse(), connection
        except (http.client.HTTPException, OSError) as e:
            connection.close()
            raise McpConnectionLost(f"{message.get('method')}: {e!r}") from e

    @staticmethod
    def read_sse(response, request_id):
        """Reads server-sent events until the JSON-RPC answer with our id; skips the rest
        (progress notifications, requests to the client, pings)."""
        data = []
        while True:
            raw = response.readline()
            if not raw:
                raise McpConnectionLost("the event stream ended before the answer")
            line = raw.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data:
                    message = json.loads("\n".join(data))
                    data = []
                    if message.get("id") == request_id and (
                            "result" in message or "error" in message):
                        return message
                continue
            if line.startswith(":"):
                continue  # a comment, used as keep-alive
            field, _, value = line.partition(":")
            if field == "data":
                data.append(value[1:] if value.startswith(" ") else value)


class FakeAgent:

    def __init__(self, args, session_id):
        self.args = args
        self.session_id = session_id
        self.partial = args.include_partial_messages
        self.texts = []
        self.tool_count = 0
        self.message_count = 0
        self.started = time.monotonic()
        self.mcp = None

    # --- output -------------------------------------------------------------------------

    def emit(self, line):
        # Raw UTF-8, not \u escapes, so a reader that decodes wrongly is caught.
        sys.stdout.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")
        sys.stdout.flush()

    def init(self):
        self.emit({
            "type": "system", "subtype": "init", "session_id": self.session_id,
            "cwd": os.getcwd(), "model": "fake-agent", "tools": ["Bash", "Read", "Write"],
            "mcp_servers": [{"name": self.prompt_tool()[0], "status": "connected"}],
            "permissionMode": self.args.permission_mode or "default",
            "apiKeySource": "none", "uuid": str(uuid.uuid4()),
        })

    def stream_event(self, event):
        self.emit({"type": "stream_event", "event": event, "session_id": self.session_id,
                   "parent_tool_use_id": None, "uuid": str(uuid.uuid4())})

    def assistant(self, blocks):
        """One model message. With partial messages it is first streamed as raw API events
        and then written complete, as Claude Code does."""
        self.message_count += 1
        message_id = f"msg_fake_{self.message_count}"
        if self.partial:
            self.stream_message(message_id, blocks)
        self.emit({
            "type": "assistant",
            "message": {"id": message_id, "type": "message", "role": "assistant",
                        "model": "fake-agent", "content": blocks, "stop_reason": None,
                        "usage": {"input_tokens": 0, "output_tokens": 0}},
            "parent_tool_use_id": None, "session_id": self.session_id,
            "uuid": str(uuid.uuid4()),
        })

    def stream_message(self, message_id, blocks):
        self.stream_event({"type": "message_start", "message": {
            "id": message_id, "type": "message", "role": "assistant", "model": "fake-agent",
            "content": [], "stop_reason": None}})
        for index, block in enumerate(blocks):
            kind = block["type"]
            if kind == "text":
                start = {"type": "text", "text": ""}
                deltas = [{"type": "text_delta", "text": piece}
                          for piece in pieces(block["text"])]
            elif kind == "thinking":
                start = {"type": "thinking", "thinking": "", "signature": ""}
                deltas = [{"type": "thinking_delta", "thinking": piece}
                          for piece in pieces(block["thinking"])]
                deltas.append({"type": "signature_delta", "signature": "fake"})
            else:
                start = {**block, "input": {}}
                deltas = [{"type": "input_json_delta",
                           "partial_json": json.dumps(block["input"], ensure_ascii=False)}]
            self.stream_event({"type": "content_block_start", "index": index,
                               "content_block": start})
            for delta in deltas:
                self.stream_event({"type": "content_block_delta", "index": index,
                                   "delta": delta})
            self.stream_event({"type": "content_block_stop", "index": index})
        stop_reason = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
        self.stream_event({"type": "message_delta", "delta": {"stop_reason": stop_reason},
                           "usage": {"output_tokens": 0}})
        self.stream_event({"type": "message_stop"})

    def say(self, text):
        self.texts.append(text)
        self.assistant([{"type": "text", "text": text}])

    def tool_use(self, name, tool_input):
        self.tool_count += 1
        tool_use_id = f"toolu_{self.tool_count}"
        self.assistant([{"type": "tool_use", "id": tool_use_id, "name": name,
                         "input": tool_input}])
        return tool_use_id

    def tool_result(self, tool_use_id, content, is_error):
        self.emit({
            "type": "user",
            "message": {"role": "user", "content": [{
                "type": "tool_result", "tool_use_id": tool_use_id, "content": content,
                "is_error": is_error}]},
            "parent_tool_use_id": None, "session_id": self.session_id,
            "uuid": str(uuid.uuid4()),
        })

    def result(self):
        self.emit({
            "type": "result", "subtype": "success", "is_error": False,
            "duration_ms": self.elapsed_ms(), "duration_api_ms": 0, "num_turns": 1,
            "result": "\n".join(self.texts), "session_id": self.session_id,
            "total_cost_usd": 0, "usage": {"input_tokens": 0, "output_tokens": 0},
        })

    def error_result(self, text):
        self.emit({
            "type": "result", "subtype": "error_during_execution", "is_error": True,
            "duration_ms": self.elapsed_ms(), "duration_api_ms": 0, "num_turns": 1,
            "session_id": self.session_id, "total_cost_usd": 0,
            "usage": {"input_tokens": 0, "output_tokens": 0}, "errors": [text],
        })

    def elapsed_ms(self):
        return int((time.monotonic() - self.started) * 1000)

    # --- directives ---------------------------------------------------------------------

    def run(self, text):
        """Acts on the message; answers False when the turn ended with an error result."""
        for line in text.splitlines():
            if not line.strip():
                continue
            word, _, rest = line.partition(" ")
            if word == "SAY":
                self.say(rest)
            elif word == "THINK":
                self.assistant([{"type": "thinking", "thinking": rest, "signature": "fake"}])
            elif word == "TOOL":
                name, tool_input = tool_and_input(rest)
                tool_use_id = self.tool_use(name, tool_input)
                self.tool_result(tool_use_id, f"{name} ran", False)
            elif word == "ASK":
                self.ask(*tool_and_input(rest))
            elif word == "SLEEP":
                sys.stdout.flush()
                time.sleep(float(rest))
            elif word == "SESSION":
                self.say(f"session {self.session_id}")
            elif word == "STDERR":
                print(rest, file=sys.stderr, flush=True)
            elif word == "EXIT":
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(int(rest))
            elif word == "FAILRESULT":
                self.error_result(rest)
                return False
            elif word == "PWD":
                self.say(f"cwd {os.getcwd()}")
            elif word == "ENV":
                self.say(f"{rest}={os.environ.get(rest, '')}")
            elif word == "PID":
                self.say(f"pid {os.getpid()}")
            else:
                self.say(f"You said: {line}")
        self.result()
        return True

    def prompt_tool(self):
        """(server, tool) from --permission-prompt-tool mcp__<server>__<tool>."""
        parts = self.args.permission_prompt_tool.split("__", 2)
        if len(parts) != 3 or parts[0] != "mcp":
            fail(f"--permission-prompt-tool must be mcp__<server>__<tool>, "
                 f"got {self.args.permission_prompt_tool!r}", 2)
        return parts[1], parts[2]

    def ask(self, tool, tool_input):
        # Like Claude Code, the model's tool_use is out before the permission is asked for;
        # the permission prompt decides whether the tool runs.
        tool_use_id = self.tool_use(tool, tool_input)
        behavior, detail = self.permission(tool, tool_input, tool_use_id)
        if behavior == "allow":
            updated = detail if isinstance(detail, dict) else tool_input
            self.tool_result(tool_use_id, f"{tool} ran", False)
            text = f"Allowed {tool}"
            if "answers" in updated:
                answers = json.dumps(updated["answers"], ensure_ascii=False,
                                     separators=(",", ":"))
                text += f" with answers {answers}"
            self.say(text)
        else:
            self.tool_result(tool_use_id, detail, True)
            self.say(f"Denied {tool}: {detail}")

    def permission(self, tool, tool_input, tool_use_id):
        """Calls the permission prompt tool: ("allow", updatedInput) or ("deny", message)."""
        server, tool_name = self.prompt_tool()
        sys.stdout.flush()
        try:
            if self.mcp is None:
                self.mcp = McpClient(*self.server_config(server))
                self.mcp.initialize()
            result = self.mcp.call_tool(tool_name, {
                "tool_name": tool, "input": tool_input, "tool_use_id": tool_use_id})
        except McpConnectionLost as e:
            fail(f"the MCP server closed the connection: {e}", 1)
        except McpError as e:
            return "deny", str(e)
        text = "".join(item.get("text", "") for item in result.get("content", [])
                       if item.get("type") == "text")
        if result.get("isError"):
            return "deny", text
        try:
            decision = json.loads(text)
        except json.JSONDecodeError:
            return "deny", f"unreadable permission decision: {text}"
        if decision.get("behavior") == "allow":
            return "allow", decision.get("updatedInput") or tool_input
        return "deny", decision.get("message", "")

    def server_config(self, server):
        value = self.args.mcp_config
        try:
            if value.lstrip().startswith("{"):  # Claude Code also takes the JSON itself
                config = json.loads(value)
            else:
                with open(value, encoding="utf-8") as f:
                    config = json.load(f)
        except (OSError, json.JSONDecodeError) as e:
            fail(f"cannot read --mcp-config {value}: {e}", 1)
        entry = config.get("mcpServers", {}).get(server)
        if entry is None:
            fail(f"--mcp-config names no server {server!r}", 1)
        if entry.get("type", "http") != "http" or "url" not in entry:
            fail(f"MCP server {server!r} is not an HTTP server with a url", 1)
        return entry["url"], entry.get("headers", {})


def pieces(text):
    """The text in two pieces or more (one when it is shorter than two characters)."""
    if len(text) < 2:
        return [text]
    size = max(1, min(len(text) // 2, 16))
    return [text[i:i + size] for i in range(0, len(text), size)]


def tool_and_input(rest):
    name, _, raw = rest.strip().partition(" ")
    if not name:
        fail("a TOOL or ASK directive needs a tool name", 2)
    try:
        tool_input = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as e:
        fail(f"bad JSON input for {name}: {e}", 2)
    return name, tool_input


def main():
    sys.stdin.reconfigure(encoding="utf-8")
    sys.stdout.reconfigure(encoding="utf-8")
    sys.stderr.reconfigure(encoding="utf-8")
    args = parse_args()
    line = sys.stdin.readline()
    if not line:
        fail("no user message on stdin", 1)
    text = message_text(line)
    agent = FakeAgent(args, args.resume or str(uuid.uuid4()))
    agent.init()
    succeeded = agent.run(text)
    # Claude Code with --input-format stream-json waits for the next user message after its
    # result and exits only at the end of its input. This fake answers only one message.
    for _ in sys.stdin:
        pass
    sys.exit(0 if succeeded else 1)


if __name__ == "__main__":
    main()

"""Support for the API tests: a real `relais serve` with demo data and one token per role, plain
HTTP calls, and the checks of an answer against the OpenAPI description (status, headers, media
type, body schema) with jsonschema."""
import copy
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE_DESCRIPTION = os.path.join(ROOT, "Sources", "RelaisWeb", "OpenAPI", "openapi.json")
ROLES = ["admin", "coordinator", "tabacologue", "peer_helper"]


def relais_binary():
    return os.environ.get("RELAIS_BINARY", os.path.join(ROOT, ".build", "debug", "relais"))


class Daemon:
    """`relais serve` on a free loopback port (`--port 0`, read back from its log), with a data
    folder filled by `relais demo`, an administrator added, and one API token per role."""

    def __init__(self, keep=False):
        self.binary = relais_binary()
        if not os.access(self.binary, os.X_OK):
            raise SystemExit(f"{self.binary} is missing: build it first (`swift build`, or `make test`), "
                             "or name another binary with RELAIS_BINARY")
        self.keep = keep
        self.folder = tempfile.mkdtemp(prefix="relais-api-")
        self.data = os.path.join(self.folder, "var")
        self.config = os.path.join(self.folder, "relais.yaml")
        with open(self.config, "w") as f:
            # No sweep of the outbox while the tests run: the data stays as the demo left it.
            f.write("mail:\n  sweep_interval_seconds: 3600\n")
        self.process = None
        self.log_path = os.path.join(self.folder, "serve.log")

    def cli(self, *arguments, stdin=""):
        result = subprocess.run([self.binary, *arguments, "--config", self.config, "--data-dir", self.data], cwd=ROOT,
                                input=stdin, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"relais {' '.join(arguments)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self):
        """Demo data, an administrator, and the first account of each role with a token."""
        self.demo = json.loads(self.cli("demo"))
        self.cli("user", "add", "api.admin", "--role", "admin", "--display-name", "API test admin", stdin="api-test-password-1\n")
        users = json.loads(self.cli("user", "list"))
        users = users if isinstance(users, list) else users.get("users", users.get("accounts", []))
        self.users, self.tokens = {}, {}
        for role in ROLES:
            user = next(u for u in users if u["role"] == role)
            self.users[role] = user
            self.tokens[role] = self.cli("token", "issue", user["name"], "--label", "api tests").strip()

    def start(self):
        self.log = open(self.log_path, "w+")
        self.process = subprocess.Popen([self.binary, "serve", "--config", self.config, "--data-dir", self.data, "--port", "0"],
                                        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 30
        text = ""
        while time.time() < deadline:
            time.sleep(0.1)
            self.log.seek(0)
            text = self.log.read()
            found = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
            if found:
                self.base = f"http://127.0.0.1:{found.group(1)}"
                return
            if self.process.poll() is not None:
                break
        raise SystemExit(f"relais serve did not start (exit status {self.process.poll()}). Its output:\n{text}")

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.keep:
            shutil.rmtree(self.folder, ignore_errors=True)


class Answer:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw

    @property
    def media_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def json(self):
        return json.loads(self.raw.decode("utf-8"))


def http(base, method, path, token=None, body=None, raw_body=None, headers=None, query=None):
    url = base + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    data = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(url, data=data, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if data is not None and not (headers and "Content-Type" in headers):
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())



INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time")
def _instant(value):
    # The API writes instants in UTC with Z (README, "HTTP API"): stricter than RFC 3339.
    if not isinstance(value, str):
        return True
    if not INSTANT.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


class Description:
    """The OpenAPI description, and the checks of an answer against one of its operations."""

    def __init__(self, document):
        self.document = document
        self.registry = Registry().with_resource("urn:relais:openapi", Resource(contents=document, specification=DRAFT202012))

    @staticmethod
    def pointer(*parts):
        return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)

    def resolve(self, node, pointer):
        """Follows an OpenAPI (non-schema) $ref; returns the node and its pointer."""
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"][1:]
            node = self.document
            for part in pointer.strip("/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, pointer

    def operation(self, method, template):
        return self.document["paths"][template][method.lower()]

    def validator(self, schema_pointer):
        return jsonschema.Draft202012Validator({"$ref": "urn:relais:openapi#" + schema_pointer}, registry=self.registry,
                                               format_checker=FORMATS)

    def errors(self, schema_pointer, instance):
        return [f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message[:300]}"
                for e in self.validator(schema_pointer).iter_errors(instance)]

    def check(self, method, template, answer):
        """Problems of `answer` against the description of METHOD TEMPLATE (empty list when conforming)."""
        problems = []
        responses = self.operation(method, template)["responses"]
        key = str(answer.status)
        if key not in responses:
            return [f"status {answer.status} is not described (described: {', '.join(responses)}); body {answer.raw[:300]!r}"]
        response, pointer = self.resolve(responses[key], self.pointer("paths", template, method.lower(), "responses", key))
        for name, header in response.get("headers", {}).items():
            header, header_pointer = self.resolve(header, pointer + self.pointer("headers", name))
            value = answer.headers.get(name)
            if value is None:
                if header.get("required"):
                    problems.append(f"header {name} is missing")
                continue
            problems += [f"header {name}: {e}" for e in self.errors(header_pointer + "/schema", value)]
        content = response.get("content")
        if not content:
            if answer.raw:
                problems.append(f"no body is described, got {answer.raw[:200]!r}")
            return problems
        if answer.media_type not in content:
            return problems + [f"media type {answer.media_type!r} is not described ({', '.join(content)})"]
        try:
            body = answer.json()
        except ValueError as error:
            return problems + [f"body is not JSON: {error}"]
        schema_pointer = pointer + self.pointer("content", answer.media_type, "schema")
        problems += self.errors(schema_pointer, body)
        answer.schema_pointer = schema_pointer
        return problems

    def too_loose(self, schema_pointer, body):
        """Mutations of a conforming body that the schema must refuse: an unknown key at the top
        and in the first element of each list, and a string replaced by a number. Returns the
        mutations it accepted."""
        accepted = []

        def refused(mutated):
            return bool(list(self.validator(schema_pointer).iter_errors(mutated)))

        if isinstance(body, dict):
            mutated = copy.deepcopy(body)
            mutated["__unexpected__"] = 1
            if not refused(mutated):
                accepted.append("an unknown key at the top")
            for key, value in body.items():
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    mutated = copy.deepcopy(body)
                    mutated[key][0]["__unexpected__"] = 1
                    if not refused(mutated):
                        accepted.append(f"an unknown key in {key}[0]")
                if isinstance(value, str):
                    mutated = copy.deepcopy(body)
                    mutated[key] = 12345
                    if not refused(mutated):
                        accepted.append(f"a number for the string {key}")
        return accepted

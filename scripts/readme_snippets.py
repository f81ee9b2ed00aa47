#!/usr/bin/env python3
"""Runs the code blocks of the client READMEs and the top-level README's grpcurl examples.

    scripts/readme_snippets.py --jar server/target/provider-gateway.jar \
        --python client/python/.venv/bin/python --grpcurl tools/go/bin/grpcurl \
        --cli client/java/target/provider-gateway-cli.jar

A reader pastes a README's blocks in order against a gateway at localhost:50051; so does this
script, against the gateway jar it starts on a free loopback port (every `localhost:50051` in a
block becomes that address, the only change made to a block). Per block language:

- `console` (top-level README): each `$ command` runs in bash; its output must equal the lines
  shown under it (JSON compared as values, other text with runs of whitespace collapsed).
- `python`: each block is a whole script, run by the venv of the README's `pip install`
  commands (client/python/.venv-readme, kept between runs), else by --python.
- `java`: the README's Java blocks run in order in one `jshell` session on the CLI jar's
  classpath (the client, the stubs, gRPC), with the imports of the client's packages.
- `go`: the README's Go blocks, in order, are the body of one function in a reader's module that
  uses the client through the README's `replace` directive (imports: the standard ones the
  blocks use and the `gateway` package); `go run` must succeed.
- `ts`: the README's TypeScript blocks, in order, are the body of one async function in a
  reader's project that ran the README's `npm install ./client/typescript` (import lines merged
  at the top); `tsc --strict` and `node` must succeed.
- `sh`: each command must be one this script runs (the Python client's `pip install`, into a
  venv, after which the checkout must be unchanged; the Java CLI and example, which must
  exit 0), or one that scripts/test.sh runs
  (Maven builds, the client test suites), or one listed in NOT_RUN with the reason.
- `xml`: the dependency coordinates must be the Java client's pom's.
- `text` and `yaml` blocks are examples of output or configuration, not commands.
Any other block, or any command that fits none of these, fails the run: a README cannot grow a
block that nothing checks. Exit status 0 when every block passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"^provider-gateway listening on \S+:(\d+) ")
BLOCK = re.compile(r"^```([\w.+-]*)[^\n]*\n(.*?)^```\s*$", re.M | re.S)
ADDRESS = "localhost:50051"
TIMEOUT_S = 300

# The venv of the Python README's own `pip install` commands; git-ignored and kept between runs,
# so Victor's many dependencies are downloaded and installed once (the client itself is rebuilt
# from the checkout every time).
PIP_VENV = ROOT / "client/python/.venv-readme"
# The Java client's command line and example, run from the repository root (built by Maven).
JAVA_COMMANDS = (
    "java -jar client/java/target/provider-gateway-cli.jar ",
    "java -cp client/java/target/provider-gateway-cli.jar ",
)
# Commands that neither this script nor scripts/test.sh runs, each with the reason.
NOT_RUN: Dict[str, str] = {
    "go get github.com/provider-gateway/provider-gateway/client/go@latest": (
        "the Go module is not published yet; the README says so and shows the replace directive"
    ),
}


class Failure(Exception):
    pass


def blocks(readme: Path) -> List[Tuple[str, str, int]]:
    text = readme.read_text()
    result = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        result.append((match.group(1).lower(), match.group(2), line))
    return result


class Runner:
    def __init__(self, args: argparse.Namespace, target: str, work: Path) -> None:
        self.args = args
        self.target = target
        self.work = work
        self.ci = (ROOT / "scripts/test.sh").read_text()
        self.passed = 0
        self.failed: List[str] = []
        self.java_blocks: Dict[Path, List[Tuple[str, str, int]]] = {}

    def run(self, readme: Path, only: Optional[Callable[[str, str], bool]] = None) -> None:
        for lang, body, line in blocks(readme):
            if only is not None and not only(lang, body):
                continue
            where = f"{readme.relative_to(ROOT)}:{line} ({lang or 'no language'})"
            try:
                self.block(readme, lang, body.replace(ADDRESS, self.target), line)
            except Failure as failure:
                self.failed.append(f"{where}: {failure}")
                print(f"FAIL {where}: {failure}", flush=True)
            else:
                self.passed += 1
                print(f"ok   {where}", flush=True)
        for lang in ("java", "go", "ts"):
            parts = [(b, n) for l, b, n in self.java_blocks.get(readme, []) if l == lang]
            if not parts:
                continue
            where = f"{readme.relative_to(ROOT)} ({lang} blocks, in order, as one program)"
            try:
                {"java": self.jshell, "go": self.go, "ts": self.typescript}[lang](parts)
            except Failure as failure:
                self.failed.append(f"{where}: {failure}")
                print(f"FAIL {where}: {failure}", flush=True)
            else:
                self.passed += 1
                print(f"ok   {where}", flush=True)

    def block(self, readme: Path, lang: str, body: str, line: int) -> None:
        if lang == "console":
            self.console(body)
        elif lang == "python":
            self.python(body)
        elif lang in ("java", "go", "ts"):
            self.java_blocks.setdefault(readme, []).append((lang, body, line))
        elif lang in ("sh", "shell", "bash"):
            for command in commands(body):
                self.sh(command)
        elif lang == "xml":
            self.dependency(body)
        elif lang in ("text", "yaml"):
            pass
        elif lang == "go.mod":
            # The go blocks run in a module with exactly these two directives (see go()).
            if not re.search(r"^require github.com/provider-gateway/provider-gateway/client/go v0\.0\.0$", body, re.M) or not re.search(
                r"^replace github.com/provider-gateway/provider-gateway/client/go => \S+$", body, re.M
            ):
                raise Failure("the go.mod lines are not a require and a replace of the client module")
        else:
            raise Failure(f"no runner for ```{lang} blocks; add one to {Path(__file__).name}")

    # -- console: commands with their output -------------------------------------------------

    def console(self, body: str) -> None:
        for command, expected in console_steps(body):
            command = command.replace("grpcurl ", shlex.quote(str(self.args.grpcurl)) + " ", 1)
            done = subprocess.run(
                ["bash", "-c", command], capture_output=True, text=True, timeout=120, cwd=ROOT
            )
            actual = done.stdout + done.stderr
            if expected.lstrip().startswith("ERROR:"):
                if done.returncode == 0:
                    raise Failure(f"`{command}` succeeded, the README shows an error")
            elif done.returncode != 0:
                raise Failure(f"`{command}` exited {done.returncode}: {actual.strip()[:2000]}")
            if not same_output(expected, actual):
                raise Failure(
                    f"`{command}` printed\n{actual.rstrip()}\n--- the README shows\n{expected.rstrip()}"
                )

    # -- python ---------------------------------------------------------------------------------

    def python(self, body: str) -> None:
        script = self.work / "snippet.py"
        script.write_text(body)
        env = dict(os.environ, HOME=str(self.work / "home"), PROVIDER_GATEWAY_TARGET=self.target)
        env["VICTOR_USE_SEMANTIC_TOOL_SELECTION"] = "false"  # as the plugin README says to set
        (self.work / "home").mkdir(exist_ok=True)
        done = subprocess.run(
            [str(self.python_bin()), str(script)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            cwd=self.work,
            env=env,
        )
        if done.returncode != 0:
            raise Failure(f"exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")

    def python_bin(self) -> Path:
        venv = PIP_VENV
        return venv / "bin/python" if (venv / "bin/python").exists() else Path(self.args.python)

    # -- java: one jshell session per README ------------------------------------------------------

    def jshell(self, parts: List[Tuple[str, int]]) -> None:  # noqa: C901
        preamble = "\n".join(
            [
                "import dev.providergateway.client.*;",
                "import dev.providergateway.v1.*;",
                "import io.grpc.*;",
                "import java.time.*;",
                "import java.util.*;",
            ]
        )
        script = preamble + "\n" + "\n".join(body for body, _ in parts) + "\n/exit 0\n"
        path = self.work / "snippets.jsh"
        # jshell reads "/exit" only at the start of a line; a failing snippet is reported and
        # the session goes on, so errors are read from its output.
        path.write_text(script)
        done = subprocess.run(
            ["jshell", "--class-path", str(self.args.cli), "-R-Djava.awt.headless=true", str(path)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            cwd=self.work,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0 or re.search(r"^\|\s+(Error|Exception)|^\|  Exception", output, re.M):
            raise Failure(f"jshell exited {done.returncode}:\n{output[-3000:]}")

    # -- go: the blocks in order as the body of one function, in a module of the reader's ---------

    def go(self, parts: List[Tuple[str, int]]) -> None:
        module = self.work / "go-reader"
        module.mkdir(exist_ok=True)
        client = ROOT / "client/go"
        # The README's own way to use the unpublished module: a require plus a replace directive.
        (module / "go.mod").write_text(
            "module example.com/reader\n\ngo 1.23.0\n\n"
            "require github.com/provider-gateway/provider-gateway/client/go v0.0.0\n"
            f"replace github.com/provider-gateway/provider-gateway/client/go => {client}\n"
        )
        body = "\n".join(b for b, _ in parts)
        (module / "main.go").write_text(
            "package main\n\n"
            "import (\n\t\"context\"\n\t\"fmt\"\n\t\"io\"\n\t\"log\"\n\t\"time\"\n\n"
            "\t\"github.com/provider-gateway/provider-gateway/client/go/gateway\"\n)\n\n"
            "var _, _, _ = context.Background, fmt.Println, io.EOF\n\n"
            "func main() {\n\tif err := run(); err != nil {\n\t\tlog.Fatal(err)\n\t}\n}\n\n"
            "func run() error {\n" + body + "\n\treturn nil\n}\n"
        )
        env = dict(os.environ, GOFLAGS="-mod=mod")
        for command in (["go", "mod", "tidy"], ["go", "run", "."]):
            done = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=module, env=env)
            if done.returncode != 0:
                raise Failure(f"`{' '.join(command)}` exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")

    # -- ts: the blocks in order as the body of one async function, in a project of the reader's --

    def typescript(self, parts: List[Tuple[str, int]]) -> None:
        project = self.work / "ts-reader"
        project.mkdir(exist_ok=True)
        (project / "package.json").write_text('{"name": "reader", "private": true}\n')
        client = ROOT / "client/typescript"
        install = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", str(client)],
            capture_output=True, text=True, timeout=900, cwd=project,
        )
        if install.returncode != 0:
            raise Failure(f"npm install exited {install.returncode}:\n{install.stderr[-3000:]}")
        imports, statements = [], []
        for body, _ in parts:
            for line in body.splitlines():
                (imports if line.startswith("import ") else statements).append(line)
        merged = merge_imports(imports)
        (project / "main.ts").write_text(
            "\n".join(merged)
            + "\n\nasync function main(): Promise<void> {\n"
            + "\n".join(statements)
            + "\n}\n\nmain().catch((error) => {\n  console.error(error);\n  process.exit(1);\n});\n"
        )
        tsc = client / "node_modules/.bin/tsc"
        compile_ = subprocess.run(
            [str(tsc), "--strict", "--target", "es2022", "--module", "commonjs", "--skipLibCheck",
             "--types", "node", "--typeRoots", str(client / "node_modules/@types"), "main.ts"],
            capture_output=True, text=True, timeout=300, cwd=project,
        )
        if compile_.returncode != 0:
            raise Failure(f"tsc exited {compile_.returncode}:\n{compile_.stdout[-3000:]}")
        done = subprocess.run(["node", "main.js"], capture_output=True, text=True, timeout=TIMEOUT_S, cwd=project)
        if done.returncode != 0:
            raise Failure(f"node exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")

    # -- sh ---------------------------------------------------------------------------------------

    def sh(self, command: str) -> None:
        pip = re.fullmatch(r'pip install "\./client/python(\[victor\])?"', command)
        if pip:
            self.pip_install(command)
        elif command.startswith(JAVA_COMMANDS):
            done = subprocess.run(
                ["bash", "-c", command], capture_output=True, text=True, timeout=TIMEOUT_S, cwd=ROOT
            )
            if done.returncode != 0:
                raise Failure(f"`{command}` exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")
        elif command == "npm install ./client/typescript":
            pass  # typescript() runs it in the reader's project that the ts blocks compile in
        elif command in NOT_RUN:
            print(f"     not run: `{command}`: {NOT_RUN[command]}")
        elif command.startswith("./mvnw "):
            self.maven(command)
        elif command in ("scripts/test.sh",) or self.in_ci(command):
            pass  # scripts/test.sh runs it (or is it)
        else:
            raise Failure(f"`{command}` is run neither here nor by scripts/test.sh")

    def pip_install(self, command: str) -> None:
        venv = PIP_VENV
        if not (venv / "bin/python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        before = tree(ROOT / "client/python")
        env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
        # The versions scripts/test.sh pins; the command stays as written.
        env["PIP_CONSTRAINT"] = str(ROOT / "client/python/constraints.txt")
        env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        done = subprocess.run(
            ["bash", "-c", command + " --quiet"], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=1800,
        )
        if done.returncode != 0:
            raise Failure(f"`{command}` exited {done.returncode}:\n{done.stderr[-3000:]}")
        left = sorted(tree(ROOT / "client/python") - before)
        if left:
            raise Failure(f"`{command}` left files in the checkout: {left[:10]}")

    def maven(self, command: str) -> None:
        words = command.split()
        if "install" in words and "-DskipTests" not in words:
            raise Failure(f"`{command}` installs with the tests of every module it builds")
        if not re.fullmatch(r"\./mvnw( -B| -q| -ntp)*( -pl \S+( -am)?)? (package|verify|test|install)( -DskipTests)?", command):
            raise Failure(f"`{command}` is not a build that scripts/test.sh's Maven step covers")
        if "./mvnw -B -ntp verify" not in self.ci:
            raise Failure("scripts/test.sh no longer runs the whole Maven build")

    def in_ci(self, command: str) -> bool:
        """Whether scripts/test.sh runs `command`: each `&&` part of it, less the flags that only
        quiet a tool down or skip a cache, appears in the script."""
        ci = quiet(self.ci.replace("\\\n", " "))
        parts = [quiet(p).strip(" ()") for p in command.split("&&")]
        return all(part and part in ci for part in parts)

    # -- xml: the Maven dependency ------------------------------------------------------------

    def dependency(self, body: str) -> None:
        ns = {"m": "http://maven.apache.org/POM/4.0.0"}
        pom = ET.parse(ROOT / "client/java/pom.xml").getroot()
        parent = ET.parse(ROOT / "pom.xml").getroot()
        want = {
            "groupId": parent.findtext("m:groupId", namespaces=ns),
            "artifactId": pom.findtext("m:artifactId", namespaces=ns),
            "version": parent.findtext("m:version", namespaces=ns),
        }
        shown = ET.fromstring(body)
        got = {key: shown.findtext(key) for key in want}
        if got != want:
            raise Failure(f"dependency {got} is not the client's {want}")


def merge_imports(lines: List[str]) -> List[str]:
    """One `import { a, b } from "m";` per module from the blocks' import lines (a reader pasting
    several blocks into one file merges them the same way)."""
    names: Dict[str, List[str]] = {}
    others: List[str] = []
    for line in lines:
        match = re.fullmatch(r'import \{([^}]*)\} from "([^"]+)";?', line.strip())
        if not match:
            if line not in others:
                others.append(line)
            continue
        wanted = names.setdefault(match.group(2), [])
        for name in (n.strip() for n in match.group(1).split(",")):
            if name and name not in wanted:
                wanted.append(name)
    return others + [f'import {{ {", ".join(v)} }} from "{m}";' for m, v in names.items()]


def quiet(text: str) -> str:
    for flag in ("--quiet", "--disable-pip-version-check", "-count=1", "--no-audit", "--no-fund", "--loglevel=error"):
        text = text.replace(" " + flag, "")
    return re.sub(r"[ \t]+", " ", text)


def commands(body: str) -> List[str]:
    """The commands of an sh block: comments and blank lines dropped, `\\` lines joined."""
    result: List[str] = []
    pending = ""
    for raw in body.splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        result.append((pending + line.strip()).strip())
        pending = ""
    return result


def console_steps(body: str) -> List[Tuple[str, str]]:
    steps: List[Tuple[str, str]] = []
    command: Optional[str] = None
    output: List[str] = []
    continuing = False
    for line in body.splitlines():
        if continuing:
            command = f"{command} {line.strip().rstrip(chr(92)).strip()}"
            continuing = line.rstrip().endswith("\\")
        elif line.startswith("$ "):
            if command is not None:
                steps.append((command, "\n".join(output)))
            command, output = line[2:].rstrip().rstrip("\\").strip(), []
            continuing = line.rstrip().endswith("\\")
        elif command is not None:
            output.append(line)
    if command is not None:
        steps.append((command, "\n".join(output)))
    return steps


def json_values(text: str) -> Optional[List[object]]:
    decoder = json.JSONDecoder()
    values, index, text = [], 0, text.strip()
    while index < len(text):
        try:
            value, end = decoder.raw_decode(text, index)
        except ValueError:
            return None
        values.append(value)
        index = end
        while index < len(text) and text[index].isspace():
            index += 1
    return values


# Fields whose value is a measurement of this run (a deployment's moving-average latency): the
# README's value stands for "some number", so only the field's presence and type are compared.
MEASURED = {"latency_ms"}


def same_values(want: object, got: object) -> bool:
    if isinstance(want, dict) and isinstance(got, dict):
        if want.keys() != got.keys():
            return False
        for key, value in want.items():
            if key in MEASURED:
                if not isinstance(got[key], (int, float)) or isinstance(got[key], bool):
                    return False
            elif not same_values(value, got[key]):
                return False
        return True
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(same_values(w, g) for w, g in zip(want, got))
    return want == got


def same_output(expected: str, actual: str) -> bool:
    if not expected.strip():
        return not actual.strip()
    want, got = json_values(expected), json_values(actual)
    if want is not None:
        return got is not None and same_values(want, got)
    return " ".join(expected.split()) == " ".join(actual.split())


def tree(directory: Path) -> set:
    """Every file and folder under `directory`, the git-ignored venvs and caches left out."""
    skip = {".venv", ".venv-readme", "__pycache__", ".pytest_cache"}
    found = set()
    for parent, folders, files in os.walk(directory):
        folders[:] = [f for f in folders if f not in skip]
        for name in folders + files:
            found.add(os.path.relpath(os.path.join(parent, name), directory))
    return found


def start_gateway(jar: Path, work: Path) -> Tuple[subprocess.Popen, str]:
    config = work / "gateway.yaml"
    config.write_text("server:\n  host: 127.0.0.1\n")  # the defaults a reader has
    process = subprocess.Popen(
        ["java", "-jar", str(jar), "--config", str(config), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    found: Dict[str, int] = {}
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            match = LISTENING.match(line)
            if match and not found:
                found["port"] = int(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(90) or "port" not in found:
        process.kill()
        raise SystemExit(f"the gateway did not start (exit code {process.poll()})")
    return process, f"localhost:{found['port']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jar", type=Path, default=ROOT / "server/target/provider-gateway.jar")
    parser.add_argument("--python", type=Path, default=ROOT / "client/python/.venv/bin/python")
    parser.add_argument("--grpcurl", type=Path, default=ROOT / "tools/go/bin/grpcurl")
    parser.add_argument("--cli", type=Path, default=ROOT / "client/java/target/provider-gateway-cli.jar")
    parser.add_argument("readmes", nargs="*", type=Path, help="only these (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="readme-snippets-") as tmp:
        work = Path(tmp)
        process, target = start_gateway(args.jar, work)
        try:
            runner = Runner(args, target, work)
            chosen = [p.resolve() for p in args.readmes]
            for readme in [ROOT / f"client/{c}/README.md" for c in ("python", "java", "go", "typescript")]:
                if not chosen or readme in chosen:
                    runner.run(readme)
            top = ROOT / "README.md"
            if not chosen or top in chosen:
                runner.run(top, only=lambda lang, body: lang == "console" and "grpcurl" in body)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    print(f"snippets: {runner.passed} passed, {len(runner.failed)} failed")
    for failure in runner.failed:
        print(f"  {failure.splitlines()[0]}")
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main())

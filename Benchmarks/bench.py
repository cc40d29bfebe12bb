#!/usr/bin/env python3
"""Times ckpt against tclsh and the official Python SDK as whole processes.

Each workload runs ckpt and its peer alternately, several times, against the same
loopback ckpt-sandbox, and reports the median and range of wall time, CPU time and
peak resident memory, and the ratio ckpt/peer of the medians. Run it through
Benchmarks/run, which builds the binaries and prepares the peers.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

CHECKPOINT = "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"
KEY = "sk-benchmark-not-a-real-key"


class Sandbox:
    """A ckpt-sandbox process on a free loopback port."""

    def __init__(self, binary, extra_arguments):
        command = [binary, "--host", "127.0.0.1", "--port", "0", *extra_arguments]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        prefix = "listening on "
        if not line.startswith(prefix):
            self.process.kill()
            raise RuntimeError(f"ckpt-sandbox printed {line!r}, expected 'listening on URL'")
        self.base_url = line[len(prefix):]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def measure(command, environment):
    """Runs one process to completion; returns wall seconds, CPU seconds, peak RSS in MiB."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, env=environment, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    error_output = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {process.returncode}: {error_output[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def write(path, text):
    with open(path, "w") as file:
        file.write(text)
    return path


def summary(samples):
    median = statistics.median(samples)
    return median, min(samples), max(samples)


def format_range(values, unit):
    median, low, high = values
    if unit == "s":
        return f"{median:.3f} s ({low:.3f}–{high:.3f})"
    return f"{median:.1f} MiB ({low:.1f}–{high:.1f})"


def python_sdk_script(body):
    return (
        "import os\n"
        "from openai import OpenAI\n"
        f"client = OpenAI(max_retries=int(os.environ.get('SDK_MAX_RETRIES', '2')))\n"
        f"permissions = client.fine_tuning.checkpoints.permissions\n"
        f"checkpoint = {CHECKPOINT!r}\n"
        f"{body}\n")


def workloads(arguments):
    """Yields (name, sandbox arguments, ckpt command, peer name, peer command, extra env, target)."""
    work = arguments.work
    ckpt = os.path.join(arguments.bin, "ckpt")
    python = arguments.python
    tclsh = shutil.which("tclsh")
    statements = arguments.statements

    let_script = write(os.path.join(work, "let.ckpt"), "".join(
        f"let name{i} = value{i}\n" for i in range(statements)))
    set_script = write(os.path.join(work, "set.tcl"), "".join(
        f"set name{i} value{i}\n" for i in range(statements)))
    yield ("1. script of %d `let` bindings" % statements, None,
           [ckpt, "--norc", let_script], "tclsh", [tclsh, set_script], {}, "≤ 1.0×")

    puts_script = write(os.path.join(work, "ok.tcl"), "puts ok\n")
    yield ("2. start, `print ok`, exit", None,
           [ckpt, "--norc", "-c", "print ok"], "tclsh", [tclsh, puts_script], {}, "≤ 3×")

    seeded = ["--seed-permissions", "10", "--checkpoint", CHECKPOINT]
    list_once = write(os.path.join(work, "list_once.py"), python_sdk_script(
        "permissions.list(checkpoint)"))
    yield ("3. start plus one `permissions.list`", seeded,
           [ckpt, "--norc", "-c", f"let page = permissions.list {CHECKPOINT}"],
           "Python SDK", [python, list_once], {}, "≤ 0.1×")

    calls = arguments.calls
    list_many = write(os.path.join(work, "list_many.ckpt"), "".join(
        f"let page = permissions.list {CHECKPOINT}\n" for _ in range(calls)))
    list_many_py = write(os.path.join(work, "list_many.py"), python_sdk_script(
        f"for _ in range({calls}):\n    permissions.list(checkpoint)"))
    yield (f"4. {calls:,} sequential `permissions.list`", seeded,
           [ckpt, "--norc", list_many], "Python SDK", [python, list_many_py], {}, "≤ 0.1×")

    create_many = write(os.path.join(work, "create_many.ckpt"), "".join(
        f"let created = permissions.create {CHECKPOINT} proj_benchmark{i}\n" for i in range(calls)))
    create_many_py = write(os.path.join(work, "create_many.py"), python_sdk_script(
        f"for i in range({calls}):\n"
        "    permissions.create(checkpoint, project_ids=[f'proj_benchmark{i}'])"))
    yield (f"5. {calls:,} sequential `permissions.create`", None,
           [ckpt, "--norc", create_many], "Python SDK", [python, create_many_py], {}, "≤ 0.1×")

    total = arguments.permissions
    many = ["--seed-permissions", str(total), "--checkpoint", CHECKPOINT]
    all_ckpt = f"let count = len (permissions.list {CHECKPOINT} --all --limit 100)\nprint $count"
    all_py = write(os.path.join(work, "all.py"), python_sdk_script(
        "count = sum(1 for _ in permissions.list(checkpoint, limit=100))\nprint(count)"))
    yield (f"6. `--all` over {total:,} permissions", many,
           [ckpt, "--norc", "-c", all_ckpt], "Python SDK", [python, all_py], {}, "≤ 0.1×")

    failing = many + ["--fail-rate", "0.1", "--fail-status", "429", "--retry-after", "0",
                      "--seed", "7"]
    yield (f"7. (6) with 10% answered 429 `Retry-After: 0`", failing,
           [ckpt, "--norc", "--max-retries", "5", "-c", all_ckpt],
           "Python SDK", [python, all_py], {"SDK_MAX_RETRIES": "5"}, "≤ 0.1×")


def printing_workloads(arguments):
    """Peak memory of printing every permission, for two list sizes."""
    ckpt = os.path.join(arguments.bin, "ckpt")
    command = [ckpt, "--norc", "--format", "json", "-c",
               f"permissions.list {CHECKPOINT} --all --limit 100"]
    for total in (10_000, 100_000):
        yield total, ["--seed-permissions", str(total), "--checkpoint", CHECKPOINT], command


def run(arguments):
    sandbox_binary = os.path.join(arguments.bin, "ckpt-sandbox")
    base_environment = {
        key: value for key, value in os.environ.items()
        if not key.startswith("OPENAI_") and key not in ("CKPT_RC", "NO_COLOR")
    }
    rows = []
    for name, sandbox_arguments, ckpt_command, peer, peer_command, extra, target in workloads(arguments):
        if arguments.only and not name.startswith(arguments.only):
            continue
        sandbox = Sandbox(sandbox_binary, sandbox_arguments or []) if sandbox_arguments is not None else None
        environment = dict(base_environment, **extra)
        if sandbox:
            environment.update(OPENAI_BASE_URL=sandbox.base_url, OPENAI_API_KEY=KEY,
                               OPENAI_ADMIN_KEY=KEY)
        try:
            ckpt_samples, peer_samples = [], []
            for _ in range(arguments.runs):
                ckpt_samples.append(measure(ckpt_command, environment))
                peer_samples.append(measure(peer_command, environment))
        finally:
            if sandbox:
                sandbox.stop()
        rows.append((name, peer, target, ckpt_samples, peer_samples))
        print(f"measured {name}", file=sys.stderr)

    print("| workload | peer | ckpt wall | peer wall | wall ratio | target | ckpt CPU | peer CPU "
          "| ckpt peak RSS | peer peak RSS | RSS ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, peer, target, ckpt_samples, peer_samples in rows:
        ckpt_wall, peer_wall = (summary([s[0] for s in x]) for x in (ckpt_samples, peer_samples))
        ckpt_cpu, peer_cpu = (summary([s[1] for s in x]) for x in (ckpt_samples, peer_samples))
        ckpt_rss, peer_rss = (summary([s[2] for s in x]) for x in (ckpt_samples, peer_samples))
        print(f"| {name} | {peer} | {format_range(ckpt_wall, 's')} | {format_range(peer_wall, 's')} "
              f"| {ckpt_wall[0] / peer_wall[0]:.3f}× | {target} "
              f"| {ckpt_cpu[0]:.3f} s | {peer_cpu[0]:.3f} s "
              f"| {format_range(ckpt_rss, 'MiB')} | {format_range(peer_rss, 'MiB')} "
              f"| {ckpt_rss[0] / peer_rss[0]:.2f}× |")

    if arguments.only:
        return
    print()
    print("| printing `--all` as JSON | wall | peak RSS |")
    print("|---|---|---|")
    for total, sandbox_arguments, command in printing_workloads(arguments):
        sandbox = Sandbox(sandbox_binary, sandbox_arguments)
        environment = dict(base_environment, OPENAI_BASE_URL=sandbox.base_url, OPENAI_ADMIN_KEY=KEY)
        try:
            samples = [measure(command, environment) for _ in range(arguments.runs)]
        finally:
            sandbox.stop()
        wall = summary([s[0] for s in samples])
        rss = summary([s[2] for s in samples])
        print(f"| {total:,} permissions | {format_range(wall, 's')} | {format_range(rss, 'MiB')} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True, help="folder with the release ckpt and ckpt-sandbox")
    parser.add_argument("--python", required=True, help="a Python with the openai package")
    parser.add_argument("--work", required=True, help="folder for generated scripts")
    parser.add_argument("--runs", type=int, default=5, help="runs of each side per workload")
    parser.add_argument("--statements", type=int, default=100_000, help="statements in workload 1")
    parser.add_argument("--calls", type=int, default=1_000, help="requests in workloads 4 and 5")
    parser.add_argument("--permissions", type=int, default=10_000, help="permissions in workloads 6 and 7")
    parser.add_argument("--only", help="run only the workloads whose name starts with this, e.g. '4.'")
    arguments = parser.parse_args()
    if arguments.runs < 1:
        parser.error(f"--runs must be at least 1, got {arguments.runs}")
    run(arguments)


if __name__ == "__main__":
    main()

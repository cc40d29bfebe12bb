#!/usr/bin/env python3
"""Times ckpt against tclsh and the official Python SDK as whole processes.

Each workload runs ckpt and its peer alternately, several times, and the side that goes
first swaps every run. It reports the median and range of wall time, CPU time (user plus
system) and peak resident memory, and the ratio ckpt/peer of the medians. API workloads
give every measured process a fresh loopback ckpt-sandbox with the same seed, so both
sides see the same data and the same injected failures. Before timing, one checking pass
runs each side against a logging sandbox and compares what they printed and which
requests they sent. Run it through Benchmarks/run, which builds the binaries and
prepares the peers.
"""

import argparse
import collections
import os
import platform
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

CHECKPOINT = "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"
KEY = "sk-benchmark-not-a-real-key"
SANDBOX_SEED = "7"
# The time limit of one measured process, in seconds. The SDK's slowest workload (7)
# takes about 12 s on 2 cores, so this only stops a process that hangs.
PROCESS_TIMEOUT = 120
# The time limit for ckpt-sandbox to print its address; seeding 100,000 permissions
# takes about 0.5 s.
SANDBOX_START_TIMEOUT = 30


class Sandbox:
    """A ckpt-sandbox process on a free loopback port, stopped by `stop` or on exit."""

    def __init__(self, binary, extra_arguments, log_path=None):
        command = [binary, "--host", "127.0.0.1", "--port", "0", "--seed", SANDBOX_SEED,
                   *extra_arguments]
        if log_path:
            command.append("--log")
        self.log = open(log_path or os.devnull, "w")
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, text=True)
        ready, _, _ = select.select([self.process.stdout], [], [], SANDBOX_START_TIMEOUT)
        if not ready:
            self.stop()
            raise RuntimeError(f"ckpt-sandbox printed nothing within {SANDBOX_START_TIMEOUT} s: {' '.join(command)}")
        line = self.process.stdout.readline().strip()
        prefix = "listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"ckpt-sandbox printed {line!r}, expected 'listening on URL'")
        self.base_url = line[len(prefix):]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        self.log.close()


def run_process(measure, command, environment, stdout=subprocess.DEVNULL):
    """Runs one process to completion under PROCESS_TIMEOUT through the `measure` launcher.

    Returns wall seconds, CPU seconds (user plus system) and peak RSS in MiB of the
    command alone. Raises when it exits with a non-zero status.
    """
    with tempfile.TemporaryFile() as error_file, tempfile.NamedTemporaryFile("r") as result:
        launcher = subprocess.run([measure, result.name, str(PROCESS_TIMEOUT), *command],
                                  env=environment, stdin=subprocess.DEVNULL,
                                  stdout=stdout, stderr=error_file)
        fields = result.read().split()
        if launcher.returncode != 0 or len(fields) != 4:
            error_file.seek(0)
            error_output = error_file.read().decode(errors="replace")
            raise RuntimeError(
                f"{' '.join(command)} exited with {launcher.returncode}: {error_output[-2000:]}")
    wall, cpu, peak_kib, _ = fields
    return float(wall), float(cpu), int(peak_kib) / 1024


class Tools:
    """The sandbox binary and the `measure` launcher, compiled from measure.c on first use."""

    def __init__(self, arguments):
        self.sandbox = os.path.join(arguments.bin, "ckpt-sandbox")
        self.measure = os.path.join(arguments.work, "measure")
        source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "measure.c")
        if (not os.path.exists(self.measure)
                or os.path.getmtime(self.measure) < os.path.getmtime(source)):
            subprocess.run(["cc", "-O2", "-Wall", "-o", self.measure, source], check=True)


class Workload:
    """One line of the table: ckpt and its peer doing the same work."""

    def __init__(self, name, ckpt, peer_name, peer, sandbox=None, environment=None,
                 wall_target=None, rss_target=None, expected_output=None):
        self.name = name
        self.ckpt = ckpt
        self.peer_name = peer_name
        self.peer = peer
        # ckpt-sandbox arguments; None when the workload sends no requests.
        self.sandbox = sandbox
        self.environment = environment or {}
        self.wall_target = wall_target
        self.rss_target = rss_target
        # What both sides print, stripped; None to skip the comparison.
        self.expected_output = expected_output


def write(path, text):
    with open(path, "w") as file:
        file.write(text)
    return path


def python_sdk_script(body):
    return (
        "import os\n"
        "from openai import OpenAI\n"
        "client = OpenAI(max_retries=int(os.environ.get('SDK_MAX_RETRIES', '2')))\n"
        "permissions = client.fine_tuning.checkpoints.permissions\n"
        f"checkpoint = {CHECKPOINT!r}\n"
        f"{body}\n")


def workloads(arguments):
    work = arguments.work
    ckpt = [os.path.join(arguments.bin, "ckpt"), "--norc"]
    python = arguments.python
    tclsh = shutil.which("tclsh")
    statements = arguments.statements

    let_script = write(os.path.join(work, "let.ckpt"), "".join(
        f"let name{i} = value{i}\n" for i in range(statements)))
    set_script = write(os.path.join(work, "set.tcl"), "".join(
        f"set name{i} value{i}\n" for i in range(statements)))
    yield Workload(f"1. script of {statements:,} `let` bindings", ckpt + [let_script],
                   "tclsh", [tclsh, set_script], wall_target=1.0, expected_output="")

    puts_script = write(os.path.join(work, "ok.tcl"), "puts ok\n")
    yield Workload("2. start, `print ok`, exit", ckpt + ["-c", "print ok"],
                   "tclsh", [tclsh, puts_script], wall_target=3.0, expected_output="ok")

    seeded = ["--seed-permissions", "10", "--checkpoint", CHECKPOINT]
    list_once_py = write(os.path.join(work, "list_once.py"), python_sdk_script(
        "page = permissions.list(checkpoint)"))
    yield Workload("3. start plus one `permissions.list`",
                   ckpt + ["-c", f"let page = permissions.list {CHECKPOINT}"],
                   "Python SDK", [python, list_once_py], sandbox=seeded,
                   wall_target=0.1, rss_target=0.4, expected_output="")

    calls = arguments.calls
    list_many = write(os.path.join(work, "list_many.ckpt"), "".join(
        f"let page = permissions.list {CHECKPOINT}\n" for _ in range(calls)))
    list_many_py = write(os.path.join(work, "list_many.py"), python_sdk_script(
        f"for _ in range({calls}):\n    page = permissions.list(checkpoint)"))
    yield Workload(f"4. {calls:,} sequential `permissions.list`", ckpt + [list_many],
                   "Python SDK", [python, list_many_py], sandbox=seeded,
                   wall_target=0.1, rss_target=0.4, expected_output="")

    create_many = write(os.path.join(work, "create_many.ckpt"), "".join(
        f"let created = permissions.create {CHECKPOINT} proj_benchmark{i}\n" for i in range(calls)))
    create_many_py = write(os.path.join(work, "create_many.py"), python_sdk_script(
        f"for i in range({calls}):\n"
        "    created = permissions.create(checkpoint, project_ids=[f'proj_benchmark{i}'])"))
    yield Workload(f"5. {calls:,} sequential `permissions.create`", ckpt + [create_many],
                   "Python SDK", [python, create_many_py], sandbox=[],
                   wall_target=0.1, rss_target=0.4, expected_output="")

    # Both sides keep every permission in a list and print its length, as ckpt's
    # `len (…)` builds the whole list. Row 6s shows the SDK counting page by page
    # instead, holding one page at a time, which ckpt's language cannot express.
    total = arguments.permissions
    many = ["--seed-permissions", str(total), "--checkpoint", CHECKPOINT]
    all_ckpt = f"let count = len (permissions.list {CHECKPOINT} --all --limit 100)\nprint $count"
    all_py = write(os.path.join(work, "all.py"), python_sdk_script(
        "everything = list(permissions.list(checkpoint, limit=100))\nprint(len(everything))"))
    yield Workload(f"6. `--all` over {total:,} permissions", ckpt + ["-c", all_ckpt],
                   "Python SDK", [python, all_py], sandbox=many,
                   wall_target=0.1, rss_target=0.4, expected_output=str(total))

    counting_py = write(os.path.join(work, "all_counting.py"), python_sdk_script(
        "count = sum(1 for _ in permissions.list(checkpoint, limit=100))\nprint(count)"))
    yield Workload("6s. (6), the SDK counting page by page", ckpt + ["-c", all_ckpt],
                   "Python SDK", [python, counting_py], sandbox=many,
                   wall_target=0.1, rss_target=0.4, expected_output=str(total))

    # Five retries on both sides, so that no page runs out of attempts with this seed.
    failing = many + ["--fail-rate", "0.1", "--fail-status", "429", "--retry-after", "0"]
    yield Workload("7. (6) with 10% answered 429 `Retry-After: 0`",
                   ckpt + ["--max-retries", "5", "-c", all_ckpt],
                   "Python SDK", [python, all_py], sandbox=failing,
                   environment={"SDK_MAX_RETRIES": "5"},
                   wall_target=0.1, rss_target=0.4, expected_output=str(total))


def base_environment():
    return {
        key: value for key, value in os.environ.items()
        if not key.startswith("OPENAI_") and key not in ("CKPT_RC", "NO_COLOR", "PYTHONSTARTUP")
    }


def sandbox_environment(environment, base_url):
    return dict(environment, OPENAI_BASE_URL=base_url, OPENAI_API_KEY=KEY, OPENAI_ADMIN_KEY=KEY)


def run_against_sandbox(tools, sandbox_arguments, command, environment,
                        stdout=subprocess.DEVNULL, log_path=None):
    """Runs `command` once, against a fresh sandbox when `sandbox_arguments` is not None."""
    if sandbox_arguments is None:
        return run_process(tools.measure, command, environment, stdout)
    sandbox = Sandbox(tools.sandbox, sandbox_arguments, log_path)
    try:
        return run_process(tools.measure, command,
                           sandbox_environment(environment, sandbox.base_url), stdout)
    finally:
        sandbox.stop()


def request_counts(log_path):
    """Counts the sandbox's log lines by method and status, such as 'GET 200'."""
    counts = collections.Counter()
    with open(log_path) as log:
        for line in log:
            fields = line.split()
            if len(fields) >= 3 and fields[0].isupper() and fields[2].isdigit():
                counts[f"{fields[0]} {fields[2]}"] += 1
    return counts


def check(workload, tools, environment, work):
    """Runs each side once untimed; raises unless both print the expected output and,
    against a sandbox, send the same requests and get the same statuses."""
    seen = {}
    for side, command in (("ckpt", workload.ckpt), (workload.peer_name, workload.peer)):
        log_path = os.path.join(work, "sandbox.log")
        with tempfile.TemporaryFile() as output:
            run_against_sandbox(tools, workload.sandbox, command, environment,
                                stdout=output, log_path=log_path)
            output.seek(0)
            printed = output.read().decode(errors="replace").strip()
        if workload.expected_output is not None and printed != workload.expected_output:
            raise RuntimeError(f"{workload.name}: {side} printed {printed[:200]!r}, "
                               f"expected {workload.expected_output!r}")
        seen[side] = request_counts(log_path) if workload.sandbox is not None else collections.Counter()
    ckpt_requests, peer_requests = seen.values()
    if ckpt_requests != peer_requests:
        raise RuntimeError(f"{workload.name}: ckpt sent {dict(ckpt_requests)}, "
                           f"{workload.peer_name} sent {dict(peer_requests)}")
    described = ", ".join(f"{key} ×{count}" for key, count in sorted(ckpt_requests.items()))
    print(f"checked {workload.name}: same output; requests: {described or 'none'}", file=sys.stderr)


def summary(samples):
    return statistics.median(samples), min(samples), max(samples)


def format_seconds(values):
    median, low, high = values
    return f"{median:.3f} ({low:.3f}–{high:.3f})"


def format_mebibytes(values):
    median, low, high = values
    return f"{median:.1f} ({low:.1f}–{high:.1f})"


def verdict(ratio, target):
    if target is None:
        return ""
    return f"≤ {target}×: {'met' if ratio <= target else 'missed'}"


def measure_workloads(arguments, tools, environment):
    rows = []
    for workload in workloads(arguments):
        if arguments.only and not workload.name.startswith(arguments.only):
            continue
        workload_environment = dict(environment, **workload.environment)
        check(workload, tools, workload_environment, arguments.work)
        samples = {"ckpt": [], "peer": []}
        for run in range(arguments.runs):
            order = [("ckpt", workload.ckpt), ("peer", workload.peer)]
            if run % 2:
                order.reverse()
            for side, command in order:
                samples[side].append(run_against_sandbox(
                    tools, workload.sandbox, command, workload_environment))
        rows.append((workload, samples["ckpt"], samples["peer"]))
        print(f"measured {workload.name}", file=sys.stderr)
    return rows


def print_workload_table(rows):
    print("Medians of whole processes, min–max in brackets; wall and CPU in seconds, peak RSS in MiB.")
    print()
    print("| workload | peer | ckpt wall | peer wall | wall ratio | wall target "
          "| ckpt CPU | peer CPU | ckpt peak RSS | peer peak RSS | RSS ratio | RSS target |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for workload, ckpt_samples, peer_samples in rows:
        ckpt_wall, peer_wall = (summary([s[0] for s in x]) for x in (ckpt_samples, peer_samples))
        ckpt_cpu, peer_cpu = (summary([s[1] for s in x]) for x in (ckpt_samples, peer_samples))
        ckpt_rss, peer_rss = (summary([s[2] for s in x]) for x in (ckpt_samples, peer_samples))
        wall_ratio = ckpt_wall[0] / peer_wall[0]
        rss_ratio = ckpt_rss[0] / peer_rss[0]
        print(f"| {workload.name} | {workload.peer_name} "
              f"| {format_seconds(ckpt_wall)} | {format_seconds(peer_wall)} "
              f"| {wall_ratio:.3f}× | {verdict(wall_ratio, workload.wall_target)} "
              f"| {format_seconds(ckpt_cpu)} | {format_seconds(peer_cpu)} "
              f"| {format_mebibytes(ckpt_rss)} | {format_mebibytes(peer_rss)} "
              f"| {rss_ratio:.2f}× | {verdict(rss_ratio, workload.rss_target)} |")


def measure_printing(arguments, tools, environment):
    """Peak RSS of printing every permission as JSON, for 10,000 and 100,000 of them."""
    command = [os.path.join(arguments.bin, "ckpt"), "--norc", "--format", "json", "-c",
               f"permissions.list {CHECKPOINT} --all --limit 100"]
    results = []
    for total in (10_000, 100_000):
        sandbox_arguments = ["--seed-permissions", str(total), "--checkpoint", CHECKPOINT]
        samples = [run_against_sandbox(tools, sandbox_arguments, command, environment)
                   for _ in range(arguments.runs)]
        results.append((total, summary([s[0] for s in samples]), summary([s[2] for s in samples])))
    print(f"measured 8. printing `--all`", file=sys.stderr)

    print()
    print("| 8. printing `--all` as JSON (limit 100) | ckpt wall | ckpt peak RSS |")
    print("|---|---|---|")
    for total, wall, rss in results:
        print(f"| {total:,} permissions | {format_seconds(wall)} | {format_mebibytes(rss)} |")
    difference = results[1][2][0] - results[0][2][0]
    print()
    print(f"Peak RSS difference between the medians: {difference:.1f} MiB "
          f"(target < 10 MiB: {'met' if abs(difference) < 10 else 'missed'}).")


def command_output(command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        return f"unavailable ({error})"


def print_context(arguments):
    """Prints the versions and the machine, for the record in docs/benchmarks.md."""
    tclsh = shutil.which("tclsh")
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        memory_kib = int(meminfo.readline().split()[1])
    print(f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"- machine: {cpu_model}, nproc {os.cpu_count()}, {memory_kib / 1024 / 1024:.1f} GiB memory, "
          f"{platform.system()} {platform.release()}")
    print(f"- load average at start: {os.getloadavg()[0]:.2f}")
    print(f"- {command_output([os.path.join(arguments.bin, 'ckpt'), '--version'])}")
    print(f"- tclsh {command_output(['sh', '-c', f'echo puts [info patchlevel] | {tclsh}'])}")
    print(f"- {command_output([arguments.python, '--version'])}, openai "
          + command_output([arguments.python, "-c", "import openai; print(openai.__version__)"]))
    print(f"- runs per side: {arguments.runs}")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="folder with the release ckpt and ckpt-sandbox")
    parser.add_argument("--python", required=True, help="a Python with the openai package")
    parser.add_argument("--work", required=True, help="folder for generated scripts")
    parser.add_argument("--runs", type=int, default=5, help="runs of each side per workload (default 5)")
    parser.add_argument("--statements", type=int, default=100_000, help="statements in workload 1")
    parser.add_argument("--calls", type=int, default=1_000, help="requests in workloads 4 and 5")
    parser.add_argument("--permissions", type=int, default=10_000, help="permissions in workloads 6 and 7")
    parser.add_argument("--only", help="run only the workloads whose name starts with this, such as '4.'")
    arguments = parser.parse_args()
    if arguments.runs < 1:
        parser.error(f"--runs must be at least 1, got {arguments.runs}")

    tools = Tools(arguments)
    environment = base_environment()
    print_context(arguments)
    rows = measure_workloads(arguments, tools, environment)
    print_workload_table(rows)
    if not arguments.only or arguments.only.startswith("8"):
        measure_printing(arguments, tools, environment)
    print()
    print(f"Load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

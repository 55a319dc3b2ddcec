#!/usr/bin/python3
"""Execute Jupyter notebooks headless through the real GoNB kernel ("arcade").

Usage: /usr/bin/python3 .ci/run_notebooks.py [--out DIR] [--timeout S] NOTEBOOK...

Each notebook runs top to bottom with nbclient, in its own folder (so
${GONB_DIR} is notebooks/). The executed copy is written to --out (default
runs/notebook-test/, which git ignores). A notebook fails when any cell
  - produces an "error" output (a panic, a failed `!` command, an interrupt), or
  - prints a Go compile error or a GoNB failure as text (GoNB shows compile
    errors as HTML display data, or as stream text with --raw_error), or
  - runs past --timeout seconds.
The exit status is 0 only if every notebook passed. ARCADE_BUDGET is set to
40s unless the caller set it.
"""
import argparse
import html
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

# Text that means a cell did not compile or GoNB failed to run it.
ERROR_PATTERNS = [
    re.compile(p, re.M)
    for p in [
        r"(^|\s)(\./)?main(_test)?\.go:\d+:\d+: ",      # go build / vet errors on the cell's code
        r"\bfailed to run \"/[^\"]*go\"?",             # GoNB: failed to run "go build ..."
        r"failed to run .?go (build|get|mod)",
        r"^[ \t]*go: .*(cannot find|no required module|missing go\.sum|go\.mod requires go|downloading .* 403)",
        r"^panic: ",                                   # a Go panic that reached stderr
        r"^fatal error: ",
        r"goimports: .*error",
        r"Program goimports is not installed",
        r"cannot use .* \(.*\) as .* value",
        r"\bundefined: \w+",
        r"\bexit status [1-9]\d*\b",
    ]
]


def output_texts(out):
    """Yield the text of an output: stream text, error traceback, and text/html/plain display data."""
    kind = out.get("output_type")
    if kind == "stream":
        yield out.get("text", "")
    elif kind == "error":
        yield out.get("ename", "") + ": " + out.get("evalue", "")
        yield "\n".join(out.get("traceback", []))
    elif kind in ("display_data", "execute_result", "update_display_data"):
        data = out.get("data", {})
        for mime in ("text/plain", "text/markdown"):
            if mime in data:
                yield data[mime] if isinstance(data[mime], str) else "".join(data[mime])
        if "text/html" in data:
            h = data["text/html"] if isinstance(data["text/html"], str) else "".join(data["text/html"])
            yield html.unescape(re.sub(r"<[^>]+>", "\n", h))


def check(nb):
    """Return a list of (cell index, message) problems found in an executed notebook."""
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append((i, "error output: %s: %s" % (out.get("ename"), out.get("evalue"))))
                continue
            for text in output_texts(out):
                for pat in ERROR_PATTERNS:
                    m = pat.search(text)
                    if m:
                        line = text[text.rfind("\n", 0, m.start()) + 1:]
                        line = line.split("\n", 1)[0].strip()
                        problems.append((i, "%s output looks like an error: %s" % (out.get("output_type"), line[:300])))
                        break
    return problems


def run(path, out_dir, timeout, kernel):
    nb = nbformat.read(path, as_version=4)
    name = nb.metadata.get("kernelspec", {}).get("name")
    if name != kernel:
        return ["kernelspec name is %r, want %r" % (name, kernel)], 0.0
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        startup_timeout=120,
        allow_errors=True,
        record_timing=True,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    start = time.time()
    problems = []
    os.makedirs(out_dir, exist_ok=True)
    log_path = os.path.join(out_dir, os.path.basename(path) + ".kernel.log")
    log = open(log_path, "w")
    try:
        client.execute(stderr=log, stdout=log)
    except CellTimeoutError as e:
        problems.append("a cell ran past %d s: %s" % (timeout, str(e).splitlines()[0] if str(e) else ""))
    except DeadKernelError as e:
        problems.append("the kernel died: %s" % e)
    except Exception as e:  # nbclient errors on start-up (kernel missing, ...)
        problems.append("%s: %s" % (type(e).__name__, e))
    finally:
        log.close()
    elapsed = time.time() - start
    out_path = os.path.join(out_dir, os.path.basename(path))
    nbformat.write(nb, out_path)
    problems += ["cell %d: %s" % p for p in check(nb)]
    for i, cell in enumerate(nb.cells):
        t = cell.get("metadata", {}).get("execution", {})
        if cell.cell_type == "code" and "iopub.execute_input" in t and "shell.execute_reply" in t:
            print("  cell %2d: %s -> %s" % (i, t["iopub.execute_input"][11:19], t["shell.execute_reply"][11:19]))
    return problems, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--out", default=os.path.join("runs", "notebook-test"))
    ap.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    ap.add_argument("--kernel", default="arcade")
    args = ap.parse_args()
    os.environ.setdefault("ARCADE_BUDGET", "40s")
    failed = 0
    for path in args.notebooks:
        print("notebook %s (ARCADE_BUDGET=%s)" % (path, os.environ["ARCADE_BUDGET"]), flush=True)
        problems, elapsed = run(path, args.out, args.timeout, args.kernel)
        if problems:
            failed += 1
            print("FAIL %s (%.0f s); executed copy and kernel log in %s" % (path, elapsed, args.out))
            for p in problems:
                print("  " + p)
        else:
            print("ok   %s (%.0f s)" % (path, elapsed), flush=True)
    if failed:
        print("%d of %d notebooks failed" % (failed, len(args.notebooks)))
        sys.exit(1)


if __name__ == "__main__":
    main()

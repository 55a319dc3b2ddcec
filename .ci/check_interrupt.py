#!/usr/bin/python3
"""Check that a Jupyter "interrupt kernel" reaches a GoNB cell as a cancelled
kernel.InterruptContext, so training loops can save before they stop.

Usage: /usr/bin/python3 .ci/check_interrupt.py   (run from the repository root,
with the "arcade" kernel installed; `make test-notebooks` does both)."""
import os
import queue
import sys
import time

from jupyter_client.manager import start_new_kernel

PREAMBLE = "!*go mod edit -require github.com/arcade-go/arcade@v0.0.0 -replace github.com/arcade-go/arcade=${GONB_DIR}/.."
CELL = """import "github.com/arcade-go/arcade/kernel"
%%
ctx, cancel := kernel.InterruptContext()
defer cancel()
fmt.Println("waiting for the interrupt")
<-ctx.Done()
fmt.Println("interrupted: a training loop would save its checkpoint here")"""


def main():
    km, kc = start_new_kernel(kernel_name="arcade", cwd=os.path.abspath("notebooks"),
                              stderr=open(os.devnull, "w"), stdout=open(os.devnull, "w"))
    try:
        kc.execute_interactive(PREAMBLE, timeout=300)
        mid = kc.execute(CELL)
        texts, sent, start = [], 0.0, time.time()
        while time.time() - start < 900 and not (sent and time.time() - sent > 60):
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != mid:
                continue
            if msg["msg_type"] == "stream":
                texts.append(msg["content"]["text"])
                if "waiting for the interrupt" in msg["content"]["text"] and not sent:
                    time.sleep(1)
                    km.interrupt_kernel()
                    sent = time.time()
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        out = "".join(texts)
        if "checkpoint here" not in out:
            print("FAIL interrupt: the cell did not see its InterruptContext cancelled; output:\n" + out)
            sys.exit(1)
        print("ok   interrupt reaches kernel.InterruptContext (%.0f s)" % (time.time() - start))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()

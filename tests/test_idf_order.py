"""The term table saved with a question bank does not depend on the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
from interviewer.grading.terms import idf_table
texts = ["Paging maps virtual pages to physical frames.",
         "A page fault loads the missing page from disk.",
         "Segmentation splits memory into variable-sized segments."]
print(list(idf_table(texts)[0]))
"""


def test_term_order_is_the_same_under_any_hash_seed() -> None:
    outs = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout  # fmt: skip
        for seed in ("1", "2", "3", "4")
    }
    assert len(outs) == 1
    assert "pag" in next(iter(outs)) or "page" in next(iter(outs))

"""Render a note with 30 references: ms per render, ours vs pandoc --citeproc (same CSL).

Run: .venv/bin/python bench/bench_notes.py   (prints a table; no asserts)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pypandoc

from publisher.notes import load_bibliography, load_style, render_notes
from publisher.notes.citations import STYLES_DIR

STYLE = "american-medical-association"
N_REFS = 30
ROUNDS = 20


def _bib(n: int) -> str:
    # Synthetic entries (Crossref's test DOI prefix 10.5555), shaped like the sample's articles.
    return "\n".join(
        f"@article{{ref{i},\n  author = {{Doe, Jane and Roe, Richard and Poe, Pat and others}},\n"
        f"  title = {{Synthetic benchmark article number {i} on low back pain}},\n"
        f"  journal = {{J Bench}}, year = {{{2000 + i % 20}}}, volume = {{{i}}}, number = {{2}},\n"
        f"  pages = {{{i}--{i + 9}}}, doi = {{10.5555/bench.{i}}}\n}}\n"
        for i in range(n)
    )


def _note(n: int) -> str:
    paras = []
    for i in range(0, n, 3):
        keys = "; ".join(f"@ref{j}" for j in range(i, min(i + 3, n)))
        paras.append(f"Paragraph {i} makes a claim with evidence.[{keys}] More text follows.")
    return "## Heading\n\n" + "\n\n".join(paras) + "\n"


def _time(fn: object, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000 / rounds


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bib_path = Path(tmp) / "refs.bib"
        bib_path.write_text(_bib(N_REFS))
        note = _note(N_REFS)
        bib = load_bibliography([bib_path])
        style = load_style(STYLE, base_dir=Path(tmp))

        def ours() -> None:
            render_notes(note, source=Path("n.md"), first_line=1, bibliography=bib, style=style,
                         page_url="https://example.org/e.html")  # fmt: skip

        def theirs() -> None:
            pypandoc.convert_text(note, "html", format="markdown", extra_args=[
                "--citeproc", f"--bibliography={bib_path}",
                f"--csl={STYLES_DIR / (STYLE + '.csl')}"])  # fmt: skip

        t0 = time.perf_counter()
        ours()
        first = (time.perf_counter() - t0) * 1000
        rows = [
            ("ours (3 renderings, style cached)", _time(ours, ROUNDS)),
            ("pandoc 3 --citeproc (web only, new process)", _time(theirs, max(ROUNDS // 4, 3))),
        ]
    print(f"{N_REFS} references, style {STYLE}, first render {first:.1f} ms")
    print(f"{'renderer':<46} {'ms/render':>10}")
    for name, ms in rows:
        print(f"{name:<46} {ms:>10.1f}")


if __name__ == "__main__":
    main()

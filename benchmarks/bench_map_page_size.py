"""The size of the map page of a 1,000-node map, and the CPU it costs, in process.

    .venv/bin/python benchmarks/bench_map_page_size.py [--nodes 1000] [--rounds 10]
        [--keep DIR] [--save DIR]

Builds one collaboration of ``--nodes`` items (benchmarks/generate.py; SQLite in a
temporary folder, or in DIR with ``--keep``, where a later run finds it again), signs in
with the Flask test client and measures what benchmarks/targets.py (map_page_size)
measures over HTTP: the bytes of ``/map?layout=timeline`` and ``?layout=radial``, of its
inline SVG and of the outline part, against the target of < 700 KB of HTML; and the drawing
that a page of more than REM_MAP_INLINE_NODES items loads after itself (``--inline``: the
drawing inside the page at any size, as before). The CPU time
of this process per page (``time.process_time``; Graphviz runs in a child process and
its drawing comes from the render cache after the first request) is the median of
``--rounds`` requests. ``--save DIR`` writes each page there (for a screenshot).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import Sizes, generate, make_app, prepare_database  # noqa: E402
from benchmarks.run import signed_in_client  # noqa: E402

TARGET_BYTES = 700_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--keep", help="build the database in (or reuse it from) this folder")
    parser.add_argument("--save", help="write each page into this folder")
    parser.add_argument("--inline", action="store_true",
                        help="draw the map inside the page at any size (REM_MAP_INLINE_NODES)")
    args = parser.parse_args(argv)
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="rem-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    built = (workdir / "bench.sqlite3").exists()
    database = prepare_database(None, str(workdir))
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # Alembic's INFO lines
            app = make_app(database.url, str(workdir),
                           **({"REM_MAP_INLINE_NODES": 10**6} if args.inline else {}))
        import logging

        logging.disable(logging.WARNING)
        if not built:
            with app.app_context():
                generate(Sizes(hubs=1, collaborations=1, effects=10, map_sizes=(args.nodes,),
                               log_entries_per_collaboration=0), progress=lambda _text: None)
        client = signed_in_client(app)
        slug = f"kaart-{args.nodes}"
        held = True
        for layout in ("timeline", "radial"):
            path = f"/collaborations/{slug}/map?layout={layout}"
            response = client.get(path)  # the first draws (Graphviz), later ones are cached
            assert response.status_code == 200, response.status_code
            times = []
            for _ in range(args.rounds):
                started = time.process_time()
                body = client.get(path).data
                times.append(time.process_time() - started)
            svg = re.search(rb"<svg.*?</svg>", body, re.S)
            svg_bytes = len(svg.group(0)) if svg else 0
            nodes = body.count(b'class="node ripple')
            outline = body.find(b'id="map-outline-body"')
            print(f"{layout:8} page {len(body) / 1000:7.1f} KB  SVG {svg_bytes / 1000:7.1f} KB "
                  f"({svg_bytes / max(nodes, 1):.0f} B per node, {nodes} nodes)  outline and "
                  f"after {(len(body) - outline) / 1000 if outline > 0 else 0:.1f} KB  "
                  f"CPU {statistics.median(times) * 1000:.1f} ms (median of {args.rounds}, "
                  f"min {min(times) * 1000:.1f})  "
                  f"{'holds' if len(body) < TARGET_BYTES else 'MISSED'} < 700 KB")
            held = held and len(body) < TARGET_BYTES
            later = re.search(rb'data-drawing-url="([^"]+)"', body)
            if later:
                url = later.group(1).decode().replace("&amp;", "&")
                response = client.get(url)
                assert response.status_code == 200, response.status_code
                times = []
                for _ in range(args.rounds):
                    started = time.process_time()
                    drawing = client.get(url).data
                    times.append(time.process_time() - started)
                nodes = drawing.count(b'class="node ripple')
                print(f"{'':8} drawing after the page {len(drawing) / 1000:7.1f} KB "
                      f"({len(drawing) / max(nodes, 1):.0f} B per node)  CPU "
                      f"{statistics.median(times) * 1000:.1f} ms (median, min "
                      f"{min(times) * 1000:.1f})")
                svg = re.search(rb"<svg.*?</svg>", drawing, re.S)
            if args.save:
                Path(args.save).mkdir(parents=True, exist_ok=True)
                (Path(args.save) / f"map-{layout}.html").write_bytes(body)
                (Path(args.save) / f"map-{layout}.svg").write_bytes(svg.group(0) if svg else b"")
        return 0 if held else 1
    finally:
        if not args.keep:
            database.close()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

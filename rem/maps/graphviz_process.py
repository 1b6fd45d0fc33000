"""The one module that runs the Graphviz binaries (dot, twopi, neato): with a time limit,
nothing on the command line but ``-T<format>`` (every setting is in the DOT), and a
clear error when Graphviz is missing, too slow or fails."""


from __future__ import annotations

import shutil
import subprocess
import tempfile

# engine -> the Graphviz program run (every DOT we write names its layout itself).
PROGRAMS = {"dot": "dot", "twopi": "twopi", "nop2": "neato"}
ENGINES = frozenset(PROGRAMS)
CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
}
# "svg:cairo" is the SVG the PDFs print (rem.maps.drawing.print_svg): Graphviz draws it
# through cairo, with every text shaped by Pango and written as glyph outlines.
RENDER_FORMATS = frozenset({"svg", "svg:cairo", "png", "pdf", "plain"})


class MapRenderError(RuntimeError):
    """The map could not be drawn; the message can be shown as it is."""


class GraphvizMissing(MapRenderError):
    """The Graphviz binary is not installed."""


class RenderTimeout(MapRenderError):
    """Graphviz took longer than allowed."""


class RenderError(MapRenderError):
    """Graphviz failed on the input."""


def render(dot_source: str, engine: str, fmt: str, timeout: float) -> bytes:
    """Render ``dot_source`` into ``fmt`` (svg, svg:cairo, png, pdf, plain or dot) with
    Graphviz.

    ``engine`` picks the program (dot, twopi, or neato for nop2); the layout named in the
    DOT itself decides, and nothing but ``-T<format>`` is passed, so the DOT alone
    reproduces the picture.
    """
    if fmt == "dot":
        return dot_source.encode("utf-8")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine: {engine!r}")
    if fmt not in RENDER_FORMATS:
        raise ValueError(f"unknown format: {fmt!r}")
    program = PROGRAMS[engine]
    binary = shutil.which(program)
    if binary is None:
        raise GraphvizMissing(f"Graphviz ({program}) is not installed on this server.")
    # The drawing goes into a file without a name and is read at once: a 1,000-node map
    # is about 2 MB, which a pipe hands over in hundreds of small reads (4 ms of CPU).
    with tempfile.TemporaryFile() as drawn:
        try:
            result = subprocess.run(
                [binary, f"-T{fmt}"],
                input=dot_source.encode("utf-8"),
                stdout=drawn,
                stderr=subprocess.PIPE,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RenderTimeout(f"Graphviz ({program}) took longer than {timeout:g} s.") from exc
        except OSError as exc:
            raise RenderError(f"Graphviz ({program}) could not be started: {exc}") from exc
        drawn.seek(0)
        output = drawn.read()
    if result.returncode != 0 or not output:
        message = result.stderr.decode("utf-8", "replace").strip()[:500]
        raise RenderError(f"Graphviz ({program}) failed: {message or result.returncode}")
    return output


def sized_source(dot_source: str, width_px: int) -> str:
    """Return ``dot_source`` drawn ``width_px`` pixels wide (for PNG): the size and the
    resolution are written into the DOT, like every other setting."""
    inches = width_px / 96
    end = dot_source.rstrip().rfind("}")
    return (dot_source[:end] + f'\tsize="{inches:.3f},10000!" dpi=96 pad=0\n'
            + dot_source[end:])


def print_source(dot_source: str, scale: int) -> str:
    """Return ``dot_source`` drawn ``scale`` times larger (``scale`` × 72 dpi, written into
    the DOT like every other setting): the print SVG's colour emoji are bitmaps, as sharp
    as they are drawn large. The layout stays the same; rem.maps.svg.scaled_down gives
    the drawing its size in points back."""
    end = dot_source.rstrip().rfind("}")
    return dot_source[:end] + f"\tdpi={72 * scale}\n" + dot_source[end:]

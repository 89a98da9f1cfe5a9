"""Make a short narrated slide video for a lesson, with WebVTT captions and a transcript, from
a text file of slides (free Debian tools: ffmpeg draws the slides, espeak-ng speaks them).

    python tools/make_lesson_video.py courses/python-data/lessons/week1-intro.slides.txt

The slides file holds slides separated by a line ``---``: the first line of a slide is its
title, the rest is said aloud and shown as captions. Next to it, the script writes
``<name>.webm`` (VP9 and Opus), ``<name>.vtt`` and ``<name>.md``, and prints the video's
duration for the course file. ``make demo-video`` installs ffmpeg and espeak-ng and remakes the
demo MOOC's video.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
import wave
from pathlib import Path

WIDTH, HEIGHT, FPS = 640, 360, 10
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
PAUSE = 0.6  # seconds of silence after each slide's narration


def slides_of(text: str) -> list[tuple[str, str]]:
    slides = []
    for block in text.split("\n---\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if lines:
            slides.append((lines[0], " ".join(lines[1:])))
    return slides


def run(*command: str) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stamp(seconds: float) -> str:
    whole = int(seconds)
    return (
        f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{int(seconds % 1 * 1000):03d}"
    )


def make(slides_file: Path) -> float:
    slides = slides_of(slides_file.read_text())
    stem = slides_file.name.removesuffix(".slides.txt")
    out = slides_file.with_name(stem)
    cues, start = [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for i, (title, said) in enumerate(slides):
            voice = Path(tmp, f"{i}.wav")
            run("espeak-ng", "-v", "en-us", "-s", "165", "-w", str(voice), f"{title}. {said}")
            with wave.open(str(voice)) as w:
                length = w.getnframes() / w.getframerate() + PAUSE
            Path(tmp, f"{i}.title").write_text(title)
            Path(tmp, f"{i}.body").write_text("\n".join(textwrap.wrap(said, 44)))
            part = Path(tmp, f"{i}.webm")
            draw = (
                f"drawtext=fontfile={BOLD}:textfile={tmp}/{i}.title:fontsize=30:"
                f"fontcolor=white:x=40:y=40,"
                f"drawtext=fontfile={FONT}:textfile={tmp}/{i}.body:fontsize=22:"
                f"fontcolor=white:line_spacing=10:x=40:y=110"
            )
            run(
                "ffmpeg", "-y", "-f", "lavfi", "-i",
                f"color=c=0x1f3a5f:s={WIDTH}x{HEIGHT}:r={FPS}:d={length:.3f}",
                "-i", str(voice), "-filter_complex", f"[0:v]{draw}[v];[1:a]apad[a]",
                "-map", "[v]", "-map", "[a]", "-t", f"{length:.3f}",
                "-c:v", "libvpx-vp9", "-b:v", "60k", "-deadline", "good", "-row-mt", "1",
                "-c:a", "libopus", "-b:a", "24k", "-ac", "1", str(part),
            )  # fmt: skip
            parts.append(part)
            cues.append((start, start + length - PAUSE, f"{title}. {said}"))
            start += length
        listing = Path(tmp, "parts.txt")
        listing.write_text("".join(f"file '{p}'\n" for p in parts))
        run("ffmpeg", "-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy",
            str(out.with_suffix(".webm")))  # fmt: skip
    vtt = ["WEBVTT", ""]
    for n, (a, b, said) in enumerate(cues, 1):
        vtt += [str(n), f"{stamp(a)} --> {stamp(b)}", *textwrap.wrap(said, 60), ""]
    out.with_suffix(".vtt").write_text("\n".join(vtt))
    transcript = [f"# Transcript: {slides[0][0]}", ""]
    transcript += [f"**{title}.** {said}\n" for title, said in slides]
    out.with_suffix(".md").write_text("\n".join(transcript))
    return start


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"duration: {make(Path(sys.argv[1])):.1f}")

"""``apa-feed inspect``: what the probe reads from audio files, as JSON-ready dicts or a readable table.

Every format the probe reads is shown (FLAC, Ogg, WAV too: the feed only warns about them). A
file that cannot be read gets an ``error`` entry and does not stop the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .info import AudioInfo
from .loudness import Loudness, ffmpeg, measure_all
from .probe import AudioError, probe

Result = dict[str, Any]


def inspect_files(paths: list[Path]) -> list[Result]:
    """One dict per path, in order: the probe's facts, or ``{"path", "error"}`` for a file that could not be read.

    Keys: path, duration (s), size, mime_type, format, bitrate, sample_rate, channels, codec,
    duration_source (``header``/``scan``), tags (only those present), cover (None or {format,
    width, height}), chapters (list of {start, title} plus end, url, image where known), loudness
    (None or {integrated_lufs, true_peak_dbtp, range_lu}, measured by ffmpeg's ebur128), warnings.
    """
    results: list[Result] = []
    probed: list[tuple[Result, Path, str]] = []
    for path in paths:
        try:
            info = probe(path)
        except AudioError as exc:
            results.append({"path": str(path), "error": str(exc)})
            continue
        results.append(describe(path, info))
        probed.append((results[-1], path, info.format))
    _add_loudness(probed)
    return results


def _add_loudness(probed: list[tuple[Result, Path, str]]) -> None:
    """Measure the probed files' loudness (all at once); a file ffmpeg cannot measure gets a warning."""
    binary = ffmpeg() if probed else None
    if binary is None:
        for result, _, _ in probed:
            result["warnings"].append("loudness not measured: no ffmpeg found (install ffmpeg)")
        return
    for (result, _, _), measured in zip(probed, measure_all([(p, f) for _, p, f in probed], binary), strict=True):
        if isinstance(measured, Loudness):
            result["loudness"] = measured.to_json()
        else:
            result["warnings"].append(str(measured))


def any_failed(results: list[Result]) -> bool:
    """Whether any file could not be read (the command then exits 1)."""
    return any("error" in result for result in results)


def describe(path: Path, info: AudioInfo) -> Result:
    """The JSON-ready description of one probed file."""
    cover = info.cover
    return {
        "path": str(path),
        "duration": round(info.duration, 6),
        "size": info.size,
        "mime_type": info.mime_type,
        "format": info.format,
        "bitrate": info.bitrate,
        "sample_rate": info.sample_rate,
        "channels": info.channels,
        "codec": info.codec,
        "duration_source": info.duration_source,
        "tags": info.tags.present(),
        "cover": None if cover is None else {"format": cover.format, "width": cover.width, "height": cover.height},
        "chapters": [_chapter(info, n) for n in range(len(info.chapters))],
        "loudness": None,
        "warnings": _warnings(path, info),
    }


def _chapter(info: AudioInfo, index: int) -> dict[str, Any]:
    chapter = info.chapters[index]
    found: dict[str, Any] = {"start": round(chapter.start, 3), "title": chapter.title}
    if chapter.end is not None:
        found["end"] = round(chapter.end, 3)
    if chapter.url:
        found["url"] = chapter.url
    if index in info.chapter_images:
        found["image"] = True
    return found


def _warnings(path: Path, info: AudioInfo) -> list[str]:
    found = []
    if not info.extension_matches(path):
        found.append(f'the file holds {info.format} audio but its name ends in "{path.suffix}"; '
                     f"it is published as {info.mime_type}")  # fmt: skip
    if not info.apple_accepts:
        found.append(f"{info.format} audio does not play in Apple Podcasts (use MP3 or M4A/AAC)")
    return found


def render_text(results: list[Result]) -> str:
    """A readable block per file: errors as ``error: PATH: message``, facts as aligned label/value lines."""
    return "\n\n".join(_block(result) for result in results) + "\n"


def _block(result: Result) -> str:
    if "error" in result:
        return f"error: {result['path']}: {result['error']}"
    rows = [
        ("duration", f"{clock(result['duration'])} ({result['duration']:.3f} s, from the {result['duration_source']})"),
        ("size", f"{result['size']:,} bytes"),
        ("type", f"{result['mime_type']} ({result['format']}, {result['codec']})"),
        ("stream", f"{result['bitrate'] / 1000:.0f} kb/s, {result['sample_rate']} Hz, "
                   f"{result['channels']} channel{'s' if result['channels'] != 1 else ''}"),
    ]  # fmt: skip
    rows += list(result["tags"].items())
    cover = result["cover"]
    rows.append(("cover", "none" if cover is None else f"{cover['format']} {cover['width']}×{cover['height']} px"))
    rows.append(("chapters", str(len(result["chapters"])) if result["chapters"] else "none"))
    if result["loudness"] is not None:
        rows.append(("loudness", _loudness_text(result["loudness"])))
    lines = [result["path"]] + [f"  {label:<10} {value}" for label, value in rows]
    lines += [f"    {clock(c['start'])}  {c['title']}{_extras(c)}" for c in result["chapters"]]
    lines += [f"  warning: {warning}" for warning in result["warnings"]]
    return "\n".join(lines)


def _loudness_text(loudness: dict[str, float | None]) -> str:
    def show(value: float | None, unit: str) -> str:
        return "-inf" if value is None else f"{value:.1f} {unit}"

    level, peak = show(loudness["integrated_lufs"], "LUFS"), show(loudness["true_peak_dbtp"], "dBTP")
    return f"{level} integrated, true peak {peak}, range {show(loudness['range_lu'], 'LU')}"


def _extras(chapter: dict[str, Any]) -> str:
    return (f"  <{chapter['url']}>" if "url" in chapter else "") + ("  [image]" if chapter.get("image") else "")


def clock(seconds: float) -> str:
    """``H:MM:SS.mmm``."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"

"""Encoding: raw yuv420p frames piped to ffmpeg's libx264, with AAC audio, as players want them.

H.264 High at level 4.1 or below, yuv420p, BT.709, +faststart, AAC (silent when no music).
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import SignageError

# H.264 level 4.1: at most 8192 macroblocks a frame and 245,760 a second.
LEVEL_41_FRAME_MBS = 8192
LEVEL_41_MBS_PER_SECOND = 245_760


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def check_level(width: int, height: int, fps: int) -> None:
    mbs = math.ceil(width / 16) * math.ceil(height / 16)
    if mbs > LEVEL_41_FRAME_MBS:
        raise SignageError(f"{width}x{height} is larger than H.264 level 4.1 allows (1920x1080 or 2048x1024)")
    if mbs * fps > LEVEL_41_MBS_PER_SECOND:
        most = LEVEL_41_MBS_PER_SECOND // mbs
        raise SignageError(f"{width}x{height} at {fps} fps is beyond H.264 level 4.1, which every lobby player "
                           f"plays: use at most {most} fps at this size")


@dataclass
class EncodeJob:
    """What ffmpeg is told: the raw input, the picture it becomes, audio, and the file."""

    output: Path
    frame_size: tuple[int, int]  # what Python sends
    canvas: tuple[int, int]  # the picture before rotation
    fps: int
    frames: int
    preset: str
    crf: int
    rotate: int = 0
    pad: tuple[int, str] | None = None  # send only a band: (its top row, background colour of the rest)
    music: Path | None = None
    volume: float = 1.0

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def command(self) -> list[str]:
        w, h = self.frame_size
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{w}x{h}", "-r", str(self.fps), "-i", "-"]
        if self.music is not None:
            cmd += ["-stream_loop", "-1", "-i", str(self.music)]
        else:
            cmd += ["-f", "lavfi", "-i", "anullsrc=channel_layout=stereo:sample_rate=48000"]
        # Our frames are BT.709 limited range; saying so lets pad fill its colour in the same matrix.
        filters = ["setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv"]
        if self.pad is not None:
            top, colour = self.pad
            cw, ch = self.canvas
            filters.append(f"pad={cw}:{ch}:0:{top}:color={colour}")
        transpose = {90: "transpose=1", 180: "transpose=1,transpose=1", 270: "transpose=2"}.get(self.rotate)
        if transpose:
            filters.append(transpose)
        cmd += ["-vf", ",".join(filters)]
        audio = [f"volume={self.volume:g}"]
        if self.music is not None and self.duration > 3:
            audio.append(f"afade=t=out:st={self.duration - 1.5:.3f}:d=1.5")
        cmd += [
            "-map", "0:v", "-map", "1:a", "-af", ",".join(audio),
            "-c:v", "libx264", "-preset", self.preset, "-crf", str(self.crf),
            "-profile:v", "high", "-level:v", "4.1", "-pix_fmt", "yuv420p",
            "-maxrate", "8M", "-bufsize", "16M", "-g", str(self.fps * 2),
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
            "-t", f"{self.duration:.3f}", "-movflags", "+faststart", "-f", "mp4", str(self.output),
        ]
        return cmd


def _widen_pipe(stream: object) -> None:
    """A 1 MiB pipe instead of 64 KiB: a 3 MB frame crosses in 3 hand-overs, not 48 (Linux only)."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), 1031, 1 << 20)  # type: ignore[attr-defined]  # F_SETPIPE_SZ
    except (ImportError, OSError, AttributeError):
        pass


class Encoder:
    """An ffmpeg process fed frames on its standard input; errors come back as SignageError."""

    def __init__(self, job: EncodeJob):
        self.job = job
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        self.process = subprocess.Popen(job.command(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stderr=self._log)
        assert self.process.stdin is not None
        self.stdin = self.process.stdin
        _widen_pipe(self.stdin)

    def finish(self) -> None:
        try:
            self.stdin.close()
        except BrokenPipeError:
            pass
        code = self.process.wait()
        if code != 0:
            self._log.seek(0)
            raise SignageError(f"ffmpeg failed: {self._log.read().decode(errors='replace').strip()[-600:]}")
        self._log.close()

    def abort(self) -> None:
        self.process.kill()
        self.process.wait()
        self._log.close()

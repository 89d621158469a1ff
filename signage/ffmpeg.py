"""ffmpeg as every video here uses it: libx264 as lobby players and LED controllers want it.

H.264 High at level 4.1 or below, yuv420p, BT.709 (primaries, transfer, matrix, limited
range), +faststart; AAC audio (music, a silent track, or none for LED controllers). ffmpeg
makes the frames itself from pictures Python paints once (video/compose.py, led/output.py):
no frame crosses a pipe.
"""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import SignageError
from .h264.skip import held

SILENCE = "anullsrc=channel_layout=stereo:sample_rate=48000"  # lavfi's silent source, stereo at 48 kHz

# What every frame is tagged with before x264. The encoder takes its colour tags from the frames
# that reach it (an RGB scroll converted by scale alone came out with the matrix tagged and the
# primaries and transfer unknown, -color_primaries notwithstanding), so the frames carry them.
BT709_TAGS = "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv"
# x264 writes the lowest profile its tools need: without CABAC and the 8x8 transform (preset
# ultrafast) a stream comes out Constrained Baseline whatever -profile:v says. Both are on in
# every preset from superfast up; turning them on costs ultrafast little (see the README).
HIGH_PROFILE_TOOLS = "cabac=1:8x8dct=1"

# H.264 level 4.1: at most 8192 macroblocks a frame and 245,760 a second.
LEVEL_41_FRAME_MBS = 8192
LEVEL_41_MBS_PER_SECOND = 245_760


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@lru_cache(maxsize=1)
def ffmpeg_version() -> str:
    """The ffmpeg build's own version line: part of every key of an output it encodes."""
    try:
        out = subprocess.run([ffmpeg_exe(), "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SignageError(f"ffmpeg cannot be run: {exc}") from None
    first = out.stdout.splitlines()[0] if out.stdout else ""
    configuration = next((line for line in out.stdout.splitlines() if line.startswith("configuration:")), "")
    return f"{first} {hashlib.sha256(configuration.encode()).hexdigest()[:12]}"


def check_level(width: int, height: int, fps: int) -> None:
    mbs = math.ceil(width / 16) * math.ceil(height / 16)
    if mbs > LEVEL_41_FRAME_MBS:
        raise SignageError(f"{width}x{height} is larger than H.264 level 4.1 allows (1920x1080 or 2048x1024)")
    if mbs * fps > LEVEL_41_MBS_PER_SECOND:
        most = LEVEL_41_MBS_PER_SECOND // mbs
        raise SignageError(
            f"{width}x{height} at {fps} fps is beyond H.264 level 4.1, which every lobby player "
            f"plays: use at most {most} fps at this size"
        )


def x264_options(preset: str, crf: int, fps: int) -> list[str]:
    """H.264 as every lobby player and controller takes it: High profile at level 4.1, yuv420p,
    BT.709 tags, a capped bitrate, a keyframe every two seconds."""
    return [
        *("-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-profile:v", "high", "-level:v", "4.1"),
        *("-x264-params", HIGH_PROFILE_TOOLS),
        *("-pix_fmt", "yuv420p", "-maxrate", "8M", "-bufsize", "16M", "-g", str(fps * 2)),
        *("-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"),
    ]


def x264_exact_options(keyint: int) -> list[str]:
    """H.264 that gives back every pixel as it went in: lossless, 4:4:4 (High 4:4:4 Predictive), BT.709
    tags. For an LED sign's clips, whose one-pixel strokes 4:2:0 would smear into their neighbours'
    colours; mpv, VLC and ffmpeg decode it, some hardware decoders do not (README, the players' table)."""
    return [
        *("-c:v", "libx264", "-preset", "veryfast", "-qp", "0", "-pix_fmt", "yuv444p", "-profile:v", "high444"),
        *("-g", str(keyint), "-keyint_min", str(keyint), "-sc_threshold", "0"),
        *("-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"),
    ]


# A keyframe every this many seconds within a segment (each starts on one): measured against two
# seconds, the same CPU and quality, a quarter smaller files (README, "Encoder settings").
SEGMENT_GOP_SECONDS = 10


def gop_frames(fps: int) -> int:
    return fps * SEGMENT_GOP_SECONDS


def segment_options(preset: str, crf: int, fps: int, x264_params: str = "") -> list[str]:
    """x264 for a segment that is joined to others by stream copy: ``x264_options`` with every
    segment of a profile alike (so their stream headers are identical), each closed GOPs starting
    on an IDR frame, no B-frames (no reordering across a joint), and one thread, so the same
    frames give the same bytes; segments are encoded side by side instead (less CPU than x264's
    own threads). ``x264_params``: more of x264's own options (a stitched band's motion limit)."""
    return [
        *x264_options(preset, crf, fps),
        *("-g", str(gop_frames(fps)), "-sc_threshold", "0", "-threads", "1", "-bf", "0"),
        *("-x264-params", f"{HIGH_PROFILE_TOOLS}:open-gop=0" + (f":{x264_params}" if x264_params else "")),
    ]


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
    music: Path | None = None
    volume: float = 1.0
    audio: bool = True  # False: no audio stream at all (LED controllers)

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def command(self) -> list[str]:
        """ffmpeg encoding ``frames`` raw yuv420p frames read from its standard input into ``output`` as
        this job says: what benchmarks/video.py times as "ffmpeg alone" on a video's frames."""
        w, h = self.frame_size
        cmd = [
            ffmpeg_exe(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            "-s",
            f"{w}x{h}",
            "-r",
            str(self.fps),
            "-i",
            "-",
        ]
        cmd += self.audio_input()
        filters = [BT709_TAGS]  # the frames are BT.709 limited range
        filters += self.rotation_filters()
        cmd += ["-vf", ",".join(filters), "-map", "0:v"]
        return cmd + self._tail(1)

    def rotation_filters(self) -> list[str]:
        """The filters that turn the canvas for a portrait screen that plays landscape files."""
        transpose = {90: "transpose=1", 180: "transpose=1,transpose=1", 270: "transpose=2"}.get(self.rotate)
        return [transpose] if transpose else []

    def audio_input(self) -> list[str]:
        """The audio input: the music looped, a silent track, or none."""
        if self.music is not None:
            return ["-stream_loop", "-1", "-i", str(self.music)]
        if self.audio:
            return ["-f", "lavfi", "-i", SILENCE]
        return []

    @property
    def silent(self) -> bool:
        """Whether the audio is a silent track (copied: ``silent_track``), not music."""
        return self.music is None and self.audio

    def audio_tail(self, audio_input: int) -> list[str]:
        """Audio (input number ``audio_input``) as AAC, faded out at the end when it is music."""
        cmd: list[str] = []
        if self.music is not None or self.audio:
            audio = [f"volume={self.volume:g}"]
            if self.music is not None and self.duration > 3:
                audio.append(f"afade=t=out:st={self.duration - 1.5:.3f}:d=1.5")
            cmd += ["-map", f"{audio_input}:a", "-af", ",".join(audio), "-c:a", "aac", "-b:a", "128k"]
            cmd += ["-ar", "48000", "-ac", "2"]
        return cmd

    def file_tail(self) -> list[str]:
        """The length and the MP4 file, its index at the front (+faststart)."""
        return ["-t", f"{self.duration:.3f}", "-movflags", "+faststart", "-f", "mp4", str(self.output)]

    def _tail(self, audio_input: int) -> list[str]:
        """Audio (input number ``audio_input``), x264 and the MP4 file."""
        cmd = self.audio_tail(audio_input)
        cmd += x264_options(self.preset, self.crf, self.fps)
        return cmd + self.file_tail()


@dataclass
class MediaInfo:
    """What ffmpeg reads in a supplied file."""

    duration: float | None
    width: int | None
    height: int | None
    video: bool
    audio: bool


_DURATION = re.compile(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: .*?(\d{2,5})x(\d{2,5})")


def probe(path: Path) -> MediaInfo:
    """Duration, picture size and streams of a media file (``ffmpeg -i``); SignageError when unreadable."""
    try:
        out = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-i", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            errors="replace",
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SignageError(f"ffmpeg cannot be run: {exc}") from None
    text = out.stderr
    if "Invalid data found" in text or "No such file" in text or "Stream #" not in text:
        last = text.strip().splitlines()[-1] if text.strip() else "no streams"
        raise SignageError(f"{path.name} is not a media file ffmpeg can read: {last}")
    duration = None
    match = _DURATION.search(text)
    if match:
        h, m, s = match.groups()
        duration = int(h) * 3600 + int(m) * 60 + float(s)
    video = _VIDEO.search(text)
    return MediaInfo(
        duration,
        int(video.group(1)) if video else None,
        int(video.group(2)) if video else None,
        video is not None,
        ": Audio:" in text,
    )


# A silent track is copied, not encoded: every frame of silence from ffmpeg's AAC encoder after its
# first is the same 13 bytes (ADTS header and all), so one frame, repeated, is a track of any length.
# Encoding it took 2.7 ms of CPU a second of video (2.2 CPU-s for the mainland's 800 s ticker).
AAC_RATE = 48_000
AAC_FRAME = 1024  # samples a frame


@lru_cache(maxsize=1)
def silent_aac_frame() -> bytes:
    """One ADTS frame of silence as ffmpeg's AAC encoder writes it (stereo, 48 kHz, 128 kb/s, the
    audio every lobby video here has): a frame from the middle of a short encode, checked to be
    the same as its neighbours."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", SILENCE, "-t", "0.5"]
    cmd += ["-c:a", "aac", "-b:a", "128k", "-f", "adts", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SignageError(f"ffmpeg cannot be run: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[-400:]
        raise SignageError(f"ffmpeg could not encode a frame of silence: {message}")
    steady = adts_frames(done.stdout)[2:-2]
    if len(steady) < 4 or len(set(steady)) != 1:
        raise SignageError("ffmpeg's AAC encoder gave no steady frame of silence")
    return steady[0]


def adts_frames(data: bytes) -> list[bytes]:
    """The frames of an ADTS stream, headers and all (ISO/IEC 13818-7 6.2: a 12-bit sync word, the
    frame's length in bits 30 to 42)."""
    frames, at = [], 0
    while at + 7 <= len(data):
        if data[at] != 0xFF or data[at + 1] & 0xF0 != 0xF0:
            raise SignageError("not an ADTS stream: no sync word where a frame should start")
        length = ((data[at + 3] & 0x03) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        if length < 7:
            raise SignageError("an ADTS frame shorter than its header")
        frames.append(data[at : at + length])
        at += length
    return frames


def silent_track(path: Path, frames: int, fps: int) -> list[str]:
    """Write at ``path`` a silent AAC track (ADTS) of the whole AAC frames that fit in ``frames`` video
    frames at ``fps`` (counted in integers: a float product may round one away) and return ffmpeg's
    input options for it. It ends at most one AAC frame (21 ms) before the video, so the file is
    exactly the video's length (stream copy cannot cut a frame, and an encoder's last frame, cut by
    an edit list, some players play whole)."""
    path.write_bytes(silent_aac_frame() * max(1, frames * AAC_RATE // (fps * AAC_FRAME)))
    return ["-f", "aac", "-i", str(path)]


STILL_CLIP_FPS = 25
# The CRF of a held still's one picture. x264 encoding a whole 8 s clip at CRF 18 gave its picture a
# lower QP than CRF 18 alone does (its macroblock tree favours blocks that later frames copy): the
# 1080p poster's first frame had SSIM 0.99934 against the picture (in YUV); one picture at CRF 18,
# 0.99824; at 12, 0.99927, and the whole clip is smaller than before (56 KB against 67 KB).
HELD_CRF = 12
_EVEN_420 = "pad=ceil(iw/2)*2:ceil(ih/2)*2:0:0:black,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"


def clip_frames(seconds: list[float], fps: int = STILL_CLIP_FPS) -> list[int]:
    """Whole frames for clips played one after another, rounded where each ends rather than one by
    one, so a run of them lasts its true total (2.5 s pages at 25 fps: 62, 63, 62, 63...)."""
    frames, total, end = [], 0, 0.0
    for length in seconds:
        end += length
        target = max(total + 1, round(end * fps))
        frames.append(target - total)
        total = target
    return frames


def still_clips(
    stills: list[tuple[Path, int, Path]], audio: bool, exact: bool = False, fps: int = STILL_CLIP_FPS
) -> None:
    """Each still picture (source, frames, target) as an H.264 clip of that many frames: for media
    players that show a picture for a default time of their own (mpv one second, VLC ten) but play
    a video for its length.

    x264 encodes each picture once, as an IDR picture (one ffmpeg run for them all); every later
    frame is a P picture whose macroblocks are all skipped, written here (h264/skip.py,
    ``held``): an exact copy of the first, a few bytes, and no encoder time (x264 spent about 10 ms
    of a core confirming each still 1080p frame: 2.2 CPU-s for an 8 s poster, 0.1 s now). One more
    ffmpeg run puts the streams in MP4s by stream copy. Like every other video here (H.264 High at
    level 4.1 or below, yuv420p, BT.709), or, when ``exact`` (an LED sign's pages), lossless 4:4:4
    so that every LED pixel keeps its colour. In 4:2:0 an odd side is padded with one black row or
    column. A silent AAC track when ``audio`` (lobby players), none for LED controllers."""
    if not stills:
        return
    with tempfile.TemporaryDirectory(prefix=".stills-", dir=stills[0][2].parent) as tmp:
        pictures = [Path(tmp) / f"still-{n}.h264" for n in range(len(stills))]
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
        for source, _, _ in stills:
            cmd += ["-i", str(source)]
        for n, (_, frames, _) in enumerate(stills):
            convert = "scale=out_color_matrix=bt709:out_range=tv,format=yuv444p," if exact else _EVEN_420
            cmd += ["-map", f"{n}:v", "-vf", convert + BT709_TAGS, "-r", str(fps), "-frames:v", "1"]
            if exact:  # an LED sign's page: tiny, so one thread (x264's own threads cost more than they give)
                cmd += [*x264_exact_options(frames + 1), "-threads", "1"]
            else:  # after x264_options, so these win: one keyframe, and x264's tuning for a still picture
                cmd += [*x264_options("veryfast", HELD_CRF, fps), "-g", str(frames + 1), "-keyint_min", str(frames + 1)]
                cmd += ["-sc_threshold", "0", "-tune", "stillimage"]
            cmd += ["-bf", "0", "-f", "h264", str(pictures[n])]  # no B-frames: picture order from frame_num
        run_ffmpeg(cmd, "encode still pictures", timeout=600)
        for picture, (_, frames, _) in zip(pictures, stills):
            picture.write_bytes(held(picture.read_bytes(), frames))
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
        for picture in pictures:
            cmd += ["-f", "h264", "-framerate", str(fps), "-i", str(picture)]
        if audio:  # a silent track for each clip's own length
            for n, (_, frames, _) in enumerate(stills):
                cmd += silent_track(Path(tmp) / f"silence-{n}.aac", frames, fps)
        for n, (_, frames, target) in enumerate(stills):
            cmd += ["-map", f"{n}:v", "-c:v", "copy"]
            if audio:
                cmd += ["-map", f"{len(stills) + n}:a", "-c:a", "copy"]
            # the stream holds its frames exactly; -frames:v would end the file before the audio's first
            # packet (stream copy reads every frame before the AAC encoder returns one): no audio track
            cmd += ["-t", f"{frames / fps:.3f}", "-movflags", "+faststart", "-map_metadata", "-1"]
            cmd += ["-f", "mp4", str(target)]
        run_ffmpeg(cmd, "make still clips", timeout=600)


def run_ffmpeg(cmd: list[str], what: str, timeout: float = 3600) -> None:
    """Run an ffmpeg command; a failure is a SignageError saying what it could not do, with the
    end of ffmpeg's own message."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SignageError(f"ffmpeg cannot be run: {exc}") from None
    if done.returncode != 0:
        raise SignageError(f"ffmpeg could not {what}: {done.stderr.strip()[-600:]}")

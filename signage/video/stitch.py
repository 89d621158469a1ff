"""Slice stitching: a segment's frames built from horizontal regions encoded apart.

In a hold segment only the ticker band moves; x264 spends most of a full frame's time confirming
that the rest did not (about 4 ms of a core per still 1080p frame at ultrafast). So the picture is
cut into whole macroblock rows: the band's rows (with ``MARGIN_ROWS`` of the still around them) are
encoded by x264 for every frame, each still region above or below it only once, as an IDR picture
of its own. Each output frame is then one slice per region, in macroblock order: the band's slice
from its own encode, a still region's slice its IDR slice in the first frame and, in every later
one, a slice whose macroblocks are all skipped (``cabac.all_skipped``: an exact copy of the same rows
of the previous frame). Only slice headers are rewritten (where the slice starts in the whole
picture, the frame number, the deblocking across slice edges); the CABAC data is copied.

Why the frames decode to the regions' own pictures: H.264 never predicts across a slice edge
(intra prediction, motion vector prediction and CABAC contexts treat a macroblock of another slice
as absent), the slice edges are not deblocked (``disable_deblocking_filter_idc`` 2, as a picture's
own edges are not), and a still region's later slices copy its rows with zero vectors. The one way
a region can see another is a block of the band's encode reading past the band's picture (x264 lets
a vector point up to 24 rows beyond it, and the 6-tap filter reads 3 more), where its decoder repeats
the edge row but the stitched picture has the still's rows. So a band is kept when its encode's
motion vectors show that no block reads past its picture (``slices.vectors_inside``, by
signage/h264/reach.py), except past an edge the whole picture shares. The margin of still rows
around the band keeps the moving blocks' reads off the edge (a scrolling band's vectors are
horizontal, but x264 refines them to quarter rows up and down); ``MV_RANGE`` caps how far any
vector reaches. A band whose vectors do reach out is decoded and compared with the band's own
encode (``slices.checked``, on a picture of the band and the ``NEAR_ROWS`` next to it): reading the
still's rows may still give the same pixels; one that differs is encoded as one picture instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import SignageError
from ..h264.bitstream import (
    NAL_IDR,
    NAL_PPS,
    NAL_SLICE,
    NAL_SPS,
    SLICE_I,
    SLICE_P,
    START_CODE,
    BitWriter,
    PictureInfo,
    SequenceInfo,
    SliceHeader,
    escape,
    nal_units,
    parse_pps,
    parse_slice,
    parse_sps,
)
from ..h264.cabac import all_skipped
from ..h264.skip import skip_slice

# Still macroblock rows kept around the band's own rows in its encode, so that its moving blocks can
# be refined a few rows up or down without reading past its picture; x264's blocks of busy still rows
# (text, a photograph) take vectors a quarter row up or down too, so a band over busy rows keeps
# three, and a band over plain rows (each row one colour: a flat or graded background) one, which the
# example's 73 holds showed was enough (README: 0.94x the CPU of three; at 320x180 a hotline scene's
# text one row from the band needed the three).
MARGIN_ROWS = 3
PLAIN_MARGIN_ROWS = 1
# And x264's smallest cap on vertical vectors (``mvrange``): a vector reaches at most MV_RANGE rows,
# which the decoding check's NEAR_ROWS rely on.
MV_RANGE = 32
# Still macroblock rows next to the band's encoded as regions of their own, so that checking a segment
# decodes only them and the band (``Layout.check``): a vector of the band's encode reads at most
# MV_RANGE - 1 rows and the 6-tap filter's 3 past the band's picture (mvrange caps every coded vector;
# a skipped block's is a median of its neighbours'), inside these 48.
NEAR_ROWS = 3
# x264's options for the band's encode, added to the segment's own: the vector cap, and whole-pixel
# motion search only (``subme=0``): a band moves a whole number of pixels a frame, so a whole-pixel
# vector is exact, and x264's sub-pixel refinement of every block found nothing better (the 1080p
# hold of benchmarks/stitch.py at speeds 4 and 3: the same SSIM, PSNR and size, 0.83x the CPU). Neither
# changes the parameter sets the band shares with the whole picture.
BAND_X264_PARAMS = f"mvrange={MV_RANGE}:subme=0"
# ... and for a still region's one frame: x264 refines a whole-picture still over its first P frames,
# which a still region never gets; a lower QP for its IDR picture instead (measured at 1080p, README:
# SSIM 0.99859 against 0.99801 whole, PSNR 48.5 against 49.7 dB, 5 % larger; the default 1.4 gave 47.5 dB)
STILL_X264_PARAMS = "ipratio=2.0"
# Bump when a stitched segment's bytes change for the same inputs (it is in every such segment's key).
VERSION = "2"
MB = 16


@dataclass(frozen=True)
class Region:
    """Macroblock rows [first, end) of the coded picture; ``moving``: the band's (encoded every frame)."""

    first: int
    end: int
    moving: bool

    def pixel_rows(self, height: int) -> tuple[int, int]:
        """The picture's rows [top, bottom) this region shows (the last region stops at the picture)."""
        return self.first * MB, min(self.end * MB, height)


@dataclass(frozen=True)
class Layout:
    """A picture of ``width`` x ``height`` cut into regions, top to bottom."""

    width: int
    height: int
    regions: tuple[Region, ...]

    @property
    def width_mbs(self) -> int:
        return math.ceil(self.width / MB)

    @property
    def band(self) -> Region:
        return next(r for r in self.regions if r.moving)

    def check(self) -> tuple[Layout, int, int]:
        """The smaller picture a segment is checked on: the band and the still regions next to it,
        as (its layout, the index of its first and after its last region in this one)."""
        at = self.regions.index(self.band)
        first, end = max(0, at - 1), min(len(self.regions), at + 2)
        base = self.regions[first].first
        height = min(self.regions[end - 1].end * MB, self.height) - base * MB
        shifted = tuple(Region(r.first - base, r.end - base, r.moving) for r in self.regions[first:end])
        return Layout(self.width, height, shifted), first, end


def layout(width: int, height: int, band_top: int, band_height: int, margin: int = MARGIN_ROWS) -> Layout | None:
    """The regions of a picture whose rows [band_top, band_top + band_height) move: the band rounded
    out to macroblock rows and widened by ``margin`` rows each side; the still rows above and below,
    each side as the ``NEAR_ROWS`` next to the band and the rest. None when no still region is left
    (nothing to gain)."""
    rows = math.ceil(height / MB)
    first = max(0, band_top // MB - margin)
    end = min(rows, math.ceil((band_top + band_height) / MB) + margin)
    if first == 0 and end == rows:
        return None
    regions = []
    if first > NEAR_ROWS:
        regions.append(Region(0, first - NEAR_ROWS, False))
    if first > 0:
        regions.append(Region(max(0, first - NEAR_ROWS), first, False))
    regions.append(Region(first, end, True))
    if end < rows:
        regions.append(Region(end, min(rows, end + NEAR_ROWS), False))
    if end + NEAR_ROWS < rows:
        regions.append(Region(end + NEAR_ROWS, rows, False))
    return Layout(width, height, tuple(regions))


@dataclass
class _Stream:
    """An encoded region: its parameter sets and its slices, one list per frame."""

    sps_nal: bytes
    pps_nal: bytes
    sps: SequenceInfo
    pps: PictureInfo
    frames: list[list[SliceHeader]] = field(default_factory=list)


def _read(stream: bytes, what: str) -> _Stream:
    sps_nal = pps_nal = b""
    parsed: _Stream | None = None
    for nal in nal_units(stream):
        kind = nal[0] & 0x1F
        if kind == NAL_SPS and not sps_nal:
            sps_nal = nal
        elif kind == NAL_PPS and not pps_nal:
            pps_nal = nal
            parsed = _Stream(sps_nal, pps_nal, parse_sps(sps_nal), parse_pps(pps_nal))
        elif kind in (NAL_SLICE, NAL_IDR):
            if parsed is None:
                raise SignageError(f"the {what} encode has a slice before its parameter sets")
            header = parse_slice(nal, parsed.sps, parsed.pps)
            if header.first_mb_in_slice == 0:
                parsed.frames.append([])
            parsed.frames[-1].append(header)
    if parsed is None or not parsed.frames:
        raise SignageError(f"the {what} encode has no pictures")
    return parsed


def _check(full: _Stream, part: _Stream, region: Region, width_mbs: int, what: str) -> None:
    """A region's stream can be stitched into the full picture's: the same picture parameter set byte
    for byte, the same slice-header-shaping sequence fields, the region's size."""
    if part.pps_nal != full.pps_nal:
        raise SignageError(f"the {what} encode's picture parameter set differs from the whole picture's")
    if not full.pps.deblocking_control:
        # its slice headers cannot say "leave the slice edges unfiltered": a stitched picture would be
        # deblocked across them, and its band rows differ from the band's own encode
        raise SignageError(f"the {what} encode's slices cannot turn off deblocking at their edges")
    a, b = part.sps, full.sps
    same = (a.log2_max_frame_num, a.poc_type, a.sps_id) == (b.log2_max_frame_num, b.poc_type, b.sps_id)
    if not same or a.max_num_ref_frames > b.max_num_ref_frames:
        raise SignageError(f"the {what} encode's sequence parameters cannot be stitched: {a} against {b}")
    if (a.width_mbs, a.height_mbs) != (width_mbs, region.end - region.first):
        raise SignageError(f"the {what} encode is {a.width_mbs}x{a.height_mbs} macroblocks, not its region's")
    if b.poc_type != 2:
        raise SignageError("the encoder wrote picture order counts (B-frames?): slices cannot be stitched")


def _rewrite(header: SliceHeader, first_mb: int, nal_header: int, idr_pic_id: int | None = None) -> bytes:
    """A slice NAL unit with a new first_mb_in_slice (and idr_pic_id), its slice edges left unfiltered
    (disable_deblocking_filter_idc 0 becomes 2), its CABAC data copied."""
    w = BitWriter()
    w.ue(first_mb)
    cursor = header.first_mb[1]
    if header.idr_pic_id is not None and idr_pic_id is not None:
        w.raw(header.reader.bits(cursor, header.idr_pic_id[0]))
        w.ue(idr_pic_id)
        cursor = header.idr_pic_id[1]
    if header.deblocking is not None:
        w.raw(header.reader.bits(cursor, header.deblocking[0]))
        w.ue(2 if header.deblocking_idc == 0 else header.deblocking_idc)
        cursor = header.deblocking[1]
    w.raw(header.reader.bits(cursor, header.end))
    w.align(1)  # cabac_alignment_one_bit
    return bytes([nal_header]) + escape(w.tobytes() + header.rbsp[header.data_start :])


class _SkipSlices:
    """All-skipped P slices of one still region, one per frame number (written once each)."""

    def __init__(self, full: _Stream, first_mb: int, macroblocks: int):
        self.full, self.first_mb = full, first_mb
        self.data = all_skipped(macroblocks, full.pps.pic_init_qp)
        self.made: dict[tuple[int, int, int, tuple[int, int]], bytes] = {}

    def slice(self, band: SliceHeader) -> bytes:
        """The slice for the frame whose band slice is ``band``: its frame number, NAL reference
        priority and reference marking."""
        marking = band.span(band.marking)
        key = (band.frame_number, band.nal_header, band.slice_type, marking)
        if key not in self.made:
            self.made[key] = self._write(band, marking)
        return self.made[key]

    def _write(self, band: SliceHeader, marking: tuple[int, int]) -> bytes:
        frame_num = band.span(band.frame_num)
        return skip_slice(self.full.pps, self.first_mb, self.data, band.nal_header, band.slice_type, frame_num, marking)


def stitch(header: bytes, parts: list[tuple[Region, bytes]], frames: int | None = None) -> bytes:
    """One Annex-B stream of whole pictures from the regions' encodes.

    ``header``: an encode of the whole picture with the same options (its SPS and PPS head the
    stream); ``parts``: per region, top to bottom, its encode (the moving one every frame, each still
    one at least its first frame)."""
    full = _read(header, "whole-picture")
    width_mbs = full.sps.width_mbs
    streams = []
    for region, data in parts:
        what = "band" if region.moving else f"still rows {region.first}-{region.end}"
        stream = _read(data, what)
        _check(full, stream, region, width_mbs, what)
        if not region.moving and (len(stream.frames[0]) != 1 or stream.frames[0][0].kind != SLICE_I):
            raise SignageError(f"the {what} encode does not start with one I slice")
        streams.append(stream)
    moving = next(n for n, (region, _) in enumerate(parts) if region.moving)
    band = streams[moving]
    skips = {
        n: _SkipSlices(full, region.first * width_mbs, (region.end - region.first) * width_mbs)
        for n, (region, _) in enumerate(parts)
        if not region.moving
    }
    out = [START_CODE + full.sps_nal, START_CODE + full.pps_nal]
    count = len(band.frames) if frames is None else frames
    if count > len(band.frames):
        raise SignageError(f"the band encode has {len(band.frames)} frames, not {count}")
    for slices in band.frames[:count]:
        lead = slices[0]
        for n, (region, _) in enumerate(parts):
            offset = region.first * width_mbs
            if region.moving:
                for piece in slices:
                    out.append(START_CODE + _rewrite(piece, offset + piece.first_mb_in_slice, piece.nal_header))
            elif lead.nal_type == NAL_IDR:
                still = streams[n].frames[0][0]
                if still.span(still.marking) != lead.span(lead.marking) or still.frame_number != lead.frame_number:
                    raise SignageError("the still and band IDR slices differ in frame number or reference marking")
                out.append(START_CODE + _rewrite(still, offset, lead.nal_header, lead.idr_pic_number))
            elif lead.kind == SLICE_P:
                out.append(START_CODE + skips[n].slice(lead))
            else:
                raise SignageError("the band encode has an I picture that is not IDR: slices cannot be stitched")
    return b"".join(out)

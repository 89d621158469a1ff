"""Just enough of the H.264 bitstream to cut and rewrite slices: Annex-B NAL units, emulation
prevention, exp-Golomb bits, the sequence and picture parameter sets' fields a slice header
depends on, and the slice header itself with where each rewritten field sits.

Read from ITU-T H.264 (7.3.2.1 SPS, 7.3.2.2 PPS, 7.3.3 slice header, 7.4.1 NAL units); only what
x264's High-profile progressive streams use (no field coding, no slice groups, no scaling lists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SignageError

NAL_SLICE = 1
NAL_IDR = 5
NAL_SEI = 6
NAL_SPS = 7
NAL_PPS = 8
NAL_AUD = 9
START_CODE = b"\x00\x00\x00\x01"  # what an Annex-B stream puts before each NAL unit written here

_START = re.compile(rb"\x00\x00\x01")
_NEEDS_ESCAPE = re.compile(rb"\x00\x00(?=[\x00-\x03])")


def nal_units(stream: bytes) -> list[bytes]:
    """The NAL units of an Annex-B stream, without start codes (a trailing zero of a four-byte start
    code belongs to no unit)."""
    starts = [m.end() for m in _START.finditer(stream)]
    units = []
    for n, start in enumerate(starts):
        end = starts[n + 1] - 3 if n + 1 < len(starts) else len(stream)
        units.append(stream[start:end].rstrip(b"\x00"))
    return units


def unescape(nal: bytes) -> bytes:
    """The RBSP of a NAL unit's payload: every emulation-prevention byte (00 00 03) dropped."""
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def escape(rbsp: bytes) -> bytes:
    """A payload with emulation-prevention bytes wherever 00 00 would be followed by 00..03."""
    return _NEEDS_ESCAPE.sub(b"\x00\x00\x03", rbsp)


class BitReader:
    """Bits of an RBSP, most significant first."""

    def __init__(self, data: bytes, pos: int = 0):
        self.value = int.from_bytes(data, "big")
        self.size = len(data) * 8
        self.pos = pos

    def u(self, n: int) -> int:
        if n == 0:
            return 0
        if self.pos + n > self.size:
            raise SignageError("H.264 header runs past its NAL unit")
        self.pos += n
        return (self.value >> (self.size - self.pos)) & ((1 << n) - 1)

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise SignageError("H.264 header has a malformed exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)

    def bits(self, start: int, end: int) -> tuple[int, int]:
        """Bits ``start`` to ``end`` as (value, count)."""
        return (self.value >> (self.size - end)) & ((1 << (end - start)) - 1), end - start


class BitWriter:
    """Bits gathered into one integer, then bytes."""

    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def u(self, n: int, value: int) -> None:
        self.value = (self.value << n) | (value & ((1 << n) - 1))
        self.count += n

    def ue(self, value: int) -> None:
        code = value + 1
        length = code.bit_length()
        self.u(2 * length - 1, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def raw(self, chunk: tuple[int, int]) -> None:
        self.u(chunk[1], chunk[0])

    def align(self, bit: int) -> None:
        while self.count % 8:
            self.u(1, bit)

    def tobytes(self) -> bytes:
        assert self.count % 8 == 0
        return self.value.to_bytes(self.count // 8, "big")


@dataclass(frozen=True)
class SequenceInfo:
    """The SPS fields slice headers depend on, and the coded picture's size in macroblocks."""

    sps_id: int
    log2_max_frame_num: int
    poc_type: int
    log2_max_poc_lsb: int
    delta_pic_order_always_zero: bool
    frame_mbs_only: bool
    width_mbs: int
    height_mbs: int
    max_num_ref_frames: int


@dataclass(frozen=True)
class PictureInfo:
    """The PPS fields slice headers depend on."""

    pps_id: int
    sps_id: int
    cabac: bool
    bottom_field_pic_order: bool
    num_ref_idx_l0_default: int
    weighted_pred: bool
    pic_init_qp: int
    deblocking_control: bool
    redundant_pic_cnt: bool


_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def parse_sps(nal: bytes) -> SequenceInfo:
    r = BitReader(unescape(nal[1:]))
    profile = r.u(8)
    r.u(16)  # constraint flags, level
    sps_id = r.ue()
    if profile in _HIGH_PROFILES:
        chroma = r.ue()
        if chroma == 0:  # no chroma weights in a slice header: the skipped slices written here have them
            raise SignageError("H.264 stream is monochrome (4:0:0): slices cannot be stitched")
        if chroma == 3 and r.u(1):  # separate_colour_plane_flag: each slice names its plane
            raise SignageError("H.264 stream codes its colour planes apart: slices cannot be stitched")
        r.ue(), r.ue(), r.u(1)  # bit depths, qpprime_y_zero_transform_bypass
        if r.u(1):
            raise SignageError("H.264 stream has scaling matrices: slices cannot be stitched")
    log2_max_frame_num = r.ue() + 4
    poc_type = r.ue()
    log2_max_poc_lsb, always_zero = 0, False
    if poc_type == 0:
        log2_max_poc_lsb = r.ue() + 4
    elif poc_type == 1:
        raise SignageError("H.264 stream uses picture order count type 1: slices cannot be stitched")
    max_refs = r.ue()
    r.u(1)  # gaps_in_frame_num_value_allowed_flag
    width = r.ue() + 1
    height = r.ue() + 1
    frame_mbs_only = bool(r.u(1))
    if not frame_mbs_only:
        raise SignageError("H.264 stream is interlaced: slices cannot be stitched")
    return SequenceInfo(
        sps_id, log2_max_frame_num, poc_type, log2_max_poc_lsb, always_zero, frame_mbs_only, width, height, max_refs
    )


def parse_pps(nal: bytes) -> PictureInfo:
    r = BitReader(unescape(nal[1:]))
    pps_id, sps_id = r.ue(), r.ue()
    cabac = bool(r.u(1))
    bottom_field = bool(r.u(1))
    if r.ue() != 0:
        raise SignageError("H.264 stream uses slice groups: slices cannot be stitched")
    l0, _ = r.ue() + 1, r.ue() + 1
    weighted_pred = bool(r.u(1))
    r.u(2)  # weighted_bipred_idc
    qp = 26 + r.se()
    r.se(), r.se()  # pic_init_qs, chroma_qp_index_offset
    deblocking = bool(r.u(1))
    r.u(1)  # constrained_intra_pred_flag
    redundant = bool(r.u(1))
    return PictureInfo(pps_id, sps_id, cabac, bottom_field, l0, weighted_pred, qp, deblocking, redundant)


# slice_type % 5
SLICE_P, SLICE_B, SLICE_I = 0, 1, 2


@dataclass
class SliceHeader:
    """A parsed slice: its header's fields, where the rewritten ones sit (bit spans of the RBSP, the
    NAL header byte excluded), and where its CABAC data starts (a byte offset of the RBSP)."""

    nal_header: int
    rbsp: bytes
    reader: BitReader
    first_mb: tuple[int, int]
    slice_type: int
    frame_num: tuple[int, int]
    idr_pic_id: tuple[int, int] | None
    marking: tuple[int, int]
    deblocking: tuple[int, int] | None
    deblocking_idc: int
    end: int  # the bit after the header
    qp_delta: int
    first_mb_in_slice: int
    frame_number: int
    idr_pic_number: int

    @property
    def kind(self) -> int:
        return self.slice_type % 5

    @property
    def nal_type(self) -> int:
        return self.nal_header & 0x1F

    @property
    def data_start(self) -> int:
        return (self.end + 7) // 8

    def span(self, field: tuple[int, int]) -> tuple[int, int]:
        return self.reader.bits(*field)


def parse_slice(nal: bytes, sps: SequenceInfo, pps: PictureInfo) -> SliceHeader:
    """The header of a slice NAL unit of a CABAC stream (x264's: P and I slices, no field coding)."""
    rbsp = unescape(nal[1:])
    try:  # a header is a few dozen bytes: read from those only (shifting the whole slice costs)
        return _parse_slice(nal[0], rbsp, BitReader(rbsp[:_HEADER_BYTES]), sps, pps)
    except SignageError:
        return _parse_slice(nal[0], rbsp, BitReader(rbsp), sps, pps)


_HEADER_BYTES = 64


def _parse_slice(nal_header: int, rbsp: bytes, r: BitReader, sps: SequenceInfo, pps: PictureInfo) -> SliceHeader:
    nal_type = nal_header & 0x1F
    start = r.pos
    first_mb_in_slice = r.ue()
    first_mb = (start, r.pos)
    slice_type = r.ue()
    if slice_type % 5 not in (SLICE_P, SLICE_I):
        raise SignageError("H.264 stream has B or switching slices: slices cannot be stitched")
    if r.ue() != pps.pps_id:
        raise SignageError("H.264 slice names another picture parameter set")
    frame_num = (r.pos, r.pos + sps.log2_max_frame_num)
    frame_number = r.u(sps.log2_max_frame_num)
    idr, idr_pic_number = None, 0
    if nal_type == NAL_IDR:
        start = r.pos
        idr_pic_number = r.ue()
        idr = (start, r.pos)
    if sps.poc_type == 0:
        r.u(sps.log2_max_poc_lsb)
        if pps.bottom_field_pic_order:
            r.se()
    if pps.redundant_pic_cnt:
        r.ue()
    refs = pps.num_ref_idx_l0_default
    if slice_type % 5 == SLICE_P:
        if r.u(1):  # num_ref_idx_active_override_flag
            refs = r.ue() + 1
        if r.u(1):  # ref_pic_list_modification_flag_l0
            while r.ue() != 3:  # modification_of_pic_nums_idc, then its one number
                r.ue()
        if pps.weighted_pred:
            _skip_weights(r, refs)
    marking_start = r.pos
    if nal_header >> 5:  # nal_ref_idc: dec_ref_pic_marking
        if nal_type == NAL_IDR:
            r.u(2)
        elif r.u(1):
            while (op := r.ue()) != 0:
                if op in (1, 3):
                    r.ue()
                if op in (2, 3, 6):
                    r.ue()
                if op == 4:
                    r.ue()
    marking = (marking_start, r.pos)
    if pps.cabac and slice_type % 5 != SLICE_I:
        r.ue()  # cabac_init_idc
    qp_delta = r.se()
    deblocking, idc = None, 0
    if pps.deblocking_control:
        start = r.pos
        idc = r.ue()
        deblocking = (start, r.pos)
        if idc != 1:
            r.se(), r.se()
    return SliceHeader(
        nal_header,
        rbsp,
        r,
        first_mb,
        slice_type,
        frame_num,
        idr,
        marking,
        deblocking,
        idc,
        r.pos,
        qp_delta,
        first_mb_in_slice,
        frame_number,
        idr_pic_number,
    )


def _skip_weights(r: BitReader, refs: int) -> None:
    """pred_weight_table for list 0 of a 4:2:0 P slice."""
    r.ue(), r.ue()  # luma and chroma log2 weight denominators
    for _ in range(refs):
        if r.u(1):
            r.se(), r.se()
        if r.u(1):
            r.se(), r.se(), r.se(), r.se()

"""Pictures that copy the one before: P slices whose every macroblock is skipped, and a still picture
held for a clip's length with them (ITU-T H.264 7.3.3, 7.3.4, 8.4.1.1)."""

from __future__ import annotations

from ..errors import SignageError
from .bitstream import (
    NAL_IDR,
    NAL_PPS,
    NAL_SLICE,
    NAL_SPS,
    SLICE_P,
    START_CODE,
    BitWriter,
    PictureInfo,
    escape,
    nal_units,
    parse_pps,
    parse_slice,
    parse_sps,
)
from .cabac import all_skipped


def skip_slice(
    pps: PictureInfo,
    first_mb: int,
    data: bytes,
    nal_header: int,
    slice_type: int,
    frame_num: tuple[int, int],
    marking: tuple[int, int],
) -> bytes:
    """A P slice NAL unit from macroblock ``first_mb`` whose CABAC ``data`` (``all_skipped``) skips every
    macroblock: a copy of the previous frame's, with ``frame_num`` and reference ``marking`` (bits)."""
    w = BitWriter()
    w.ue(first_mb)
    w.ue(slice_type)
    w.ue(pps.pps_id)
    w.raw(frame_num)
    if pps.redundant_pic_cnt:
        w.ue(0)
    w.u(1, 1)  # num_ref_idx_active_override_flag: one reference, the previous frame
    w.ue(0)
    w.u(1, 0)  # ref_pic_list_modification_flag_l0
    if pps.weighted_pred:
        w.ue(0)  # luma and chroma weight denominators 0, no explicit weights: plain prediction
        w.ue(0)
        w.u(2, 0)
    w.raw(marking)
    w.ue(0)  # cabac_init_idc (all_skipped's context)
    w.se(0)  # slice_qp_delta: the slice QP is pic_init_qp
    if pps.deblocking_control:
        w.ue(1)  # nothing to filter in a copy; and never its edges
    w.align(1)
    return bytes([nal_header]) + escape(w.tobytes() + data)


# nal_ref_idc 2 (a reference picture, as x264 marks its P frames) and nal_unit_type 1 (a non-IDR slice)
_HELD_NAL_HEADER = (2 << 5) | NAL_SLICE
# adaptive_ref_pic_marking_mode_flag 0: the sliding window drops the oldest reference
_SLIDING_WINDOW = (0, 1)


def held(stream: bytes, frames: int) -> bytes:
    """A still picture held for ``frames`` frames, as one Annex-B stream: ``stream`` (an encode of the
    picture whose first access unit is an IDR picture: x264's, CABAC, no B-frames) up to the end of
    that picture, then ``frames - 1`` P pictures, each one slice whose every macroblock is skipped.

    A skipped macroblock of a P slice is predicted from the reference picture with the motion vector
    its neighbours predict, zero when they are all skipped and still (8.4.1.1): every later picture
    is exactly the first, and costs a few bytes. Each is a reference picture (a run of non-reference
    pictures would share their picture order count, which type 2 derives from ``frame_num``), its
    ``frame_num`` one more than the last, modulo the SPS's range, as the standard counts them."""
    units = nal_units(stream)
    sps_nal = next((nal for nal in units if nal[0] & 0x1F == NAL_SPS), None)
    pps_nal = next((nal for nal in units if nal[0] & 0x1F == NAL_PPS), None)
    if sps_nal is None or pps_nal is None:
        raise SignageError("the still picture's encode has no parameter sets")
    sps, pps = parse_sps(sps_nal), parse_pps(pps_nal)
    if not pps.cabac or sps.poc_type != 2 or sps.max_num_ref_frames < 1 or not sps.frame_mbs_only:
        raise SignageError(f"the still picture's encode cannot be held with skipped frames: {sps}, {pps}")
    head: list[bytes] = []
    idr = False
    for nal in units:
        kind = nal[0] & 0x1F
        if idr and (kind != NAL_IDR or parse_slice(nal, sps, pps).first_mb_in_slice == 0):
            break  # the first picture ends where the next access unit starts
        if kind == NAL_SLICE:
            raise SignageError("the still picture's encode does not start with an IDR picture")
        idr = idr or kind == NAL_IDR
        head.append(nal)
    if not idr:
        raise SignageError("the still picture's encode has no IDR picture")
    data = all_skipped(sps.width_mbs * sps.height_mbs, pps.pic_init_qp)
    out = [START_CODE + nal for nal in head]
    wrap = 1 << sps.log2_max_frame_num
    made: dict[int, bytes] = {}
    for n in range(1, frames):
        number = n % wrap
        if number not in made:
            frame_num = (number, sps.log2_max_frame_num)
            made[number] = skip_slice(pps, 0, data, _HELD_NAL_HEADER, SLICE_P, frame_num, _SLIDING_WINDOW)
        out.append(START_CODE + made[number])
    return b"".join(out)

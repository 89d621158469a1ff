"""The slice data of a P slice whose every macroblock is skipped, CABAC-coded.

A skipped macroblock of a P slice takes its motion vector from its neighbours, and a neighbour in
another slice counts as absent (H.264 8.4.1.1): in a slice where every macroblock is skipped, every
vector is therefore zero and the slice is an exact copy of the same rows of the previous picture.
Such a slice is a few dozen bytes, the same for every frame of a still region: written once here
rather than asked of x264 for every frame.

The arithmetic coder is H.264 9.3.4 (encoding process); its tables are the standard's 9-44 and 9-45,
and the context's initial values Table 9-13 (ctxIdx 11, cabac_init_idc 0).
"""

from __future__ import annotations

from functools import lru_cache

# Table 9-44: rangeTabLPS[pStateIdx][qCodIRangeIdx], one row of four a line
_RANGE_LPS = (
    (128, 176, 208, 240), (128, 167, 197, 227), (128, 158, 187, 216), (123, 150, 178, 205),
    (116, 142, 169, 195), (111, 135, 160, 185), (105, 128, 152, 175), (100, 122, 144, 166),
    (95, 116, 137, 158), (90, 110, 130, 150), (85, 104, 123, 142), (81, 99, 117, 135),
    (77, 94, 111, 128), (73, 89, 105, 122), (69, 85, 100, 116), (66, 80, 95, 110),
    (62, 76, 90, 104), (59, 72, 86, 99), (56, 69, 81, 94), (53, 65, 77, 89),
    (51, 62, 73, 85), (48, 59, 69, 80), (46, 56, 66, 76), (43, 53, 63, 72),
    (41, 50, 59, 69), (39, 48, 56, 65), (37, 45, 54, 62), (35, 43, 51, 59),
    (33, 41, 48, 56), (32, 39, 46, 53), (30, 37, 43, 50), (29, 35, 41, 48),
    (27, 33, 39, 45), (26, 31, 37, 43), (24, 30, 35, 41), (23, 28, 33, 39),
    (22, 27, 32, 37), (21, 26, 30, 35), (20, 24, 29, 33), (19, 23, 27, 31),
    (18, 22, 26, 30), (17, 21, 25, 28), (16, 20, 23, 27), (15, 19, 22, 25),
    (14, 18, 21, 24), (14, 17, 20, 23), (13, 16, 19, 22), (12, 15, 18, 21),
    (12, 14, 17, 20), (11, 14, 16, 19), (11, 13, 15, 18), (10, 12, 15, 17),
    (10, 12, 14, 16), (9, 11, 13, 15), (9, 11, 12, 14), (8, 10, 12, 14),
    (8, 9, 11, 13), (7, 9, 11, 12), (7, 9, 10, 12), (7, 8, 10, 11),
    (6, 8, 9, 11), (6, 7, 9, 10), (6, 7, 8, 9), (2, 2, 2, 2),
)  # fmt: skip
# Table 9-45: the state after a least probable symbol (after a most probable one: the next, up to 62)
_NEXT_LPS = (
    0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12, 13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21,
    22, 22, 23, 24, 24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33, 33, 33, 34, 34, 35,
    35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
)  # fmt: skip
# Table 9-13, ctxIdx 11 (mb_skip_flag with neither neighbour a coded macroblock), cabac_init_idc 0
_SKIP_M, _SKIP_N = 23, 33


class _Encoder:
    """H.264's binary arithmetic encoder (9.3.4.1-9.3.4.5), writing into a list of bits."""

    def __init__(self) -> None:
        self.low, self.range, self.outstanding, self.first = 0, 510, 0, True
        self.bits: list[int] = []

    def _put(self, bit: int) -> None:
        if self.first:
            self.first = False
        else:
            self.bits.append(bit)
        self.bits.extend([1 - bit] * self.outstanding)
        self.outstanding = 0

    def _renorm(self) -> None:
        while self.range < 256:
            if self.low < 256:
                self._put(0)
            elif self.low >= 512:
                self.low -= 512
                self._put(1)
            else:
                self.low -= 256
                self.outstanding += 1
            self.range <<= 1
            self.low <<= 1

    def decision(self, context: list[int], bit: int) -> None:
        """Code ``bit`` with ``context`` = [pStateIdx, valMPS], updated in place."""
        state, mps = context
        lps = _RANGE_LPS[state][(self.range >> 6) & 3]
        self.range -= lps
        if bit != mps:
            self.low += self.range
            self.range = lps
            if state == 0:
                context[1] = 1 - mps
            context[0] = _NEXT_LPS[state]
        else:
            context[0] = min(state + 1, 62)
        self._renorm()

    def terminate(self, bit: int) -> None:
        self.range -= 2
        if bit:
            self.low += self.range
            self.range = 2
            self._renorm()
            self._put((self.low >> 9) & 1)
            # the last two bits; the lower one is the rbsp_stop_one_bit
            self.bits += [(self.low >> 8) & 1, 1]
        else:
            self._renorm()


def skip_context(slice_qp: int) -> list[int]:
    """The initial [pStateIdx, valMPS] of mb_skip_flag's context at ``slice_qp`` (9.3.1.1)."""
    pre = min(126, max(1, ((_SKIP_M * min(51, max(0, slice_qp))) >> 4) + _SKIP_N))
    return [63 - pre, 0] if pre <= 63 else [pre - 64, 1]


@lru_cache(maxsize=64)
def all_skipped(macroblocks: int, slice_qp: int) -> bytes:
    """The CABAC slice data (with rbsp_slice_trailing_bits) of a P slice of ``macroblocks``
    macroblocks, every one skipped: per macroblock mb_skip_flag 1 and end_of_slice_flag."""
    coder = _Encoder()
    context = skip_context(slice_qp)
    for n in range(macroblocks):
        coder.decision(context, 1)
        coder.terminate(1 if n == macroblocks - 1 else 0)
    bits = coder.bits + [0] * (-len(coder.bits) % 8)
    return int("".join(map(str, bits)), 2).to_bytes(len(bits) // 8, "big")

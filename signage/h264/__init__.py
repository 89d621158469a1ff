"""Just enough H.264 to write and rewrite slices: the bitstream, CABAC for skipped macroblocks, held pictures."""

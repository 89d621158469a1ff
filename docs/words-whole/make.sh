#!/bin/sh
# Renders the pictures of docs/words-whole.md with one tree of signage: run it once with the tree
# at 7382b84 (before) and once with this one (after), against this project:
#   git archive 7382b84 | tar -x -C /tmp/signage-7382b84
#   docs/words-whole/make.sh /tmp/signage-7382b84 /tmp/words/before
#   docs/words-whole/make.sh "$PWD" /tmp/words/after
# (run from the tree itself: `python -m signage` imports the signage of the working directory first)
set -e
TREE=$(cd "$1" && pwd); OUT=$2; PROJECT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$OUT"
export PYTHONPATH=$TREE SIGNAGE_CACHE_DIR=$OUT/.cache SIGNAGE_PROJECT=$PROJECT
PY=${PYTHON:-python3}
cd "$TREE"
$PY -m signage text '刷单+小额返利+加大投入=诈骗……千万不要相信“先返后骗”的兼职广告。' --width 280 --size 32 --headline -o "$OUT/headline.png"
$PY -m signage text '各網點：出借賬戶是違法行為，請勿出借。' --width 240 --size 32 --headline -o "$OUT/traditional.png"
$PY -m signage render led --slogan formula-shuadan --screen door-192x32 -o "$OUT/led-formula"
$PY -m signage render led --slogan five-year-ban --screen door-192x32 -o "$OUT/led-five-year"
$PY -m signage render video --template slogan-16x9 --slogan anti-fraud-campaign --branch changzhi-yingxiong --duration 2 -o "$OUT/video-campaign.mp4"

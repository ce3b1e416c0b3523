#!/bin/bash
# The fine_foods word-vectors measurement of docs/results.md ("Pretrained word vectors on
# fine_foods"). Needs Debian's python3-gensim and python3-sklearn. Usage, from the repository:
#   docs/peers/word_vectors/run.sh /path/to/modeldata /tmp/wv
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../../.." && pwd)
data=$1/fine_foods.csv; out=$2
mkdir -p "$out"; cd "$out"
/usr/bin/python3 "$here/make_splits.py" "$data"
/usr/bin/python3 "$here/train_vectors.py" "$data"
/usr/bin/python3 "$here/peers.py"
for pct in 5 20 100; do
  for epochs in 10 40; do
    [ "$epochs" = 40 ] && [ "$pct" != 5 ] && continue
    "$repo/submit-scripts/mtl" prep --config "$here/fine_foods_vectors.yaml" --data "d$pct" --out "scratch$pct-$epochs-prep"
    "$repo/submit-scripts/mtl" train --config "$here/fine_foods_vectors.yaml" --prep "scratch$pct-$epochs-prep" --out "scratch$pct-$epochs" --set train.epochs=$epochs
    "$repo/submit-scripts/mtl" evaluate --run "scratch$pct-$epochs" --prep "scratch$pct-$epochs-prep"
    scales="1 auto 0.05"; [ "$epochs" = 40 ] && scales="1 auto"
    for scale in $scales; do
      v="--set prep.text.vectors=$out/ff.bin --set train.pretrained.frozenEpochs=2 --set train.pretrained.rateFactor=0.5 --set train.pretrained.scale=$scale"
      "$repo/submit-scripts/mtl" prep --config "$here/fine_foods_vectors.yaml" --data "d$pct" --out "vectors$pct-$epochs-$scale-prep" $v
      "$repo/submit-scripts/mtl" train --config "$here/fine_foods_vectors.yaml" --prep "vectors$pct-$epochs-$scale-prep" --out "vectors$pct-$epochs-$scale" --set train.epochs=$epochs $v
      "$repo/submit-scripts/mtl" evaluate --run "vectors$pct-$epochs-$scale" --prep "vectors$pct-$epochs-$scale-prep"
    done
  done
done

#!/usr/bin/env bash
# One lease of a CUDA machine: train a generator (MODEL=surface, the default, or sky) in two legs (a mid-run
# checkpoint and the final one) and copy the checkpoints, logs and sample grids to $OUT. Sized for one 10-minute
# run. Used with the device tool; see training/README.md (carry the prepared dataset: surface2.npz + manifest, or
# sky.npz + sky.manifest.json for MODEL=sky, which also chooses its checkpoint with training/sky_select.py).
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.is_available())"
slim() { python3 -c "import torch,sys; ck=torch.load(sys.argv[1], map_location='cpu'); torch.save({k: ck[k] for k in ('G_ema','step','config')}, sys.argv[2])" "$1" "$2"; }
MODEL=${MODEL:-surface}
RUN=training/runs/$MODEL
if [ "$MODEL" = sky ]; then
  ARGS="--model sky --crop 64 --batch ${BATCH:-32} --steps 60000 --threads 8 --ckpt-every 1000 --sample-every 2000"
  # Shorter legs than surface: the snapshot scoring at the end (sky_select) needs a minute or two of the lease.
  LEG1=${LEG1:-2.5}; LEG2=${LEG2:-4.5}
else
  ARGS="--model surface --crop 40 --batch ${BATCH:-32} --r1 0.1 --noise-from 3000 --steps 60000 --threads 8"
  ARGS="$ARGS --family-weights brick=3,stone_blocks=2,floor_tiles=2"
  # The shipped CPU recipe in two phases: the first leg with --augment (colour and size variation of the real crops:
  # metal learns the data's lighter tones), the second without (structure comes back; training/README.md).
  # Most of the lease augmented, as on the CPU (20,000 + 4,000 steps there).
  LEG1_ARGS=--augment; LEG1=${LEG1:-6.9}; LEG2=${LEG2:-3.6}
  ARGS="$ARGS --ckpt-every 1000 --sample-every 2000"
  # Colour + height (issue "relief"): carry training/.cache/surface2-relief.npz too (training/surface_relief.py).
  [ -f training/.cache/surface2-relief.npz ] && ARGS="$ARGS --relief training/.cache/surface2-relief.npz"
fi
python3 -m training.train $ARGS ${LEG1_ARGS:-} --max-minutes "$LEG1" 2>&1 | grep -v '"step"' ; tail -1 $RUN/log.jsonl
slim $RUN/ckpt.pt "$OUT/ckpt-mid.pt"
python3 -m training.train $ARGS --max-minutes "$LEG2" 2>&1 | grep -v '"step"' ; tail -1 $RUN/log.jsonl
slim $RUN/ckpt.pt "$OUT/ckpt.pt"; cp $RUN/log.jsonl $RUN/config.json "$OUT/"
if [ "$MODEL" = sky ]; then
  # The shipped checkpoint is chosen by the leave-one-group-out nn_ratio over the run's snapshots, not the last step.
  python3 -m training.sky_select --run $RUN --threads 8 | tail -1
  cp $RUN/best.pt $RUN/select.json "$OUT/"
fi
ls $RUN/samples | tail -2
last=$(ls $RUN/samples | tail -1); [ -n "$last" ] && cp "$RUN/samples/$last" "$OUT/last-samples.png"
ls -la "$OUT"

#!/usr/bin/env bash
# Every benchmark, each beside its baselines in the same run (figures: BENCHMARKS.md, raw results:
# bench/results/). Not part of `npm test`: about an hour, and it wants a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run build
npx tsx bench/bundle-size.ts
bash bench/fanout/janus/install.sh
scripts/isolated.sh npx tsx bench/fanout/main.ts "$@"
scripts/isolated.sh npx tsx bench/first-frame.ts
scripts/isolated.sh npx tsx bench/whip-setup.ts
scripts/isolated.sh npx tsx bench/setup-cost.ts
scripts/isolated.sh npx tsx bench/rtp-ingest.ts
scripts/isolated.sh npx tsx bench/recording.ts
npx tsx bench/muxers.ts
scripts/isolated.sh npx tsx bench/processing.ts
scripts/isolated.sh npx tsx bench/processing-capacity.ts

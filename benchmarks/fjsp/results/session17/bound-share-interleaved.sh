#!/bin/sh
# bound_share 0 (default) against 0.25 on mk06 / mk10, seeds 0-2, 60 s, 2 threads, interleaved.
cd "$(dirname "$0")/../../../.." || exit 1
for seed in 0 1 2; do
  for inst in mk06 mk10; do
    for share in 0 0.25; do
      .venv/bin/optikit solve benchmarks/instances/fjsp/brandimarte/$inst.fjs --time-limit 60 --threads 2 \
        --seed $seed --option bound_share=$share --json 2>/dev/null | python3 -c "
import json, sys; d = json.load(sys.stdin); s = d['stats']
print('$inst seed $seed share $share:', d['objective'], 'bound', d['bound'], '|', s.get('bound_source'),
      '| probes', [(p['makespan'], p['status'], p['seconds']) for p in s.get('bound_probes', [])],
      '| time', round(d['time_s'], 2), '| load', open('/proc/loadavg').read().split()[0])"
    done
  done
done

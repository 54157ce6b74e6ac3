"""Run every `bench/bench_*.py` in turn and print what each reports (`make bench`);
name some (`python bench/run_all.py fanout keyword`) to run only those."""

import subprocess
import sys
from pathlib import Path

wanted = set(sys.argv[1:])
failed = 0
for script in sorted(Path(__file__).parent.glob("bench_*.py")):
    if wanted and script.stem.removeprefix("bench_") not in wanted:
        continue
    print(f"\n=== {script.name} ===", flush=True)
    failed += subprocess.call([sys.executable, str(script)]) != 0
sys.exit(1 if failed else 0)

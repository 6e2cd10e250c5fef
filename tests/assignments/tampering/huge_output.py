# Huge output: hundreds of megabytes printed and written to disk.
import sys
_line = "x" * 1_000_000
for _ in range(300):
    sys.stdout.write(_line)
with open("big.bin", "wb") as _handle:
    for _ in range(300):
        _handle.write(b"\0" * 1_000_000)

"""Which functions a py-spy profile (raw, collapsed stacks) spends its time in, inclusive.

`python bench/profile_top.py PROFILE [WORD ...]`: the share of samples whose stack passes
through each function, highest first, optionally only functions whose name holds a WORD.
`bench/loadtest.py --profile "city home"` records such profiles under load.
"""

import collections
import sys


def main():
    path, *words = sys.argv[1:]
    total = 0
    inclusive = collections.Counter()
    for line in open(path, encoding="utf-8"):
        stack, _, count = line.rstrip().rpartition(" ")
        if not count.isdigit():
            continue
        total += int(count)
        seen = set()
        for frame in stack.split(";"):
            name, _, where = frame.partition(" (")
            key = f"{name} ({where.split(':')[0]})" if where else name
            if key not in seen:
                seen.add(key)
                inclusive[key] += int(count)
    for key, count in inclusive.most_common():
        if not words or any(word in key for word in words):
            print(f"{100 * count / total:5.1f} %  {key}")
    print(f"{total} samples")


if __name__ == "__main__":
    main()

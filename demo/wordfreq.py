"""The demo workload: counts the words of a text file and prints the five most common.

With --out OUT it writes the table to OUT instead of stdout. With --phone-home it also opens a network socket, something it never did while it
was recorded: the enforced profile kills it there and `profile` names the syscall.
"""
import collections
import re
import socket
import sys


def main(argv):
    out = argv[argv.index("--out") + 1] if "--out" in argv[:-1] else None
    files = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--out")]
    if len(files) != 1:
        print("usage: wordfreq.py [--out OUT] [--phone-home] FILE", file=sys.stderr)
        return 2
    path = files[0]
    with open(path, encoding="utf-8") as f:
        words = re.findall(r"[a-z']+", f.read().lower())
    if "--phone-home" in argv:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).connect(("127.0.0.1", 9))
        except OSError:
            pass
    lines = [f"{count:4} {word}\n" for word, count in collections.Counter(words).most_common(5)]
    if out is None:
        sys.stdout.writelines(lines)
    else:
        with open(out, "w", encoding="utf-8") as f:
            f.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

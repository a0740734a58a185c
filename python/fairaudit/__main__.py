"""``python -m fairaudit ARGS`` runs the installed ``fairaudit`` executable with ARGS."""

import os
import sys

from fairaudit import find_fairaudit_bin


def main() -> None:
    binary = os.fsdecode(find_fairaudit_bin())
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.run([binary, *sys.argv[1:]]).returncode)
    os.execv(binary, [binary, *sys.argv[1:]])


if __name__ == "__main__":
    main()

"""fairaudit: a fast auditor for the outputs of machine-learning systems.

The package carries the ``fairaudit`` executable (a Rust binary, installed on the
environment's ``PATH``); ``python -m fairaudit`` runs it too. There is no Python API:
run the command, read its JSON (``--format json``).
"""

import os
import sys
import sysconfig

__all__ = ["find_fairaudit_bin"]


def find_fairaudit_bin() -> str:
    """The path of the installed ``fairaudit`` executable.

    Looks in the scripts folder of this environment, then in the user scheme's
    (``pip install --user``). Raises FileNotFoundError when neither has it.
    """
    exe = "fairaudit" + (sysconfig.get_config_var("EXE") or "")
    candidates = [os.path.join(sysconfig.get_path("scripts"), exe)]
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    candidates.append(os.path.join(sysconfig.get_path("scripts", scheme=user_scheme), exe))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        "the fairaudit executable is not installed next to this package (looked in: "
        + ", ".join(candidates)
        + "); reinstall with `pip install --force-reinstall fairaudit`"
    )

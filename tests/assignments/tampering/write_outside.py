# Write outside the grading folder: the repository, the grades folder, /tmp, the home folder.
import os
for _target in ("/tmp/gmm-escape-marker", os.path.expanduser("~/gmm-escape-marker"),
                "/work/gmm-escape-marker", "$repo/gmm-escape-marker", "$out/gmm-escape-marker",
                "$repo/grades/gmm-escape-marker", "/root/gmm-escape-marker"):
    try:
        os.makedirs(os.path.dirname(_target), exist_ok=True)
        with open(_target, "w") as _handle:
            _handle.write("escaped")
    except OSError:
        pass

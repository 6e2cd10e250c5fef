# os._exit(0) mid-run, after leaving a forged answers file behind.
import json, os
with open("answers.json", "w") as _handle:
    json.dump({"nonce": "guess", "answers": {}, "cell_errors": [], "tampering": []}, _handle)
os._exit(0)
